"""Where the current code runs in Django's transactions, for what announces a change to
other processes when it commits (the page cache's tokens, `versioned.Versioned`)."""

from __future__ import annotations

from typing import Any


def commits_when_block_ends(connection: Any) -> bool:
    """Whether an atomic block is being run and is the outermost of a transaction that
    commits when it ends: not nested, and not the test suite's."""
    return len(connection.atomic_blocks) == 1 and not in_test_transaction(connection)


def in_test_transaction(connection: Any) -> bool:
    """Inside the test suite's own transaction around a test, which is never committed
    (Django's TestCase marks its blocks `_from_testcase`)."""
    blocks = connection.atomic_blocks
    return bool(blocks) and bool(getattr(blocks[0], "_from_testcase", False))
