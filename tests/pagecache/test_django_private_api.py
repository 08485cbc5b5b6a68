"""The private parts of Django's FileBasedCache that broadsheet/pagecache/file_cache.py
uses, checked on the installed Django (pinned to 5.2, what file_cache.py was written
against). A Django upgrade that renames one, changes its signature or what it does fails
here, by name, instead of somewhere in the page cache."""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from broadsheet.pagecache import file_cache


@pytest.mark.parametrize("name", sorted(file_cache.DJANGO_PRIVATE_METHODS))
def test_each_private_method_is_there_with_the_signature_used(name: str) -> None:
    method = getattr(FileBasedCache, name, None)
    assert callable(method), f"FileBasedCache.{name} is gone: see pagecache/file_cache.py"
    assert str(inspect.signature(method)) == file_cache.DJANGO_PRIVATE_METHODS[name], (
        f"FileBasedCache.{name} changed: see pagecache/file_cache.py"
    )


def test_each_private_attribute_is_set_by_the_constructor(tmp_path: Path) -> None:
    backend = FileBasedCache(str(tmp_path), {})
    for name in file_cache.DJANGO_PRIVATE_ATTRIBUTES:
        assert hasattr(backend, name), f"FileBasedCache().{name} is gone"
    assert file_cache.directory_of(backend) == str(tmp_path)


def test_the_adapters_do_what_file_cache_expects(tmp_path: Path) -> None:
    """Beyond the names: the directory is made again when it is gone, a key's file is in
    it, an entry written there is what Django's get() reads, and culling past MAX_ENTRIES
    removes files."""
    backend = FileBasedCache(str(tmp_path / "cache"), {"OPTIONS": {"MAX_ENTRIES": 2}})
    os.rmdir(tmp_path / "cache")
    file_cache.make_directory(backend)
    path = file_cache.path_of(backend, "token")
    assert os.path.dirname(path) == file_cache.directory_of(backend)
    assert file_cache.path_of(backend, "token") == path, "the same key, the same file"

    with open(path, "wb") as f:
        file_cache.write_entry(backend, f, None, "the value")
    assert backend.get("token") == "the value"

    for key in ("one", "two", "three"):
        with open(file_cache.path_of(backend, key), "wb") as f:
            file_cache.write_entry(backend, f, None, key)
    file_cache.cull_as_django_does(backend)
    assert len(list((tmp_path / "cache").iterdir())) < 4
