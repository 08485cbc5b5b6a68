"""WordPress's automatic paragraphs (`wpautop()`), for bodies exported as WordPress keeps
them: text with blank lines between paragraphs and raw HTML around it.

A small version of what WordPress does when it shows a post: the text is split into
paragraphs at blank lines, each wrapped in <p> unless it already is a block element,
single line breaks inside a paragraph become <br />, and the contents of <pre> (and of
<script>, <style>, <textarea>) are left exactly as they were. Block elements are never
wrapped, and line breaks next to block tags are not turned into <br />. What it leaves out
of WordPress's version: the shortcode and <object>/<embed> special cases, and the option
to keep line breaks as they are.

The text is whatever an imported post or comment says, so every step runs in time linear
in its length (broadsheet.lib.linear): the regular expressions here are of the shape that
cannot backtrack far, and the steps a backtracking pattern would do (finding the end of a
<pre>, a tag's closing `>`, a run of blank lines) are small scanners.
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
# Elements kept as they are, from the opening tag to the first closing tag of the same name.
_PRESERVED_OPEN = re.compile(r"<(pre|script|style|textarea)\b", re.IGNORECASE)
_PRESERVED_CLOSE = re.compile(r"</(pre|script|style|textarea)\s*", re.IGNORECASE)
# A kept element stands in the text as a placeholder until the end. The text's own \ue010
# characters (private-use, but anyone can type them) are kept the same way, so every
# \ue010 the last step finds is one of ours and typed look-alikes are left as they are.
_PLACEHOLDER = "\ue010{}\ue011"
_PLACEHOLDER_START, _PLACEHOLDER_END = "\ue010", "\ue011"
_BR_START = re.compile(r"<br\s*", re.IGNORECASE)  # `<br\s*/?>`, finished by _br_end()
_SPACES = re.compile(r"\s*")
_LINE_BREAK_AND_SPACES = re.compile(r"\n\s+")
_OPEN_BLOCK = re.compile(rf"(<(?:{BLOCKS})[\s/>])", re.IGNORECASE)
_CLOSE_BLOCK = re.compile(rf"(</(?:{BLOCKS})>)", re.IGNORECASE)
_BLOCK_TAG = re.compile(rf"</?(?:{BLOCKS})[\s/>]", re.IGNORECASE)
_BLOCK_NAME = re.compile(rf"</?(?:{BLOCKS})", re.IGNORECASE)
_BR = "<br />"
_BR_ANY_CASE = re.compile(_BR, re.IGNORECASE)
_BR_AND_SPACES = re.compile(r"<br />\s*")
# Tags a <br /> is dropped before (WordPress's list, case-sensitive as there).
_BR_BEFORE_NAME = re.compile(r"</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)")


def wpautop(text: str) -> str:
    """Paragraphs and line breaks for `text`, as WordPress's wpautop($text, true)."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    preserved: list[str] = []
    blocks: set[str] = set()  # the placeholders of kept elements, not of typed \ue010
    text = _keep_preserved(text, preserved, blocks) + "\n"
    text = _double_br_to_blank_line(text)
    # Block tags get blank lines around them, so they always stand apart from paragraphs.
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    text = re.sub(r"\n\n+", "\n\n", text)

    html = []
    for paragraph in _paragraphs(text):
        if not paragraph:
            continue
        if paragraph in blocks or _is_block_only(paragraph):
            html.append(paragraph)
            continue
        html.append(_paragraph(paragraph))
    result = "\n".join(html)
    result = _drop_br_after_blocks(result)
    result = _drop_br_before_blocks(result)
    return _restore(result, preserved)


def _keep_preserved(text: str, preserved: list[str], blocks: set[str]) -> str:
    """`text` with each <pre> (<script>, <style>, <textarea>) element, from its opening tag
    to the first closing tag of the same name, and each \\ue010, made a placeholder.

    Closing tags are searched for at most once per stretch of text and name: the first
    closing tag found after one opening tag is also the first after any later opening tag
    before it, and when there is none, there is none for any later one. A search per
    opening tag would read the rest of the text for each of many unclosed <pre>."""
    parts: list[str] = []
    typed: list[str] = []  # the placeholder of the text's own \ue010, made when first needed
    # Per tag name (as _backreference_key() gives it): the closing tag the last search
    # found, start and end, or (-1, -1) when there was none after where it started.
    closings: dict[str, tuple[int, int]] = {}

    def plain(chunk: str) -> str:
        if _PLACEHOLDER_START not in chunk:
            return chunk
        if not typed:
            typed.append(_PLACEHOLDER.format(len(preserved)))
            preserved.append(_PLACEHOLDER_START)
        return chunk.replace(_PLACEHOLDER_START, typed[0])

    done = 0
    position = 0
    while opening := _PRESERVED_OPEN.search(text, position):
        name = _backreference_key(opening.group(1))
        found = closings.get(name)
        if found is None or found[0] != -1 and found[0] < opening.end():
            found = closings[name] = _closing_tag(text, name, opening.end())
        start, end = found
        if start == -1:
            position = opening.start() + 1
            continue
        placeholder = _PLACEHOLDER.format(len(preserved))
        preserved.append(text[opening.start() : end])
        blocks.add(placeholder)
        parts += [plain(text[done : opening.start()]), placeholder]
        done = position = end
    parts.append(plain(text[done:]))
    return "".join(parts)


def _backreference_key(name: str) -> str:
    """A tag name as `re`'s case-insensitive backreference compares it: each character's
    simple lower case (str.lower() makes two characters of "İ")."""
    return "".join(character.lower()[0] for character in name)


def _closing_tag(text: str, name: str, position: int) -> tuple[int, int]:
    """Start and end of the first `</name\\s*>` from `position`, or (-1, -1)."""
    while closing := _PRESERVED_CLOSE.search(text, position):
        if text.startswith(">", closing.end()) and _backreference_key(closing.group(1)) == name:
            return closing.start(), closing.end() + 1
        position = closing.end()
    return -1, -1


def _br_end(text: str, start: re.Match[str]) -> int:
    """Where the <br> whose `<br\\s*` is `start` ends (after its `/?>`), or -1."""
    end = start.end() + text.startswith("/", start.end())
    return end + 1 if text.startswith(">", end) else -1


def _double_br_to_blank_line(text: str) -> str:
    """Two <br> tags with only white space between them become a blank line."""
    parts: list[str] = []
    done = 0
    position = 0
    while first := _BR_START.search(text, position):
        first_end = _br_end(text, first)
        if first_end != -1:
            spaces = _SPACES.match(text, first_end)
            second = _BR_START.match(text, spaces.end() if spaces else first_end)
            second_end = _br_end(text, second) if second else -1
            if second_end != -1:
                parts += [text[done : first.start()], "\n\n"]
                done = position = second_end
                continue
        position = first.start() + 1
    parts.append(text[done:])
    return "".join(parts)


def _paragraphs(text: str) -> list[str]:
    """`text` split at each run of white space holding two or more line breaks, stripped."""
    paragraphs = []
    start = 0
    for run in _LINE_BREAK_AND_SPACES.finditer(text):
        if text.find("\n", run.start() + 1, run.end()) != -1:
            paragraphs.append(text[start : run.start()].strip())
            start = run.end()
    paragraphs.append(text[start:].strip())
    return paragraphs


def _is_block_only(paragraph: str) -> bool:
    """A chunk that is a block tag (opening or closing): not wrapped."""
    return bool(_BLOCK_TAG.match(paragraph)) and _ending_block_tag(paragraph) != -1


def _ending_block_tag(paragraph: str) -> int:
    """Where the block tag that ends `paragraph` (stripped) starts, or -1: the first block
    tag name after the last `>` but one, when that last `>` is the final character."""
    last = len(paragraph) - 1
    if not paragraph.endswith(">"):
        return -1
    tag = _BLOCK_NAME.search(paragraph, paragraph.rfind(">", 0, last) + 1, last)
    return tag.start() if tag else -1


def _paragraph(paragraph: str) -> str:
    # Text that opens or closes a block inside the chunk ("<div>text") keeps the block tag
    # outside the paragraph, as WordPress's clean-up of "<p><div>" does. A block tag never
    # closed ("<div class=x" to the end of the chunk) is left in the paragraph's text.
    lead = ""
    if _BLOCK_TAG.match(paragraph) and (end := paragraph.find(">") + 1):
        lead, paragraph = paragraph[:end] + "\n", paragraph[end:].lstrip()
    trail = ""
    tail = _ending_block_tag(paragraph)
    if tail != -1 and _BLOCK_TAG.match(paragraph, tail):
        trail, paragraph = "\n" + paragraph[tail:].strip(), paragraph[:tail]
    # Each run of white space holding a line break becomes one <br />: a paragraph has no
    # blank lines, so that is the line breaks between its stripped, non-empty lines.
    lines = (line.strip() for line in paragraph.split("\n"))
    paragraph = "<br />\n".join(line for line in lines if line)
    body = f"<p>{paragraph}</p>" if paragraph else ""
    return f"{lead}{body}{trail}".strip()


def _drop_br_after_blocks(html: str) -> str:
    """`html` without each <br /> that follows a block tag (white space between them).

    Driven by the <br /> tags, each looking back only as far as the `>` before the one
    that ends the tag (a <br /> has a `>` of its own), so no stretch is read twice."""
    parts: list[str] = []
    done = 0
    position = 0
    while found := _BR_ANY_CASE.search(html, position):
        br = found.start()
        position = br + 1
        tag_end = html.rfind(">", done, br)
        if tag_end == -1 or html[tag_end + 1 : br].strip():
            continue
        tag = _BLOCK_NAME.search(html, max(done, html.rfind(">", done, tag_end) + 1), tag_end)
        if tag:
            parts += [html[done : tag.start()], html[tag.start() : tag_end + 1]]
            done = position = br + len(_BR)
    parts.append(html[done:])
    return "".join(parts)


def _drop_br_before_blocks(html: str) -> str:
    """`html` without each <br /> followed by a tag of WordPress's short list (white space
    between them). A match runs to the tag's `>`, so a <br /> inside that tag stays."""
    parts: list[str] = []
    done = 0
    position = 0
    while br := _BR_AND_SPACES.search(html, position):
        position = br.start() + 1
        tag = _BR_BEFORE_NAME.match(html, br.end())
        if not tag:
            continue
        tag_end = html.find(">", tag.end())
        if tag_end == -1:
            break  # no `>` after this tag, so none after any later one either
        parts += [html[done : br.start()], html[br.start() + len(_BR) : tag_end + 1]]
        done = position = tag_end + 1
    parts.append(html[done:])
    return "".join(parts)


def _restore(html: str, preserved: list[str]) -> str:
    """`html` with every placeholder replaced by what it stands for."""
    head, *rest = html.split(_PLACEHOLDER_START)
    parts = [head]
    for part in rest:
        number, _, after = part.partition(_PLACEHOLDER_END)
        parts += [preserved[int(number)], after]
    return "".join(parts)


def text_to_html(text: str) -> str:
    """Plain text (a source's "text" body) as escaped HTML paragraphs."""
    return wpautop(escape(text, quote=False))
