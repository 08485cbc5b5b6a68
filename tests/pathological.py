"""Comment bodies that made a worker freeze, or could: each is COMMENT_BODY_MAX_LENGTH
(10,000) characters of one repeated shape, ending in a word the page must still show.

The guard test (tests/moderation/test_pathological_posts.py) sends each through the whole
posting path; bench/pathological records how long each step takes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

# How long any one step may take on pathological input: a generous guard against a freeze
# on a busy machine, not a speed test (linear code takes milliseconds here; the patterns
# it replaced took seconds to minutes). The bench records the real figures.
GUARD_SECONDS = 10.0
T = TypeVar("T")


def within_guard(call: Callable[[], T], what: str = "the call") -> T:
    """`call()`'s result, failing the test if it took GUARD_SECONDS or more."""
    started = time.monotonic()
    result = call()
    elapsed = time.monotonic() - started
    assert elapsed < GUARD_SECONDS, f"{what} took {elapsed:.1f} s"
    return result


LENGTH = 10_000
LAST_WORD = "lastword"


def repeated(unit: str, length: int = LENGTH) -> str:
    """`unit` repeated, then " lastword", `length` characters in all."""
    tail = " " + LAST_WORD
    return (unit * length)[: length - len(tail)] + tail


BODIES: dict[str, str] = {
    "markdown-link-openings": repeated("[x]("),
    "link-closings": repeated("]("),
    "brackets": repeated("["),
    "html-anchor-openings": repeated("<a "),
    "bbcode-openings": repeated("[url="),
    "nested-quotes": repeated("> "),
    "nested-lists": repeated("- "),
    "indented-lists": "".join("  " * depth + "- item\n" for depth in range(100))[: LENGTH - 20]
    + "\n\n"
    + LAST_WORD,
    "emphasis-markers": repeated("*_"),
    "digit-groups": repeated("12 34 56 "),
    "long-dotted-host": repeated("a."),
    "dotted-host-links": repeated("http://a.a"),
    # Text first: a line that starts with three backticks opens a code fence, and the
    # words after them are its language name, which is not shown.
    "backticks": repeated("x`"),
    "backtick-runs": repeated("".join("`" * n + " " for n in range(1, 140))),
    "entities": repeated("&#x"),
}
# An ordinary comment of the same length, as the reference the bench compares with.
ORDINARY = repeated(
    "The bus from the estate now stops at the clinic, which saves my neighbour a long walk "
    "twice a week. I would like to know who decided to cut the evening service, though. "
)
