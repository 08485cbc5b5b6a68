"""One writer at a time, woken as soon as the one before it commits.

SQLite lets one transaction write at a time; the others wait in its busy handler, which
sleeps 1, 2, 5, 10, 15, 20, 25 ms and longer between tries while the lock may have been
free for most of that. With comment posts of 1–2 ms inside the lock, from four threads in
each of two workers, writers slept more than they worked: in bench/run, one run after
the other (2026-11-25), 230 posts/s at 1,140 ms p99 that way, 266 at 124 ms queued here.

So a write transaction first takes this lock: a thread lock within the process, then an
exclusive `flock` on a file beside the database, shared by every process of the site.
Both wake the next writer at once: the thread lock in the process, the kernel for the
file. Both give up after the same timeout as SQLite's busy handler, with the same error.
Writes outside a transaction, and programs that do not use this backend, still meet
SQLite's own lock as before: this only orders the writers that use it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from typing import IO

from django.db import OperationalError


class WriteLock:
    """A lock for one database file, for every thread and process that writes to it."""

    def __init__(self, path: str | None, timeout: float) -> None:
        self.path = path  # None: an in-memory database, which one process alone can see
        self.timeout = timeout
        self._threads = threading.Lock()
        self._file: IO[bytes] | None = None
        self._file_pid = 0
        self._held: IO[bytes] | None = None

    def acquire(self) -> None:
        if not self._threads.acquire(timeout=self.timeout):
            raise OperationalError("database is locked (waiting for another thread's write)")
        try:
            if self.path is not None:
                self._held = self._lock_file(self.path)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        held, self._held = self._held, None
        try:
            if held is not None:
                fcntl.flock(held, fcntl.LOCK_UN)
                if held is not self._file:
                    held.close()
        finally:
            self._threads.release()

    def _lock_file(self, path: str) -> IO[bytes]:
        if self._file is None or self._file_pid != os.getpid():
            # Opened in each process: a file inherited through fork is the same open file,
            # on which the parent's and every child's flock would be one lock.
            self._file = open(path, "ab")  # noqa: SIM115 (kept open for the process)
            self._file_pid = os.getpid()
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return self._file
        except BlockingIOError:
            return self._wait_for_file(path)

    def _wait_for_file(self, path: str) -> IO[bytes]:
        """Another process writes: wait for it in the kernel, which wakes us as it lets go.
        A blocking flock cannot be given up, so it waits in a thread of its own, on a file
        opened for this wait alone: given up, that thread closes its file, which lets go
        of exactly the lock it may have got, never the one this process holds later."""
        waiting = open(path, "ab")  # noqa: SIM115 (closed by release() or by the waiter)
        got = threading.Event()
        guard = threading.Lock()
        outcome = {"state": "waiting"}

        def wait() -> None:
            fcntl.flock(waiting, fcntl.LOCK_EX)
            with guard:
                if outcome["state"] == "given up":
                    waiting.close()
                    return
                outcome["state"] = "locked"
            got.set()

        threading.Thread(target=wait, name="sqlite-writer-lock", daemon=True).start()
        if got.wait(self.timeout):
            return waiting
        with guard:
            if outcome["state"] == "locked":
                return waiting
            outcome["state"] = "given up"
        raise OperationalError("database is locked (waiting for another process's write)")


_locks: dict[str, WriteLock] = {}
_locks_guard = threading.Lock()


def lock_for(database: str, timeout: float) -> WriteLock:
    """The process's lock for a database file (by its path as configured)."""
    in_memory = database == ":memory:" or "mode=memory" in database
    key = database
    with _locks_guard:
        if key not in _locks:
            path = None if in_memory else f"{os.path.abspath(database)}-writer.lock"
            _locks[key] = WriteLock(path, timeout)
        return _locks[key]
