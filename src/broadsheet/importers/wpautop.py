"""WordPress's automatic paragraphs (`wpautop()`), for bodies exported as WordPress keeps
them: text with blank lines between paragraphs and raw HTML around it.

A small version of what WordPress does when it shows a post: the text is split into
paragraphs at blank lines, each wrapped in <p> unless it already is a block element,
single line breaks inside a paragraph become <br />, and the contents of <pre> (and of
<script>, <style>, <textarea>) are left exactly as they were. Block elements are never
wrapped, and line breaks next to block tags are not turned into <br />. What it leaves out
of WordPress's version: the shortcode and <object>/<embed> special cases, and the option
to keep line breaks as they are.
"""

from __future__ import annotations

import re
from html import escape

# WordPress's $allblocks, the elements that start and end paragraphs.
BLOCKS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    "|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    "|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|math|svg"
)
_PRESERVED = re.compile(r"<(pre|script|style|textarea)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_PLACEHOLDER = "\ue010{}\ue011"
_PLACEHOLDERS = re.compile("\ue010(\\d+)\ue011")
_OPEN_BLOCK = re.compile(rf"(<(?:{BLOCKS})[\s/>])", re.IGNORECASE)
_CLOSE_BLOCK = re.compile(rf"(</(?:{BLOCKS})>)", re.IGNORECASE)
_BLOCK_TAG = re.compile(rf"</?(?:{BLOCKS})[\s/>]", re.IGNORECASE)
_STARTS_BLOCK = re.compile(rf"^\s*</?(?:{BLOCKS})[\s/>]", re.IGNORECASE)
_ENDS_BLOCK = re.compile(rf"</?(?:{BLOCKS})[^>]*>\s*$", re.IGNORECASE)
_BR_AFTER_BLOCK = re.compile(rf"(</?(?:{BLOCKS})[^>]*>)\s*<br />", re.IGNORECASE)
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")


def wpautop(text: str) -> str:
    """Paragraphs and line breaks for `text`, as WordPress's wpautop($text, true)."""
    if not text.strip():
        return ""
    preserved: list[str] = []

    def keep(match: re.Match[str]) -> str:
        preserved.append(match.group(0))
        return _PLACEHOLDER.format(len(preserved) - 1)

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _PRESERVED.sub(keep, text) + "\n"
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.IGNORECASE)
    # Block tags get blank lines around them, so they always stand apart from paragraphs.
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    text = re.sub(r"\n\n+", "\n\n", text)

    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text)]
    html = []
    for paragraph in paragraphs:
        if not paragraph:
            continue
        if _is_block_only(paragraph):
            html.append(paragraph)
            continue
        html.append(_paragraph(paragraph))
    result = "\n".join(html)
    result = _BR_AFTER_BLOCK.sub(r"\1", result)
    result = _BR_BEFORE_BLOCK.sub(r"\1", result)
    return _PLACEHOLDERS.sub(lambda match: preserved[int(match.group(1))], result)


def _is_block_only(paragraph: str) -> bool:
    """A chunk that is a block tag (opening or closing), or a preserved <pre>: not wrapped."""
    if _PLACEHOLDERS.fullmatch(paragraph):
        return True
    return bool(_STARTS_BLOCK.match(paragraph) and _ENDS_BLOCK.search(paragraph))


def _paragraph(paragraph: str) -> str:
    # Text that opens or closes a block inside the chunk ("<div>text") keeps the block tag
    # outside the paragraph, as WordPress's clean-up of "<p><div>" does.
    lead = ""
    match = _STARTS_BLOCK.match(paragraph)
    if match:
        end = paragraph.index(">", match.start()) + 1
        lead, paragraph = paragraph[:end] + "\n", paragraph[end:].lstrip()
    trail = ""
    tail = _ENDS_BLOCK.search(paragraph)
    if tail and _BLOCK_TAG.match(paragraph, tail.start()):
        trail, paragraph = "\n" + paragraph[tail.start() :].strip(), paragraph[: tail.start()]
    paragraph = re.sub(r"\s*\n\s*", "<br />\n", paragraph.strip())
    body = f"<p>{paragraph}</p>" if paragraph else ""
    return f"{lead}{body}{trail}".strip()


def text_to_html(text: str) -> str:
    """Plain text (a source's "text" body) as escaped HTML paragraphs."""
    return wpautop(escape(text, quote=False))
