"""Django's SQLite backend whose write transactions take `writelock` first (see there)."""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base

from .writelock import WriteLock, lock_for


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock: WriteLock | None = None

    def _start_transaction_under_autocommit(self) -> None:
        # Every atomic block that begins a transaction comes here (BEGIN IMMEDIATE, which
        # takes SQLite's write lock at once: settings.py's transaction_mode).
        lock = lock_for(
            str(self.settings_dict["NAME"]),
            float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5)),
        )
        lock.acquire()
        self._write_lock = lock
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        lock, self._write_lock = self._write_lock, None
        if lock is not None:
            lock.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()
