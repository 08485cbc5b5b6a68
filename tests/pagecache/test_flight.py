"""The render lock (broadsheet/pagecache/flight.py): held by one renderer across processes,
and never kept by a renderer that died."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest

from broadsheet.pagecache import flight

HOLD_AND_WAIT = """
import sys
from broadsheet.pagecache.flight import FileLocks
held = FileLocks(sys.argv[1]).try_lock(sys.argv[2])
print("held" if held else "refused", flush=True)
sys.stdin.read()
"""


def test_a_file_lock_is_one_holder_across_processes_and_dies_with_it(tmp_path: Any) -> None:
    locks = flight.FileLocks(str(tmp_path / "render-locks"))
    renderer = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_WAIT, str(tmp_path / "render-locks"), "page:/a/"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert renderer.stdout is not None
        assert renderer.stdout.readline().strip() == "held"
        assert locks.try_lock("page:/a/") is None, "held by the other process"

        renderer.kill()  # as a worker killed mid-render
        renderer.wait(timeout=30)

        held = locks.try_lock("page:/a/")
        assert held is not None, "the kernel let go of a dead holder's lock"
        assert locks.try_lock("page:/a/") is None, "and it excludes within one process too"
        held.release()
        assert locks.try_lock("page:/a/") is not None
    finally:
        renderer.kill()
        renderer.wait(timeout=30)


def test_the_number_of_lock_files_is_bounded(tmp_path: Any) -> None:
    locks = flight.FileLocks(str(tmp_path))
    for number in range(3 * flight.LOCK_FILES):
        held = locks.try_lock(f"page:/articles/{number}/")
        if held is not None:
            held.release()

    assert len(list(tmp_path.iterdir())) <= flight.LOCK_FILES


def test_a_cache_lock_has_one_holder_and_times_out(settings: Any, monkeypatch: Any) -> None:
    """With the configured cache: Redis under CI's second run, where a renderer killed
    mid-render must not block its page beyond the lock's timeout."""
    monkeypatch.setattr(flight, "LOCK_SECONDS", 1)
    locks = flight.CacheLocks()
    held = locks.try_lock("page:/b/")
    assert held is not None
    assert locks.try_lock("page:/b/") is None

    deadline = time.monotonic() + 30  # never released: wait for the timeout, not a guess
    taken = None
    while taken is None and time.monotonic() < deadline:
        time.sleep(0.05)
        taken = locks.try_lock("page:/b/")
    assert taken is not None, "a dead holder's lock expired"

    held.release()  # the first holder, late: must not free the new holder's lock
    assert locks.try_lock("page:/b/") is None
    taken.release()
    assert locks.try_lock("page:/b/") is not None


def test_acquire_waits_for_a_holder_up_to_a_bound() -> None:
    class Busy:
        def __init__(self, busy_for: int) -> None:
            self.tries = 0
            self.busy_for = busy_for

        def try_lock(self, key: str) -> Any:
            self.tries += 1
            return object() if self.tries > self.busy_for else None

    assert flight.acquire(Busy(0), "k", wait=0)[1] is True, "free at once"
    got, at_once = flight.acquire(Busy(3), "k", wait=5)
    assert got is not None and at_once is False, "waited for the holder"
    got, _ = flight.acquire(Busy(10**9), "k", wait=0.05)
    assert got is None, "gave up"


@pytest.mark.parametrize("backend", ["filebased", "locmem"])
def test_the_configured_cache_decides_the_kind_of_lock(
    settings: Any, tmp_path: Any, backend: str
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": f"django.core.cache.backends.{backend}."
            + ("FileBasedCache" if backend == "filebased" else "LocMemCache"),
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    expected = flight.FileLocks if backend == "filebased" else flight.CacheLocks
    assert isinstance(flight.render_locks(), expected)
