"""Copying the site's database to one file and back, for `broadsheet backup` and
`broadsheet restore`, while the site keeps serving.

SQLite: SQLite's own backup API copies the database page by page inside one read
transaction, so the copy is the database as of one moment, while the site goes on writing
(WAL lets writers carry on beside that reader). Restoring runs the same API the other way,
into the live file, so every connection of every running worker sees the restored rows at
their next query; swapping the file instead would leave them writing to the old one.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists`, in one
transaction (a failed restore changes nothing), with the connection settings from
DATABASES. The password goes to them in the PGPASSWORD variable, never on a command line
(where `ps` shows it). The client tools must be installed, of the server's major version
or newer.

A backup is written to a temporary file beside the destination and renamed when complete,
so a failed or interrupted one never leaves a half file under the destination's name.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from broadsheet.lib import linear

# An app whose tables every Broadsheet database has; a backup without them is not ours.
OUR_APP = "publishing"
# Tables a PostgreSQL backup must list, each with its line of `pg_restore --list`
# ("215; 1259 16390 TABLE public django_migrations owner"). RE2 (broadsheet.lib.linear),
# as the file checked can be anything and `.* TABLE` is not a shape plain `re` may run.
_TABLE_ENTRIES = {
    table: linear.compile(rf"(?m)^\d+; .* TABLE \S+ {table}\b")
    for table in ("django_migrations", f"{OUR_APP}_article")
}


class BackupError(Exception):
    """Why a backup or restore could not be made, in words for the operator."""


def backup(connection: BaseDatabaseWrapper, destination: Path) -> None:
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if connection.vendor == "sqlite":
            _sqlite_backup(connection.settings_dict, destination, partial)
        elif connection.vendor == "postgresql":
            _run("pg_dump", "--format=custom", "--file", str(partial), config=connection)
        else:
            raise BackupError(f"Cannot back up a {connection.display_name} database.")
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)


def check_backup(connection: BaseDatabaseWrapper, source: Path) -> None:
    """Raise BackupError unless `source` is a whole Broadsheet backup this database's
    engine can restore."""
    if not source.is_file():
        raise BackupError(f"There is no file {source}.")
    if connection.vendor == "sqlite":
        _check_sqlite_backup(source)
    elif connection.vendor == "postgresql":
        listing = _run("pg_restore", "--list", str(source), config=None)
        for table, entry in _TABLE_ENTRIES.items():
            if not entry.search(listing):
                raise BackupError(f"{source} is not a Broadsheet backup: it has no {table}.")
    else:
        raise BackupError(f"Cannot restore a {connection.display_name} database.")


def restore(connection: BaseDatabaseWrapper, source: Path) -> None:
    """Replace the database's contents with the backup (checked with check_backup)."""
    connection.close()
    if connection.vendor == "sqlite":
        backup_db = _open_read_only(source)
        try:
            live = sqlite3.connect(
                connection.settings_dict["NAME"], timeout=_timeout(connection.settings_dict)
            )
            try:
                backup_db.backup(live)
            finally:
                live.close()
        except sqlite3.Error as exc:
            raise BackupError(f"Could not restore {source}: {exc}") from exc
        finally:
            backup_db.close()
    else:
        _run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(source),
            config=connection,
        )


def _timeout(config: dict[str, Any]) -> float:
    return float(config.get("OPTIONS", {}).get("timeout", 20))


def _sqlite_backup(config: dict[str, Any], destination: Path, partial: Path) -> None:
    live_path = Path(config["NAME"])
    if not live_path.is_file():
        raise BackupError(f"There is no database at {live_path} (run `broadsheet migrate`).")
    if destination.resolve() == live_path.resolve():
        raise BackupError("The backup file cannot be the database itself.")
    live = sqlite3.connect(live_path, timeout=_timeout(config))
    try:
        copy = sqlite3.connect(partial)
        try:
            # All pages in one step, under one read transaction: a copy made in several
            # steps starts over whenever another connection writes in between, which on a
            # busy site could be for ever.
            live.backup(copy, pages=-1)
            # A self-contained file, without the -wal and -shm files beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"Could not copy {live_path}: {exc}") from exc
    finally:
        live.close()


def _open_read_only(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"Cannot open {path}: {exc}") from exc


def _check_sqlite_backup(source: Path) -> None:
    db = _open_read_only(source)
    try:
        problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{source} is damaged: {'; '.join(problems[:3])}")
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "django_migrations" not in tables:
            raise BackupError(f"{source} is not a Broadsheet backup: it has no django_migrations.")
        apps = {row[0] for row in db.execute("SELECT DISTINCT app FROM django_migrations")}
        if OUR_APP not in apps:
            raise BackupError(f"{source} is not a Broadsheet backup: no {OUR_APP} migrations.")
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            raise BackupError(f"{source} is not an SQLite database.") from exc
        raise BackupError(f"{source} is damaged: {exc}.") from exc
    finally:
        db.close()


def _run(tool: str, *args: str, config: BaseDatabaseWrapper | None) -> str:
    """Run a PostgreSQL client tool, connected to `config`'s database when given; its
    standard output."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(
            f"{tool} is not installed. Install the PostgreSQL client tools of the server's "
            "major version or newer (Debian: apt-get install postgresql-client)."
        )
    env = dict(os.environ)
    command = [program, *args]
    if config is not None:
        settings = config.settings_dict
        command += ["--no-password", "--dbname", settings["NAME"]]
        for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings.get(key):
                command += [option, str(settings[key])]
        if settings.get("PASSWORD"):
            env["PGPASSWORD"] = settings["PASSWORD"]
        if sslmode := settings.get("OPTIONS", {}).get("sslmode"):
            env["PGSSLMODE"] = sslmode
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout
