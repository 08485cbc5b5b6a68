"""Markdown rendering and sanitising: hostile bodies lose every executable part, ordinary
Markdown keeps its structure, and the plain-text extract reads like the article.

`HOSTILE_BODIES` and `executable_markup` (in helpers.py) are shared with the end-to-end
tests in tests/publishing/test_body_sanitising.py.
"""

from __future__ import annotations

import pytest

from broadsheet.lib.rendering import (
    html_to_text,
    render_article_markdown,
    render_comment_markdown,
    sanitise_article_html,
)
from tests.lib.helpers import HOSTILE_BODIES, OPENING, Hostile, body_around, executable_markup


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
