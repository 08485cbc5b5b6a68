"""Markdown to safe HTML, for article bodies, policy pages and reader comments.

Every transform (Markdown, link attributes, id prefixes) runs before or inside the nh3
sanitiser, and the sanitiser's output is stored as it is: nothing changes HTML after it has
been approved. Rendering happens when text is saved; readers' requests only ever read the
stored HTML.

The article allow-list (documented in docs/content.md, keep the two in step) permits
structure and links but no scripts, styles (other than table alignment), event attributes,
forms, frames, SVG or MathML. Links may use http, https and mailto; images only http and
https; relative URLs pass. Classes are limited to the ones footnotes use, and every id is
prefixed so body content cannot take over ids of the page around it.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

URL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_URL_SCHEMES = frozenset({"http", "https"})

# Prepended to every id in a body and to every same-page link ("#x"), so footnotes and
# editors' anchors keep working while `id="main"` in a body cannot clash with, or
# clobber, the page's own elements.
BODY_ID_PREFIX = "body-"
# Fragments that mean "the top of the page" to a browser, not an element of the body.
_PAGE_TOP = frozenset({"", "top"})

ARTICLE_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "cite", "q", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark",
        "small", "sub", "sup", "code", "pre", "kbd", "samp", "abbr", "a", "img",
        "ul", "ol", "li", "dl", "dt", "dd",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
        "figure", "figcaption", "section", "span",
    }
)  # fmt: skip
ARTICLE_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "ol": {"start", "reversed"},
    "li": {"id"},
    "sup": {"id"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "td": {"colspan", "rowspan", "style"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
}  # fmt: skip
# Only the classes the footnote plugin writes: arbitrary classes would let a body borrow
# the site's own styles (a fake preview banner, a hidden skip link) to mislead readers.
ARTICLE_CLASSES = {
    "a": {"footnote-backref"},
    "sup": {"footnote-ref"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
}
TEXT_ALIGN_VALUES = frozenset({"left", "center", "right"})

COMMENT_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "blockquote", "ul", "ol", "li", "code", "pre"}
)
COMMENT_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}

_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
# What a browser ignores when it reads a URL: leading and trailing controls and spaces, and
# tabs and newlines anywhere ("java\tscript:" is "javascript:").
_URL_EDGE_JUNK = "".join(chr(c) for c in range(0x21))
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_URL_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def _url_scheme(url: str) -> str | None:
    """The scheme a browser would see in `url`, lower-cased; None for a relative URL."""
    cleaned = _URL_TAB_OR_NEWLINE.sub("", url.strip(_URL_EDGE_JUNK))
    match = _URL_SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def _url_allowed(tag: str, attribute: str, url: str) -> bool:
    schemes = IMAGE_URL_SCHEMES if (tag, attribute) == ("img", "src") else URL_SCHEMES
    scheme = _url_scheme(url)
    return scheme is None or scheme in schemes


def _filter_article_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 has already checked URL schemes; this repeats the check with our own parser so a
    # disagreement between the two can only remove a URL, and adds the rules nh3 cannot
    # express (narrower image schemes, id prefixes, exact text-align values).
    if attribute in _URL_ATTRIBUTES:
        if not _url_allowed(tag, attribute, value):
            return None
        if attribute == "href" and value.startswith("#") and value[1:].lower() not in _PAGE_TOP:
            return "#" + _with_body_prefix(value[1:])
        return value
    if attribute == "id":
        return _with_body_prefix(value) if value.strip() else None
    if attribute == "style":
        return _table_cell_alignment(value) if tag in {"th", "td"} else None
    return value


def _table_cell_alignment(style: str) -> str | None:
    """`text-align:<left|center|right>` from a style attribute; every other declaration,
    and any other value, is dropped."""
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        align = value.strip().lower()
        if name.strip().lower() == "text-align" and align in TEXT_ALIGN_VALUES:
            return f"text-align:{align}"
    return None


def _filter_comment_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in _URL_ATTRIBUTES and not _url_allowed(tag, attribute, value):
        return None
    return value


def _with_body_prefix(name: str) -> str:
    return name if name.startswith(BODY_ID_PREFIX) else BODY_ID_PREFIX + name


@cache
def _article_parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": True, "typographer": False})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
    )


@cache
def _comment_parser() -> MarkdownIt:
    # No headings, images, tables or raw HTML: readers get emphasis, links, quotations,
    # lists and inline code. Raw HTML is shown as the text the reader typed.
    return MarkdownIt("zero", {"html": False, "linkify": False}).enable(
        ["paragraph", "newline", "emphasis", "link", "autolink", "blockquote", "list",
         "backticks", "escape", "entity", "fence", "code"]
    )  # fmt: skip


@cache
def _article_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ARTICLE_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ARTICLE_ATTRIBUTES.items()},
        allowed_classes={tag: set(names) for tag, names in ARTICLE_CLASSES.items()},
        attribute_filter=_filter_article_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener",
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


@cache
def _comment_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(COMMENT_TAGS),
        attributes={tag: set(attrs) for tag, attrs in COMMENT_ATTRIBUTES.items()},
        attribute_filter=_filter_comment_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def sanitise_article_html(raw_html: str) -> str:
    """Clean HTML to the article allow-list (also used for imported HTML bodies)."""
    return _article_cleaner().clean(raw_html)


def render_article_markdown(source: str) -> str:
    """Markdown (with raw HTML, tables, footnotes) to sanitised HTML for articles and pages."""
    return sanitise_article_html(_article_parser().render(source))


def render_comment_markdown(source: str) -> str:
    """A reader's comment to sanitised HTML; links are marked as user-generated."""
    return _comment_cleaner().clean(_comment_parser().render(source))


# Elements that separate words; inline elements (em, a, span…) do not, so
# "un<em>usual</em>" stays one word.
_BREAKING_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "img", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
# Never readable text: code and styles (in HTML that was not sanitised), and the footnote
# markers "[1]" and "↩︎", which would only add noise to search and summaries.
_UNREADABLE_TAGS = frozenset({"script", "style", "template", "noscript"})
_UNREADABLE_CLASSES = frozenset({"footnote-ref", "footnote-backref"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        # While skipping, the name of the element being skipped and how deeply it nests.
        self._skipping: str | None = None
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            if self._skipping is None and tag in _BREAKING_TAGS:
                self.parts.append(" ")
            return
        if self._skipping is not None:
            if tag == self._skipping:
                self._skip_depth += 1
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag in _UNREADABLE_TAGS or classes & _UNREADABLE_CLASSES:
            self._skipping, self._skip_depth = tag, 1
        elif tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping is not None:
            if tag == self._skipping:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skipping = None
            return
        if tag in _BREAKING_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skipping is None:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """The readable text of an HTML fragment, for search indexes and summaries.

    Entities are decoded (the result is plain text, to be escaped wherever it is shown),
    block elements separate words and whitespace is collapsed to single spaces.
    """
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return " ".join("".join(collector.parts).split())
