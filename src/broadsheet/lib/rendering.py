"""Markdown to safe HTML, for article bodies, policy pages and reader comments.

Every transform (Markdown, link attributes) runs first and the nh3 sanitiser runs last, so
nothing the sanitiser has approved is changed afterwards. Rendering happens when text is
saved; readers' requests only ever read the stored HTML.

The article allow-list (documented in docs/content.md) permits structure and links but no
scripts, styles (other than table alignment), event attributes, forms, frames, SVG or
MathML, and only http, https and mailto URLs (relative URLs pass).
"""

from __future__ import annotations

import html
from functools import cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

URL_SCHEMES = frozenset({"http", "https", "mailto"})

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
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "ol": {"start", "reversed", "class"},
    "li": {"id", "class"},
    "sup": {"id", "class"},
    "section": {"class"},
    "hr": {"class"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "td": {"colspan", "rowspan", "style"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
}  # fmt: skip

COMMENT_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "blockquote", "ul", "ol", "li", "code", "pre"}
)
COMMENT_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}


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


def sanitise_article_html(raw_html: str) -> str:
    """Clean HTML to the article allow-list (also used for imported HTML bodies)."""
    return nh3.clean(
        raw_html,
        tags=set(ARTICLE_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ARTICLE_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener",
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def render_article_markdown(source: str) -> str:
    """Markdown (with raw HTML, tables, footnotes) to sanitised HTML for articles and pages."""
    return sanitise_article_html(_article_parser().render(source))


def render_comment_markdown(source: str) -> str:
    """A reader's comment to sanitised HTML; links are marked as user-generated."""
    return nh3.clean(
        _comment_parser().render(source),
        tags=set(COMMENT_TAGS),
        attributes={tag: set(attrs) for tag, attrs in COMMENT_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def html_to_text(fragment: str) -> str:
    """The readable text of an HTML fragment, for search indexes and summaries."""
    text = nh3.clean(fragment.replace("<", " <"), tags=set(), strip_comments=True)
    return " ".join(html.unescape(text).split())
