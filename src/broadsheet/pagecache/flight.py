"""One render of a page at a time, across every process and server that shares the cache.

When a busy page goes stale, every reader waiting for it would otherwise render it at
once: on the day an article goes viral, each new comment made every worker render the
same 200-comment page again, and reads fell to a twentieth. The middleware takes this
lock before it renders a shared page; whoever cannot take it serves the previous version
(an addition, within the grace period) or waits for the one render (anything else).

- With the file cache (one machine), the lock is `flock()` on a file beside the cache:
  the kernel releases it when its holder exits, however it exits.
- With any other backend (Redis between servers), it is a key added with `add()`, which
  Redis does atomically (SET NX), with a timeout, so a renderer killed mid-render blocks
  the page for at most LOCK_SECONDS.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import secrets
import time
from collections.abc import Callable
from typing import Protocol

from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache

from .file_cache import directory_of

# A render takes tens of milliseconds; a lock held this long belongs to a dead renderer.
LOCK_SECONDS = 30
# How long a reader waits for someone else's render before rendering the page itself.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.005
# Lock files are shared by pages whose keys hash alike, so that however many pages are
# requested the number of files stays bounded; two pages meeting on one file only means
# one waits for the other's render.
LOCK_FILES = 1024
LOCK_PREFIX = "page-lock:"

logger = logging.getLogger(__name__)


class Held(Protocol):
    def release(self) -> None: ...


class RenderLocks(Protocol):
    def try_lock(self, key: str) -> Held | None: ...


def acquire(
    locks: RenderLocks, key: str, *, wait: float = 0.0, clock: Callable[[], float] = time.monotonic
) -> tuple[Held | None, bool]:
    """The render lock of `key`, waiting up to `wait` seconds for it, and whether it was
    free at once (False: someone else held it meanwhile). None when still held."""
    held = locks.try_lock(key)
    if held is not None or wait <= 0:
        return held, held is not None
    deadline = clock() + wait
    while clock() < deadline:
        time.sleep(POLL_SECONDS)
        held = locks.try_lock(key)
        if held is not None:
            return held, False
    return None, False


class _HeldFile:
    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor

    def release(self) -> None:
        fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        os.close(self.descriptor)


class FileLocks:
    """flock() on one of LOCK_FILES files in a directory beside the cache's own files
    (which Django's culling does not list)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def try_lock(self, key: str) -> Held | None:
        stripe = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest()) % LOCK_FILES
        path = os.path.join(self.directory, f"{stripe:04d}.lock")
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except FileNotFoundError:
            os.makedirs(self.directory, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        return _HeldFile(descriptor)


class _HeldKey:
    def __init__(self, alias: str, key: str, token: str) -> None:
        self.alias, self.key, self.token = alias, key, token

    def release(self) -> None:
        backend = caches[self.alias]
        # Only our own: had this render outlasted LOCK_SECONDS, another holds it now. (Read
        # then delete is not atomic; the worst case is one more render, never a stale page.)
        try:
            if backend.get(self.key) == self.token:
                backend.delete(self.key)
        except Exception:
            # The cache went away mid-render: the lock times out by itself.
            logger.warning("Could not release the render lock %s.", self.key, exc_info=True)


class CacheLocks:
    """A key added with a timeout: atomic on Redis (SET NX EX) and in local memory."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def try_lock(self, key: str) -> Held | None:
        token = secrets.token_hex(8)
        lock_key = LOCK_PREFIX + key
        if caches[self.alias].add(lock_key, token, timeout=LOCK_SECONDS):
            return _HeldKey(self.alias, lock_key, token)
        return None


def render_locks() -> RenderLocks:
    """The locks for the configured cache."""
    backend = caches["default"]
    if isinstance(backend, FileBasedCache):
        return FileLocks(os.path.join(directory_of(backend), "render-locks"))
    return CacheLocks()
