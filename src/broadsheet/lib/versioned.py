"""Values every comment post reads and almost nothing changes (the staff's names, the
webhook endpoints), kept in each process and read from the database again only when
their version in the shared cache has moved.

`Versioned.changed()` gives the value a new random version at the moments the page cache
replaces a page's token (`pagecache.changed()`): at once outside a transaction, else
when it commits, and at once as well inside a nested one (the test suite's). Any worker
then loads the value again on its next read. Reading the version is one cache read (a
small file on one machine, one Redis GET with several) instead of a query.

A request that reads several of these (a comment post reads all six) does so inside
`read_together()`: the first read fetches every value's version in one cache call (one
Redis MGET instead of a round trip each), and the others use what it fetched.

Whatever the cache does, a value is never older than MAX_AGE_SECONDS: if the cache could
not be reached when a change was announced, or lost the version, or the change bypassed
the signals that announce it (a QuerySet.update() in a shell), the worst is a change seen
that much later. When the cache cannot be read at all, the value is loaded
from the database each time, as if it were not kept.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from .transactions import commits_when_block_ends, in_test_transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

KEY_PREFIX = "versioned:"
MAX_AGE_SECONDS = 60.0

# The key of every value made, for read_together() to fetch all their versions at once.
_every_key: dict[str, None] = {}


class _Fetched:
    """The versions a read_together() block fetched, by key; None until its first read."""

    versions: dict[str, Any] | None = None


_read_together: contextvars.ContextVar[_Fetched | None] = contextvars.ContextVar(
    "broadsheet_versions_read_together", default=None
)


@contextlib.contextmanager
def read_together() -> Iterator[None]:
    """Within the block, the first read of any value fetches the versions of all of them
    in one cache call; the rest use it. A block inside another uses the outer one's.

    What it saves is round trips, so the values read are no staler than the block is
    long: a change another process announces during the block is seen by the next one,
    as a change announced just after a lone read would be. A change this block makes
    itself (`changed()`) is read afresh."""
    if _read_together.get() is not None:
        yield
        return
    token = _read_together.set(_Fetched())
    try:
        yield
    finally:
        _read_together.reset(token)


class Versioned(Generic[T]):
    """`load()`'s answer, kept per process until `changed()` is called in any process."""

    def __init__(self, name: str, load: Callable[[], T]) -> None:
        self.key = KEY_PREFIX + name
        self._load = load
        # (version, when loaded, value): replaced whole, so threads never see a mix.
        self._kept: tuple[str, float, T] | None = None
        _every_key[self.key] = None

    def get(self) -> T:
        try:
            version = self._version()
        except Exception:
            logger.warning("Could not read the version of %s; reading it afresh", self.key)
            return self._load()
        kept = self._kept
        now = time.monotonic()
        if kept is not None and kept[0] == version and now - kept[1] < MAX_AGE_SECONDS:
            return kept[2]
        # The version is read before the rows: a change committed in between leaves the
        # new rows under the old version, which the change's own new version replaces.
        value = self._load()
        connection = transaction.get_connection()
        if not connection.in_atomic_block or in_test_transaction(connection):
            # Rows read inside a transaction may be its own changes, which it may yet roll
            # back: those are not kept for everyone else.
            self._kept = (version, now, value)
        return value

    def changed(self) -> None:
        """Make every process load the value again (after the current transaction)."""
        connection = transaction.get_connection()
        if not commits_when_block_ends(connection):
            self._replace_version()
        if connection.in_atomic_block:
            transaction.on_commit(self._replace_version)

    def follow(self, *models: type[Model]) -> None:
        """Call changed() whenever a row of one of `models` is saved or deleted (for what
        load() reads of them; other ways to change them are the caller's to announce)."""
        for model in models:
            label = f"{self.key}:{model._meta.label}"
            post_save.connect(self._row_changed, sender=model, dispatch_uid=f"{label}:save")
            post_delete.connect(self._row_changed, sender=model, dispatch_uid=f"{label}:delete")

    def _row_changed(self, **signal: Any) -> None:
        self.changed()

    def _version(self) -> str:
        fetched = None
        if (together := _read_together.get()) is not None:
            if together.versions is None:
                together.versions = cache.get_many(list(_every_key))
            fetched = together.versions
        version = cache.get(self.key) if fetched is None else fetched.get(self.key)
        if version is None:
            # add(): if another process made a version first, use that one.
            cache.add(self.key, secrets.token_hex(8), timeout=None)
            version = cache.get(self.key, "")
            if fetched is not None:
                fetched[self.key] = version
        return str(version)

    def _replace_version(self) -> None:
        self._kept = None
        if (together := _read_together.get()) is not None and together.versions is not None:
            together.versions.pop(self.key, None)
        try:
            cache.set(self.key, secrets.token_hex(8), timeout=None)
        except Exception:
            logger.exception(
                "Could not announce a change of %s; other processes see it within %d s",
                self.key,
                MAX_AGE_SECONDS,
            )
