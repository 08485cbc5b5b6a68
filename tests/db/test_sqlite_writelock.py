"""Writers queued on the site's own lock (broadsheet/db/sqlite): one at a time, across threads and
processes, released however the transaction ends, and giving up like SQLite does."""

from __future__ import annotations

import fcntl
import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

from broadsheet.accounts.models import User
from broadsheet.db.sqlite.writelock import WriteLock, lock_for


def test_threads_write_one_at_a_time(tmp_path: Path) -> None:
    lock = WriteLock(str(tmp_path / "db-writer.lock"), timeout=5)
    held: list[tuple[float, float]] = []

    def write() -> None:
        for _ in range(5):
            lock.acquire()
            start = time.monotonic()
            time.sleep(0.002)
            held.append((start, time.monotonic()))
            lock.release()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    spans = sorted(held)
    assert len(spans) == 20
    assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:], strict=False))


def test_a_writer_in_another_process_is_waited_for_then_given_up_on(tmp_path: Path) -> None:
    path = tmp_path / "db-writer.lock"
    lock = WriteLock(str(path), timeout=0.2)
    with open(path, "ab") as other_process:  # another open file: what another process has
        fcntl.flock(other_process, fcntl.LOCK_EX)
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            lock.acquire()
        assert time.monotonic() - started >= 0.2
        fcntl.flock(other_process, fcntl.LOCK_UN)

    lock.acquire()  # and the thread lock was not left taken by the failed try
    time.sleep(0.05)  # the given-up wait gets the file lock now, and lets go of its own
    with open(path, "ab") as another, pytest.raises(BlockingIOError):
        fcntl.flock(another, fcntl.LOCK_EX | fcntl.LOCK_NB)  # still ours
    lock.release()
    with open(path, "ab") as another:
        fcntl.flock(another, fcntl.LOCK_EX | fcntl.LOCK_NB)  # and free once released


def _try_lock(results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    # The parent's thread holds the thread lock, copied into this process as taken: a
    # worker is forked while no thread writes, so only the file lock is tried here.
    INHERITED._threads = threading.Lock()
    try:
        INHERITED.acquire()
    except OperationalError:
        results.put("waited, then gave up")
    else:
        INHERITED.release()
        results.put("locked")


INHERITED = WriteLock(None, timeout=0.3)


def test_a_forked_worker_does_not_share_its_parents_lock(tmp_path: Path) -> None:
    # The parent opened the lock file before forking, as granian's main process could;
    # the child must still be kept out while the parent writes.
    INHERITED.path = str(tmp_path / "db-writer.lock")
    INHERITED.acquire()
    fork = multiprocessing.get_context("fork")
    results = fork.Queue()
    try:
        child = fork.Process(target=_try_lock, args=(results,))
        child.start()
        child.join(10)
        assert results.get(timeout=5) == "waited, then gave up"
    finally:
        INHERITED.release()
    child = fork.Process(target=_try_lock, args=(results,))
    child.start()
    child.join(10)
    assert results.get(timeout=5) == "locked"


def test_an_in_memory_database_needs_no_file() -> None:
    assert lock_for(":memory:", 5).path is None
    assert lock_for("file:memorydb_default?mode=memory&cache=shared", 5).path is None
    assert lock_for("/srv/news/broadsheet.sqlite3", 5).path == (
        "/srv/news/broadsheet.sqlite3-writer.lock"
    )


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_held_for_the_transaction_and_released_however_it_ends() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the write lock is SQLite's")
    lock = lock_for(str(connection.settings_dict["NAME"]), 5)

    with transaction.atomic():
        User.objects.create_user("ines")
        assert connection._write_lock is lock and lock._threads.locked()
    assert connection._write_lock is None and not lock._threads.locked()

    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create_user("jonas")
        raise RuntimeError("rolled back")
    assert connection._write_lock is None and not lock._threads.locked()
    assert list(User.objects.values_list("username", flat=True)) == ["ines"]
