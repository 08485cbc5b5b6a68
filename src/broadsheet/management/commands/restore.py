"""`broadsheet restore FILE`: replace the database's contents with a backup made by
`broadsheet backup`.

The file is checked first (a whole SQLite or pg_dump file holding Broadsheet's tables);
then, unless --yes, the operator confirms. Afterwards the cache is emptied, since the pages
in it show the rows the restore replaced, and any migration the backup predates is named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from broadsheet.checks import describe_database
from broadsheet.db.backups import BackupError, check_backup, restore


class Command(BaseCommand):
    help = "Replace the database's contents with FILE, a backup made by `backup`."
    # A restore must work whatever else the configuration gets wrong.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup to restore.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation (for scripts)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        source: Path = options["file"]
        what = describe_database(connection)
        try:
            check_backup(connection, source)
        except BackupError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        if not options["yes"]:
            self._confirm(f"Every row of {what} will be replaced by the backup {source}.")
        try:
            restore(connection, source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {what} from {source}.")
        try:
            cache.clear()
        except Exception as exc:
            self.stderr.write(
                f"Could not empty the cache ({exc}): pages cached before the restore may be "
                "shown until they expire (PAGE_CACHE_SECONDS)."
            )
        else:
            self.stdout.write("Emptied the cache: the pages in it showed the replaced rows.")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(
                f"The backup predates {len(pending)} migration(s): run `broadsheet migrate`."
            )

    def _confirm(self, warning: str) -> None:
        try:
            answer = input(f"{warning}\nType 'yes' to continue: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled; nothing was changed (--yes skips this).")
