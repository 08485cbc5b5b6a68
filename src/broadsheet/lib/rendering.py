"""Markdown to safe HTML, for article bodies, policy pages and reader comments.

Every transform (Markdown, link attributes, id prefixes) runs before or inside the nh3
sanitiser, and the sanitiser's output is stored as it is: nothing changes HTML after it has
been approved. Rendering happens when text is saved; readers' requests only ever read the
stored HTML (the one exception, video placeholders, is below).

The article allow-list (documented in docs/content.md, keep the two in step) permits
structure and links but no scripts, styles (other than table alignment), event attributes,
forms, frames, SVG or MathML. Links may use http, https and mailto; images only http and
https; relative URLs pass. Classes are limited to the ones footnotes use, and every id is
prefixed so body content cannot take over ids of the page around it.

Quotations and lists nested deeper than the Markdown parser goes (20 levels of quotation,
10 of list) keep their words: past that, the text renders flat, as plain paragraphs in
the deepest level shown (`broadsheet.lib.markdown_nesting`). Every pattern here runs in
linear time (`broadsheet.lib.linear`), since readers choose the text it runs on.

A paragraph that is only the address of a video on a known provider (see
`EMBED_PROVIDERS`) is stored as a placeholder figure naming the provider, never as a
frame: the article page turns it into a player only for readers who accepted external
media (`broadsheet/publishing/templatetags/embeds.py`). Its two data attributes survive
the sanitiser only when this module wrote them during the same render, so an editor's raw
HTML cannot forge one.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from html import escape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from broadsheet.lib.markdown_links import skip_unclosed_links
from broadsheet.lib.markdown_nesting import cap_nesting

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
    # Kept only on placeholders this module writes (see _filter_embed_attribute).
    "figure": {"data-embed-provider", "data-embed-id"},
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


@dataclass(frozen=True)
class EmbedProvider:
    """A site whose videos an article may show. The player's address is built only from
    an id that fully matches `id_pattern`, never from a stored URL."""

    key: str
    name: str
    id_pattern: re.Pattern[str]
    player_url: str  # "{id}" is replaced by the validated id

    def valid_id(self, video_id: str) -> bool:
        return self.id_pattern.fullmatch(video_id) is not None

    def player(self, video_id: str) -> str:
        assert self.valid_id(video_id)
        return self.player_url.format(id=video_id)


EMBED_PROVIDERS = {
    provider.key: provider
    for provider in (
        EmbedProvider(
            key="youtube",
            name="YouTube",
            id_pattern=re.compile(r"[A-Za-z0-9_-]{11}"),
            # The privacy-enhanced player: no cookies until the reader plays the video.
            player_url="https://www.youtube-nocookie.com/embed/{id}",
        ),
        EmbedProvider(
            key="vimeo",
            name="Vimeo",
            id_pattern=re.compile(r"[1-9][0-9]{0,11}"),
            # dnt=1: Vimeo's player then sets no tracking cookies and records no session.
            player_url="https://player.vimeo.com/video/{id}?dnt=1",
        ),
    )
}
# What the sanitiser lets through before the provider is known; each provider's own
# pattern is checked again where the placeholder becomes a player.
_EMBED_ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,20}")
_YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "youtube-nocookie.com",
     "www.youtube-nocookie.com"}
)  # fmt: skip
# Matched against the path without its one optional trailing slash, so that the unbounded
# part comes last and `re` cannot backtrack over it (broadsheet.lib.linear).
_YOUTUBE_PATH = re.compile(r"/(?:embed|shorts|live|v)/([^/]+)")
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com"})
_VIMEO_PATH = re.compile(r"/([0-9]+)")
_VIMEO_PLAYER_PATH = re.compile(r"/video/([0-9]+)")
# The nonce of the render in progress: placeholders carry it in their data attributes and
# the sanitiser keeps those only when it matches, so they cannot come from anywhere else.
_embed_nonce: ContextVar[str | None] = ContextVar("embed_nonce", default=None)


def embed_for_url(url: str) -> tuple[EmbedProvider, str] | None:
    """The provider and video id an address points to, or None when it is not the page
    (or player) of a single video on a known provider."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    path = parts.path.removesuffix("/")
    if parts.scheme.lower() not in {"http", "https"} or port is not None or parts.username:
        return None
    provider: EmbedProvider | None = None
    video_id: str | None = None
    if host == "youtu.be":
        provider, video_id = EMBED_PROVIDERS["youtube"], parts.path.strip("/")
    elif host in _YOUTUBE_HOSTS:
        provider = EMBED_PROVIDERS["youtube"]
        if parts.path in {"/watch", "/watch/"}:
            video_id = (parse_qs(parts.query).get("v") or [""])[0]
        elif match := _YOUTUBE_PATH.fullmatch(path):
            video_id = match[1]
    elif host in _VIMEO_HOSTS and (match := _VIMEO_PATH.fullmatch(path)):
        provider, video_id = EMBED_PROVIDERS["vimeo"], match[1]
    elif host == "player.vimeo.com" and (match := _VIMEO_PLAYER_PATH.fullmatch(path)):
        provider, video_id = EMBED_PROVIDERS["vimeo"], match[1]
    if provider is None or video_id is None or not provider.valid_id(video_id):
        return None
    return provider, video_id


_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
# What a browser ignores when it reads a URL: leading and trailing controls and spaces, and
# tabs and newlines anywhere ("java\tscript:" is "javascript:").
_URL_EDGE_JUNK = "".join(chr(c) for c in range(0x21))
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
# Without the ":" that must follow it, so the unbounded run comes last and cannot backtrack;
# the run stops at the first character outside it, which `_url_scheme` checks is ":".
_URL_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*")


def _url_scheme(url: str) -> str | None:
    """The scheme a browser would see in `url`, lower-cased; None for a relative URL."""
    cleaned = _URL_TAB_OR_NEWLINE.sub("", url.strip(_URL_EDGE_JUNK))
    match = _URL_SCHEME.match(cleaned)
    if match is None or cleaned[match.end() : match.end() + 1] != ":":
        return None
    return match.group().lower()


def _url_allowed(tag: str, attribute: str, url: str) -> bool:
    schemes = IMAGE_URL_SCHEMES if (tag, attribute) == ("img", "src") else URL_SCHEMES
    scheme = _url_scheme(url)
    return scheme is None or scheme in schemes


def _filter_article_attribute(tag: str, attribute: str, value: str) -> str | None:
    # nh3 has already checked URL schemes; this repeats the check with our own parser so a
    # disagreement between the two can only remove a URL, and adds the rules nh3 cannot
    # express (narrower image schemes, id prefixes, exact text-align values).
    if attribute.startswith("data-embed-"):
        return _filter_embed_attribute(attribute, value)
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


def _filter_embed_attribute(attribute: str, value: str) -> str | None:
    """The value without its nonce, when a placeholder of this render wrote it; anything
    else (an editor's raw HTML, an imported body, a wrong shape) loses the attribute."""
    nonce = _embed_nonce.get()
    if nonce is None or not value.startswith(nonce + ":"):
        return None
    value = value[len(nonce) + 1 :]
    if attribute == "data-embed-provider":
        return value if value in EMBED_PROVIDERS else None
    if attribute == "data-embed-id":
        return value if _EMBED_ID_SHAPE.fullmatch(value) else None
    return None


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
        .use(cap_nesting)
        .use(skip_unclosed_links)
    )


@cache
def _comment_parser() -> MarkdownIt:
    # No headings, images, tables or raw HTML: readers get emphasis, links, quotations,
    # lists and inline code. Raw HTML is shown as the text the reader typed.
    return (
        MarkdownIt("zero", {"html": False, "linkify": False})
        .enable(
            ["paragraph", "newline", "emphasis", "link", "autolink", "blockquote", "list",
             "backticks", "escape", "entity", "fence", "code"]
        )
        .use(cap_nesting)
        .use(skip_unclosed_links)
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
    """Markdown (with raw HTML, tables, footnotes) to sanitised HTML for articles and pages.

    A top-level paragraph that is only a known video address becomes an embed placeholder.
    """
    parser = _article_parser()
    env: dict[str, object] = {}
    nonce = secrets.token_hex(16)
    tokens = _with_embed_placeholders(parser.parse(source, env), nonce)
    html = parser.renderer.render(tokens, parser.options, env)
    reset = _embed_nonce.set(nonce)
    try:
        return sanitise_article_html(html)
    finally:
        _embed_nonce.reset(reset)


def _with_embed_placeholders(tokens: list[Token], nonce: str) -> list[Token]:
    result: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "paragraph_open" and token.level == 0 and not token.hidden:
            url = _lone_url(tokens[index + 1])
            embed = embed_for_url(url) if url else None
            if url and embed:
                placeholder = Token("html_block", "", 0)
                placeholder.content = _embed_placeholder(url, *embed, nonce=nonce)
                result.append(placeholder)
                index += 3  # paragraph_open, inline, paragraph_close
                continue
        result.append(token)
        index += 1
    return result


def _lone_url(inline: Token) -> str | None:
    """The address when a paragraph holds nothing else, written bare or as `<address>`."""
    children = inline.children or []
    if [child.type for child in children] == ["text"]:
        text = children[0].content.strip()
    elif [child.type for child in children] == ["link_open", "text", "link_close"]:
        if children[0].markup != "autolink":
            return None  # [words](address) is a link the editor chose to write
        text = children[1].content.strip()
    else:
        return None
    return text if text and not any(char.isspace() for char in text) else None


def _embed_placeholder(url: str, provider: EmbedProvider, video_id: str, *, nonce: str) -> str:
    return (
        f'<figure data-embed-provider="{nonce}:{provider.key}" '
        f'data-embed-id="{nonce}:{escape(video_id)}">'
        f"<p>This video is hosted by {escape(provider.name)}. "
        f'<a href="{escape(url)}">Watch it on {escape(provider.name)}</a></p></figure>\n'
    )


def render_comment_markdown(source: str) -> str:
    """A reader's comment to sanitised HTML; links are marked as user-generated."""
    return _comment_cleaner().clean(_comment_parser().render(source))


def sanitise_comment_html(raw_html: str) -> str:
    """Clean HTML to the comment allow-list (imported comments, stored as HTML)."""
    return _comment_cleaner().clean(raw_html)


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
# An embed placeholder's words describe the player, not the article.
_UNREADABLE_ATTRIBUTE = "data-embed-provider"


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
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        unreadable = tag in _UNREADABLE_TAGS or _UNREADABLE_ATTRIBUTE in attributes
        if unreadable or classes & _UNREADABLE_CLASSES:
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
