"""The unclosed-link shortcut (lib/markdown_links.py) changes no output, and makes a
paragraph of "[" cheap."""

from __future__ import annotations

import time

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from broadsheet.lib.markdown_links import skip_unclosed_links

CASES = [
    "[a link](https://example.org) and [",
    "[[[[ no closing bracket",
    "[one] [two][one]\n\n[one]: https://example.org/one",
    "![an image](https://example.org/a.png) ![",
    "[label\nacross lines](https://example.org)",
    "`[` in code, then [a](/b)",
    r"\[escaped\] [real](/c)",
    "[^1] and a note\n\n[^1]: The note.",
    "[x](" * 50,
    "] [",
    "[a [nested](/n) label](/outer)",
]


def parser(*, shortcut: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).use(footnote_plugin)
    return md.use(skip_unclosed_links) if shortcut else md


@pytest.mark.parametrize("source", CASES)
def test_the_same_output_as_without_the_shortcut(source: str) -> None:
    assert parser(shortcut=True).render(source) == parser(shortcut=False).render(source)


def test_ten_thousand_openings_render_as_text() -> None:
    started = time.monotonic()
    html = parser(shortcut=True).render("[" * 10_000 + " end")
    assert time.monotonic() - started < 10  # a guard against a hang, not a speed test
    assert html == "<p>" + "[" * 10_000 + " end</p>\n"
