"""`broadsheet backup FILE`: a consistent copy of the database, made while the site runs.

SQLite through its backup API, PostgreSQL through pg_dump (broadsheet/db/backups.py).
`broadsheet restore FILE` puts it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.template.defaultfilters import filesizeformat

from broadsheet.checks import describe_database
from broadsheet.db.backups import BackupError, backup


class Command(BaseCommand):
    help = "Copy the database to FILE while the site keeps serving (restore with `restore`)."
    # A backup must work whatever else the configuration gets wrong.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Where to write the backup.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        destination: Path = options["file"]
        what = describe_database(connection)
        if options["verbosity"] > 1:
            self.stdout.write(f"Backing up {what} to {destination} ...")
        try:
            backup(connection, destination)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = filesizeformat(destination.stat().st_size)
        self.stdout.write(f"Backed up {what} to {destination} ({size}).")
