"""The default cache: Django's file-based cache, with two costs of its writes removed.

Every comment post writes to the cache (the page cache's change tokens, the rate limits'
counts), so a write must stay cheap however many files the cache holds:

- Django's `set()` first lists every file of the cache to see whether it is over
  MAX_ENTRIES. With 20,000 files (cached pages and their tokens, a day's rate-limit
  counts) that took 13 ms on the development machine, on every write. Here the listing
  runs at most once every CULL_INTERVAL_SECONDS per process; meanwhile the cache can grow
  past MAX_ENTRIES by what is written in that time.
- Django renames the new file over the old one. On ext4 (auto_da_alloc, the default)
  replacing an existing file makes the kernel write the new file's data out first:
  0.15 ms (p90 0.37 ms) a write, against 0.02 ms when the old file is removed before the
  new one is renamed into place. A reader in between finds no entry, which a cache is
  allowed to answer; the page cache's tokens treat a missing token as a changed one.
  Each write still gives the key's path a new inode, which replay.TokenFile relies on.

Both need FileBasedCache's private methods. Every use of them is one of the small
functions under "Django's private API" below, and nowhere else in the site.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from typing import IO, Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

CULL_INTERVAL_SECONDS = 10.0


class FileCache(FileBasedCache):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_cull = 0.0
        self._cull_lock = threading.Lock()

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        make_directory(self)  # The directory can be deleted at any time (as Django's set()).
        fname = path_of(self, key, version)
        self._cull()
        fd, tmp_path = tempfile.mkstemp(dir=directory_of(self))
        renamed = False
        try:
            with open(fd, "wb") as f:
                write_entry(self, f, timeout, value)
            try:
                os.remove(fname)
            except FileNotFoundError:
                pass
            os.rename(tmp_path, fname)
            renamed = True
        finally:
            if not renamed:
                os.remove(tmp_path)

    def _cull(self) -> None:
        now = time.monotonic()
        with self._cull_lock:
            if now < self._next_cull:
                return
            self._next_cull = now + CULL_INTERVAL_SECONDS
        cull_as_django_does(self)


# Django's private API. Written against Django 5.2 (django/core/cache/backends/
# filebased.py), which pyproject.toml pins. tests/pagecache/test_django_private_api.py
# checks that each of these still exists with the signature used here, so an upgrade that
# changes one fails there, not in production. django-stubs does not describe them, hence
# the Any.
DJANGO_PRIVATE_ATTRIBUTES = ("_dir",)
DJANGO_PRIVATE_METHODS = {  # each with its signature in Django 5.2
    "_createdir": "(self)",
    "_key_to_file": "(self, key, version=None)",
    "_write_content": "(self, file, timeout, value)",
    "_cull": "(self)",
}


def path_of(backend: FileBasedCache, key: str, version: int | None = None) -> str:
    """The file that holds `key` (`_key_to_file`): set() writes it, and the page replay
    stats it to tell whether the global token changed."""
    django: Any = backend
    return str(django._key_to_file(key, version))


def directory_of(backend: FileBasedCache) -> str:
    """The cache's directory (`_dir`), where temporary files are made before the rename."""
    django: Any = backend
    return str(django._dir)


def make_directory(backend: FileBasedCache) -> None:
    """Make the cache's directory if it is missing (`_createdir`)."""
    django: Any = backend
    django._createdir()


def write_entry(
    backend: FileBasedCache, file: IO[bytes], timeout: float | None, value: Any
) -> None:
    """Write an entry's expiry and value to `file` in Django's format (`_write_content`),
    so Django's get() reads it."""
    django: Any = backend
    django._write_content(file, timeout, value)


def cull_as_django_does(backend: FileBasedCache) -> None:
    """Django's own culling (`FileBasedCache._cull`): list the files, and past MAX_ENTRIES
    delete a share of them at random."""
    FileBasedCache._cull(backend)  # type: ignore[attr-defined]
