"""The default cache (broadsheet/pagecache/file_cache.py): Django's file cache whose writes
neither list every file nor rename over an existing one."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from broadsheet.pagecache import file_cache
from broadsheet.pagecache.file_cache import CULL_INTERVAL_SECONDS, FileCache


def make_cache(directory: Path, max_entries: int = 1000) -> FileCache:
    return FileCache(str(directory), {"OPTIONS": {"MAX_ENTRIES": max_entries}})


def test_a_write_replaces_the_value_under_a_new_inode(tmp_path: Path) -> None:
    cache = make_cache(tmp_path)
    cache.set("token", "first", timeout=None)
    path = file_cache.path_of(cache, "token")
    first_inode = os.stat(path).st_ino
    held_open = open(path, "rb")  # as replay.TokenFile holds the last one read
    try:
        cache.set("token", "second", timeout=None)

        assert cache.get("token") == "second"
        assert os.stat(path).st_ino != first_inode
    finally:
        held_open.close()


def test_a_failed_write_keeps_the_old_value_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    cache = make_cache(tmp_path)
    cache.set("greeting", "hello")

    with pytest.raises((pickle.PicklingError, AttributeError)):
        cache.set("greeting", lambda: "not picklable")

    assert cache.get("greeting") == "hello"
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".djcache"]


def test_the_files_are_listed_at_most_once_per_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(file_cache.time, "monotonic", lambda: clock[0])
    cache = make_cache(tmp_path, max_entries=10)
    listings = []
    listing = cache._list_cache_files

    def counted() -> Any:
        listings.append(clock[0])
        return listing()

    monkeypatch.setattr(cache, "_list_cache_files", counted)

    for number in range(30):
        cache.set(f"key-{number}", number)
    assert len(listings) == 1
    assert len(list(tmp_path.glob("*.djcache"))) == 30  # past MAX_ENTRIES until the next

    clock[0] += CULL_INTERVAL_SECONDS
    cache.set("one-more", 31)

    assert len(listings) == 2
    # Django culls a third of the files (CULL_FREQUENCY 3) once past MAX_ENTRIES.
    assert len(list(tmp_path.glob("*.djcache"))) == 30 - 30 // 3 + 1
