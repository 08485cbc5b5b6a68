"""Regular expressions that run in linear time on any input, and the rule for plain `re`.

Readers, commenters and imported files choose the text our patterns run on, so a pattern
that backtracks can be made to take seconds or hours on one post. Two kinds of pattern
are allowed in Broadsheet (docs/safe-patterns.md explains them; tests/lib/test_linear.py
checks every pattern in the code against this rule):

- `compile()` here: RE2 (google-re2), an automaton that never backtracks, so any pattern
  it accepts runs in time linear in the text. It refuses lookarounds and backreferences
  instead of running them slowly. Its Python binding costs a few microseconds per match,
  so it suits patterns that match rarely (a link, a phone number), not word tokenisers.
- Python's `re`, only for patterns of a shape that cannot backtrack far: everything but
  the last element matches at most `MAX_BOUNDED_WIDTH` characters, and the last element,
  if unbounded, is one character class repeated (`\\w+`, `[^a-z]+`) or a choice of such
  patterns. A failed attempt then costs a bounded number of steps at each position, and
  a successful one consumes what it matched. `is_backtrack_safe()` decides it.

RE2's `\\w`, `\\d`, `\\s` and `\\b` are ASCII-only; `WORD_CHAR` is the Unicode word
character class (letters, marks, digits and underscore) for RE2 patterns.
"""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
from typing import Any

import re2

WORD_CHAR = r"[\pL\pM\pN_]"
NOT_WORD_CHAR = r"[^\pL\pM\pN_]"
# The longest stretch a plain `re` pattern may match before its final repeat: the cost of
# one failed attempt at one position.
MAX_BOUNDED_WIDTH = 64

LinearPattern = Any  # re2's compiled pattern: the `re.Pattern` methods, no type stubs


def compile(pattern: str, *, ignore_case: bool = False, dot_all: bool = False) -> LinearPattern:  # noqa: A001
    """Compile `pattern` with RE2 (Python's syntax, less lookarounds and backreferences).

    Raises re2.error for a pattern RE2 cannot run in linear time."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.dot_nl = dot_all
    # Errors are raised, not also printed to stderr by RE2's own logger.
    options.log_errors = False
    return re2.compile(pattern, options)


def escape(text: str) -> str:
    """`text` as an RE2 pattern that matches it literally."""
    return str(re2.escape(text))


_SINGLE_CHARACTER = {
    sre_constants.LITERAL,
    sre_constants.NOT_LITERAL,
    sre_constants.IN,
    sre_constants.ANY,
    sre_constants.CATEGORY,
}
_REPEATS = {
    sre_constants.MAX_REPEAT,
    sre_constants.MIN_REPEAT,
    sre_constants.POSSESSIVE_REPEAT,
}


def is_backtrack_safe(pattern: str | re.Pattern[str], flags: int = 0) -> bool:
    """Whether plain `re` runs `pattern` in linear time, by the shape described above."""
    if isinstance(pattern, re.Pattern):
        return _safe_sequence(list(sre_parse.parse(pattern.pattern, pattern.flags)))
    return _safe_sequence(list(sre_parse.parse(pattern, flags)))


def _width(items: list[Any]) -> int:
    return int(sre_parse.SubPattern(sre_parse.State(), items).getwidth()[1])


def _safe_sequence(items: list[Any]) -> bool:
    if not items:
        return True
    *head, last = items
    if not all(map(_bounded, head)) or _width(head) > MAX_BOUNDED_WIDTH:
        return False
    if _bounded(last) and _width([last]) <= MAX_BOUNDED_WIDTH:
        return True
    return _safe_final(last)


def _bounded(item: Any) -> bool:
    """An element that matches a bounded stretch in a bounded number of ways: characters,
    anchors, choices and optional parts of such elements, one character repeated, and
    lookarounds of bounded width. Never a repeated group, which could try every way of
    splitting the text between its repetitions, and never a backreference."""
    op, value = item
    if op in _SINGLE_CHARACTER or op is sre_constants.AT:
        return True
    if op in _REPEATS:
        _minimum, maximum, body = value
        body = list(body)
        if len(body) == 1 and body[0][0] in _SINGLE_CHARACTER:
            return True
        return maximum <= 1 and all(map(_bounded, body))
    if op is sre_constants.SUBPATTERN or op is sre_constants.ATOMIC_GROUP:
        return all(map(_bounded, list(value[-1] if op is sre_constants.SUBPATTERN else value)))
    if op is sre_constants.BRANCH:
        return all(all(map(_bounded, list(branch))) for branch in value[1])
    if op in {sre_constants.ASSERT, sre_constants.ASSERT_NOT}:
        body = list(value[1])
        return all(map(_bounded, body)) and _width(body) <= MAX_BOUNDED_WIDTH
    return False


def _safe_final(item: Any) -> bool:
    """An unbounded last element: one character class repeated, or alternatives (each a
    safe sequence) with nothing after them."""
    op, value = item
    if op in _REPEATS:
        body = list(value[2])
        return len(body) == 1 and body[0][0] in _SINGLE_CHARACTER
    if op is sre_constants.SUBPATTERN:
        return _safe_sequence(list(value[-1]))
    if op is sre_constants.BRANCH:
        return all(_safe_sequence(list(branch)) for branch in value[1])
    return False
