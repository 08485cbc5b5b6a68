"""Text an importer reads is whatever a writer, a commenter or another site put there, so
each text path runs in time linear in its length (broadsheet.lib.linear) and keeps the
content, on inputs made to trip up backtracking patterns: many unclosed <pre> and <script>
tags, block tags without their `>`, runs of <br>, of line breaks and of spaces, and the
placeholder characters wpautop uses itself.

The old patterns took from one second to minutes on some of these. Each call is held to
10 s, a guard against a freeze, not a speed test: a shared CI machine may be slow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import BytesIO

import pytest

from broadsheet.importers.bulk import policy_markdown
from broadsheet.importers.drupal import DrupalError, open_drupal
from broadsheet.importers.records import ArticleRecord, CommentRecord
from broadsheet.importers.services import ImportReport
from broadsheet.importers.wpautop import text_to_html, wpautop
from broadsheet.importers.wxr import read_wxr, short_name
from tests.importers.helpers import comment, post, wxr
from tests.pathological import within_guard

# wpautop: (input, what the output must be or hold) -------------------------------------

SPACES = " " * 50_000


def _all(piece: str, count: int) -> Callable[[str], bool]:
    return lambda html: html.count(piece) == count


def _words(html: str) -> str:
    """`html` without white space and the tags wpautop adds."""
    return "".join(html.replace("<br />", "").replace("<p>", "").replace("</p>", "").split())


def _same_words(text: str) -> Callable[[str], bool]:
    return lambda html: _words(html) == _words(text)


PATHOLOGICAL_HTML: list[tuple[str, str, Callable[[str], bool]]] = [
    # Unclosed elements are kept as text, each one.
    ("unclosed pre", "<pre>" * 10_000, _all("<pre>", 10_000)),
    ("unclosed script", "<script>a" * 5_000, _all("<script>a", 5_000)),
    ("unclosed textarea", "<textarea>" * 5_000, _all("<textarea>", 5_000)),
    (
        "unclosed pre, closings of another element",
        "<pre>" * 5_000 + "</script>" * 2_500,
        lambda html: html.count("<pre>") == 5_000 and html.count("</script>") == 2_500,
    ),
    (
        "unclosed pre, then one closing",
        "<pre>" * 5_000 + "\n\n kept \n\n</pre>",
        lambda html: html == "<pre>" * 5_000 + "\n\n kept \n\n</pre>",
    ),
    ("closing tags never closed", "</pre " * 8_000, _same_words("</pre " * 8_000)),
    # Block tags without their `>`.
    ("div without >", "<div" * 12_500, _all("<div", 12_500)),
    ("block name run on", "<divx" * 10_000, _all("<divx", 10_000)),
    ("div with attributes, no >", "<div class=x " * 4_000, _all("<div class=x", 4_000)),
    ("closing div without >", "</div" * 10_000, _all("</div", 10_000)),
    # Runs of <br>, of line breaks and of spaces.
    ("br run", "<br> " * 12_500 + "end", lambda html: html == "<p>end</p>"),
    ("br then spaces", "<br>" + SPACES + "x", lambda html: html == f"<p><br>{SPACES}x</p>"),
    ("br without >", "<br " * 12_500, _all("<br", 12_500)),
    ("spaces inside a paragraph", "a" + SPACES + "b", lambda html: html == f"<p>a{SPACES}b</p>"),
    ("line breaks", "a" + "\n" * 50_000 + "b", lambda html: html == "<p>a</p>\n<p>b</p>"),
    (
        "spaces before each line break",
        ("line" + " " * 100 + "\n") * 450,
        lambda html: html == "<p>" + "<br />\n".join(["line"] * 450) + "</p>",
    ),
    (
        "br after a block, long spaces",
        "<div>" + (" " * 100 + "<br />") * 401 + "x",
        lambda html: html == "<div>\n<p>x</p>",
    ),
    ("br before a block", "<br /><p" * 10_000, _same_words("<p" * 10_000)),
    # The placeholder wpautop keeps <pre> in, typed.
    (
        "typed placeholders",
        "<pre>x</pre>\n\n" + "\ue0100\ue011 " * 5_000,
        lambda html: html == "<pre>x</pre>\n<p>" + ("\ue0100\ue011 " * 5_000).strip() + "</p>",
    ),
    ("typed placeholder starts", "\ue010" * 50_000, _all("\ue010", 50_000)),
]


@pytest.mark.parametrize(
    ("text", "check"),
    [pytest.param(text, check, id=name) for name, text, check in PATHOLOGICAL_HTML],
)
def test_wpautop_on_pathological_html(text: str, check: Callable[[str], bool]) -> None:
    html = within_guard(lambda: wpautop(text))
    assert check(html), html[:300]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<pre>" * 10_000, id="unclosed pre"),
        pytest.param("a" + SPACES + "b", id="spaces"),
        pytest.param(("word" + " " * 100 + "\n \n") * 400, id="blank lines of spaces"),
        pytest.param("<br>" * 12_500, id="br run"),
        pytest.param("\ue0100\ue011" * 10_000, id="typed placeholders"),
    ],
)
def test_text_to_html_on_pathological_text(text: str) -> None:
    html = within_guard(lambda: text_to_html(text))
    # Every word is there, escaped, in order; only white space changed.
    assert _words(html) == _words(text.replace("<", "&lt;").replace(">", "&gt;"))


def test_typed_placeholder_characters_stay_as_typed() -> None:
    typed = "See \ue0100\ue011 and \ue0101\ue011."
    # Before: IndexError, as there was no kept element 0 or 1 to put back.
    assert wpautop(typed) == f"<p>{typed}</p>"
    assert wpautop("\ue0100\ue011") == "<p>\ue0100\ue011</p>"
    # Before: the <pre> a second time, in place of the typed \ue0100\ue011.
    kept = "<pre>kept\n\n  as is</pre>"
    assert wpautop(f"{kept}\n\n{typed}") == f"{kept}\n<p>{typed}</p>"
    assert wpautop(f"<pre>\ue0100\ue011</pre>\n\n{typed}") == (
        f"<pre>\ue0100\ue011</pre>\n<p>{typed}</p>"
    )
    assert wpautop("\ue010\ue011\ue0100 <pre>x</pre>") == "<p>\ue010\ue011\ue0100 <pre>x</pre></p>"
    assert text_to_html(typed) == f"<p>{typed}</p>"


def test_a_block_tag_without_its_end_stays_in_the_text() -> None:
    # Before: ValueError, looking for the `>` ending the tag that opened the paragraph.
    assert wpautop("<div class=x") == "<p><div class=x</p>"
    assert wpautop("Before\n\n<div class=x") == "<p>Before</p>\n<p><div class=x</p>"
    assert wpautop("<div>text") == "<div>\n<p>text</p>"


def test_kept_elements_end_at_the_first_closing_tag_of_their_own_name() -> None:
    assert wpautop("<pre>a\n\nb</script>\n\nc</PRE >\n\nd") == (
        "<pre>a\n\nb</script>\n\nc</PRE >\n<p>d</p>"
    )
    assert wpautop("<pre>a</pre\n>\n\n<pre>b</pre>") == "<pre>a</pre\n>\n<pre>b</pre>"
    assert wpautop("<preview>\n\nx") == "<p><preview></p>\n<p>x</p>"  # not a <pre>


# The importers' text paths ---------------------------------------------------------------

BODIES = {
    "unclosed pre": "<pre>" * 10_000,
    "div without >": "<div" * 12_500,
    "spaces": "a" + SPACES + "b",
    "br then spaces": "<br>" + SPACES + "x",
    "typed placeholders": "<pre>x</pre>\n\n" + "\ue0100\ue011 " * 5_000,
}


@pytest.mark.parametrize("name", BODIES)
def test_a_wordpress_export_with_pathological_bodies(name: str) -> None:
    body = BODIES[name]
    export = wxr([post(1, "Odd post", body, comments=(comment(10, body),))])
    records = within_guard(
        lambda: list(
            read_wxr(BytesIO(export.encode()), report=ImportReport(), site_timezone=dt.UTC)
        )
    )
    article = next(r for r in records if isinstance(r, ArticleRecord))
    reply = next(r for r in records if isinstance(r, CommentRecord))
    assert article.body == reply.body == wpautop(body)
    assert _words(article.body) == _words(body)


def test_wordpress_namespaces_of_any_minor_version() -> None:
    assert short_name("{http://wordpress.org/export/1.2/}post_id") == "wp:post_id"
    assert short_name("{http://wordpress.org/export/1.10/excerpt/}encoded") == "excerpt:encoded"
    assert short_name("{http://wordpress.org/export/1./}post_id") == "post_id"
    assert short_name("{http://wordpress.org/export/1.2/other/}x") == "x"
    long = "{http://wordpress.org/export/1." + "1" * 50_000 + "x/}post_id"
    assert within_guard(lambda: short_name(long)) == "post_id"


@pytest.mark.django_db
def test_policy_pages_collapse_long_runs_of_blank_lines() -> None:
    body = "<pre>x" + ("\n" + " " * 100) * 450 + "y</pre>"
    # The blank lines go (they would end the page's HTML block), the last indent stays.
    markdown = within_guard(lambda: policy_markdown(body, "html"))
    assert markdown == "<pre>x\n" + " " * 100 + "y</pre>"
    text = ("clause" + " " * 100 + "\n \n") * 400
    markdown = within_guard(lambda: policy_markdown(text, "text"))
    assert markdown == "\n".join(["<p>clause</p>"] * 400)


@pytest.mark.parametrize(
    "prefix", ["a" * 50_000 + "-", "drupal_\n", "x; DROP TABLE node", "ab" * 25_000 + "\n"]
)
def test_a_drupal_table_prefix_of_anything_but_letters_digits_and_underscores_is_refused(
    prefix: str,
) -> None:
    # Refused before any connection is tried (a trailing line break was let through before).
    with pytest.raises(DrupalError, match="may only have letters, digits and _"):
        within_guard(lambda: open_drupal("sqlite:////nowhere/drupal.sqlite", table_prefix=prefix))


def test_a_drupal_database_url_is_shown_without_its_password() -> None:
    long_user = "u" * 20_000
    url = f"sqlite:////nowhere/at/all//{long_user}:secret@drupal.sqlite"
    with pytest.raises(DrupalError) as refused:
        within_guard(lambda: open_drupal(url))
    assert f"//{long_user}:***@drupal.sqlite" in str(refused.value)
    assert "secret" not in str(refused.value)
