"""Quotations and lists nested past markdown-it's limit keep every word (nesting is capped,
not lost): the rest of the deepest container renders as plain paragraphs.

markdown-it-py opens containers up to `maxNesting` (20) token levels. A quotation takes one
level and a list item two (the list and the item), so the text at the bottom used to
vanish from 20 quotation levels, 10 list levels, or 7 of `> - `. Markdown within the
limit must render exactly as it did.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from broadsheet.lib.markdown_nesting import cap_nesting
from broadsheet.lib.rendering import html_to_text, render_article_markdown, render_comment_markdown

RENDERERS = {"comment": render_comment_markdown, "article": render_article_markdown}
DEPTHS = [25, 40, 200, 5_000]
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
LINK_ADDRESS = re.compile(r"\]\([^)]{0,100}\)")


def chain(marker: str, depth: int) -> str:
    """Every level opened on one line, then a paragraph of two lines at the bottom, a
    lazy continuation line and a second paragraph inside the deepest level."""
    prefix = marker * depth
    return (
        f"{prefix}Bottom line with *emphasis* and a [link](https://example.org/deep)\n"
        "lazycontinuation of it\n"
        f"{prefix.rstrip()}\n"
        f"{prefix}Secondparagraph here"
    )


def staircase(marker: str, indent: int, depth: int) -> str:
    """One line per level, each with its own word: `level1`, `level2` and so on."""
    if marker == "> ":
        return "\n".join(f"{marker * level}level{level}" for level in range(1, depth + 1))
    return "\n".join(f"{' ' * indent * level}{marker}level{level + 1}" for level in range(depth))


def words(source: str) -> list[str]:
    """The words a reader wrote, without link addresses (shown as links, not as text)."""
    return WORD.findall(LINK_ADDRESS.sub("]", source))


class _WellFormed(HTMLParser):
    VOID = frozenset({"br", "hr", "img"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"</{tag}> closes nothing open")


def assert_every_word_kept(source: str, html: str) -> None:
    shown = set(html_to_text(html).split())
    missing = [word for word in words(source) if word not in shown]
    assert not missing, f"{len(missing)} words lost, from {missing[:5]}"
    checker = _WellFormed()
    checker.feed(html)
    checker.close()
    assert not checker.problems and not checker.open, (checker.problems, checker.open)


@pytest.mark.parametrize("renderer", RENDERERS.values(), ids=RENDERERS.keys())
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize(
    "marker",
    ["> ", ">", "- ", "* ", "+ ", "1. ", "1) ", "> - ", "> 1. ", "- > ", "- 1. > "],
)
def test_every_word_of_a_deep_chain_is_shown(
    renderer: Callable[[str], str], depth: int, marker: str
) -> None:
    source = chain(marker, depth)
    html = renderer(source)
    assert_every_word_kept(source, html)
    assert "<em>emphasis</em>" in html
    assert '<a href="https://example.org/deep"' in html


@pytest.mark.parametrize("renderer", RENDERERS.values(), ids=RENDERERS.keys())
@pytest.mark.parametrize("depth", [25, 40, 200])
@pytest.mark.parametrize(("marker", "indent"), [("> ", 0), ("- ", 2), ("1. ", 3), ("1) ", 3)])
def test_every_level_of_a_deep_staircase_keeps_its_words(
    renderer: Callable[[str], str], depth: int, marker: str, indent: int
) -> None:
    source = staircase(marker, indent, depth)
    html = renderer(source)
    assert_every_word_kept(source, html)
    # Each flattened item is a paragraph of its own, not run into the one before it.
    assert f"<p>level{depth}</p>" in html


@pytest.mark.parametrize("renderer", RENDERERS.values(), ids=RENDERERS.keys())
def test_the_deepest_level_shown_is_the_parsers_limit(renderer: Callable[[str], str]) -> None:
    html = renderer("> " * 25 + "Bottom *line*")
    assert html.count("<blockquote>") == 20
    assert "<p>Bottom <em>line</em></p>" in html


@pytest.mark.parametrize("renderer", RENDERERS.values(), ids=RENDERERS.keys())
def test_text_after_a_deep_list_is_back_at_its_own_level(renderer: Callable[[str], str]) -> None:
    source = staircase("- ", 2, 14) + "\n- Outersibling\n\nClosing paragraph"
    html = renderer(source)
    assert_every_word_kept(source, html)
    assert html.endswith("<li>Outersibling</li>\n</ul>\n<p>Closing paragraph</p>\n")


@pytest.mark.parametrize("renderer", RENDERERS.values(), ids=RENDERERS.keys())
def test_mixed_quotes_and_lists_with_lazy_lines_keep_every_word(
    renderer: Callable[[str], str],
) -> None:
    source = "\n".join(
        [
            "> - > 1. > - > * > + > 1) " * 4 + "Deepest words",
            "lazy words without markers",
            "> - > 1. > - > * " * 5 + "Deeper again",
            "",
            "Outside everything",
        ]
    )
    assert_every_word_kept(source, renderer(source))


@pytest.mark.parametrize("renderer", RENDERERS.values(), ids=RENDERERS.keys())
def test_numbers_and_dashes_that_are_not_markers_stay_in_the_text(
    renderer: Callable[[str], str],
) -> None:
    text = renderer("> " * 30 + "3.5 million -5 degrees **bold** 2024.")
    assert html_to_text(text) == "3.5 million -5 degrees bold 2024."


def test_the_deep_levels_cost_time_linear_in_the_text() -> None:
    """A guard against a freeze, not a speed test: 100,000 characters of markers."""
    for marker in ("> ", "- ", "1. ", "> - "):
        source = (marker * 50_000)[:100_000] + " bottom"
        started = time.perf_counter()
        for renderer in RENDERERS.values():
            assert "bottom" in html_to_text(renderer(source))
        assert time.perf_counter() - started < 10


# Within the limit, nothing changes ---------------------------------------------------------

WITHIN_THE_LIMIT = [
    "> " * 19 + "nineteen quotation levels",
    staircase("- ", 2, 9),
    staircase("1. ", 3, 9) + "\n\n  after a blank line",
    "> - " * 6 + "six pairs\n> lazy",
    "> " * 17 + "- a list at level 17",
    "- " * 9 + "> quoted in the ninth item",
    "> a\n> > b\n> > > c\n\n- x\n  - y\n\n  text\n- z",
]


@pytest.mark.parametrize("preset", ["commonmark", "zero"])
@pytest.mark.parametrize("source", WITHIN_THE_LIMIT)
def test_markdown_within_the_limit_parses_exactly_as_before(preset: str, source: str) -> None:
    plain = MarkdownIt(preset).enable(["blockquote", "list", "paragraph"])
    capped = MarkdownIt(preset).enable(["blockquote", "list", "paragraph"]).use(cap_nesting)
    assert capped.render(source) == plain.render(source)
    assert [t.as_dict() for t in capped.parse(source)] == [t.as_dict() for t in plain.parse(source)]
