"""Django's SQLite backend, with write transactions queued on a lock of our own
(`base.DatabaseWrapper`, `writelock.WriteLock`). settings.py uses it for every SQLite
database."""
