"""`broadsheet import-drupal --database-url URL`: bring a Drupal site's articles, comments
and addresses over, reading its database directly (Drupal 7, or Drupal 8 and later).

The database is only read, in a read-only session (see `importers/drupal_db.py`). What is
wrong with it (unreachable, not Drupal, a table missing, no such byline field) stops the
command before anything is read; an error while reading rolls the whole import back.
Running again updates what the first run made: items are found by nid and cid under the
source "drupal:<name>", the database's name unless `--source-name` says otherwise.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import environ
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from broadsheet.importers.drupal import DrupalSite, open_drupal
from broadsheet.importers.drupal_db import DrupalError
from broadsheet.importers.services import ImportReport, load

OTHER_TYPE = "node type {!r} not in --content-types"
ON_OTHER_TYPE = "on a node type not imported"


class Command(BaseCommand):
    help = (
        "Import articles, comments and path aliases from a Drupal 7 or 8+ database "
        "(read-only). Safe to run again: it updates what it imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database-url",
            required=True,
            help="the Drupal database: sqlite:////path/site.db, "
            "postgres://user:password@host/name or mysql://user:password@host/name",
        )
        parser.add_argument(
            "--table-prefix", default="", help="the site's table prefix ($databases 'prefix')"
        )
        parser.add_argument(
            "--content-types",
            default="article",
            help="node types to import as articles, comma-separated (default: article)",
        )
        parser.add_argument(
            "--byline-field",
            default="",
            help="machine name of the node field holding the byline (text or a reference "
            "to accounts), e.g. field_byline",
        )
        parser.add_argument(
            "--source-name",
            default="",
            help="names this import, the same on every run (default: the database name)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url: str = options["database_url"]
        types = [t.strip() for t in options["content_types"].split(",") if t.strip()]
        if not types:
            raise CommandError("--content-types names no node type.")
        try:
            site = open_drupal(
                url,
                table_prefix=options["table_prefix"],
                content_types=types,
                byline_field=options["byline_field"],
            )
        except DrupalError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from exc
        source = "drupal:" + (options["source_name"] or _database_name(url))
        try:
            report = self._import(site, source)
        except DrupalError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        finally:
            site.db.close()
        self.stdout.write(report.summary())
        self.stdout.write(
            f"Drupal {site.version if site.version == 7 else '8+'} import as {source!r}: "
            f"{report.total('article')} nodes and {report.total('comment')} comments read."
        )

    def _import(self, site: DrupalSite, source: str) -> ImportReport:
        report = ImportReport()
        for node_type, count in sorted(site.skipped_types().items()):
            report.skip("article", OTHER_TYPE.format(node_type), count)
        if skipped := site.skipped_comments():
            report.skip("comment", ON_OTHER_TYPE, skipped)
        with tqdm(total=site.count(), unit="item", disable=None, leave=False) as bar:
            load(source, site.records(), report=report, progress=lambda _record: bar.update())
        return report


def _database_name(url: str) -> str:
    name = str(environ.Env.db_url_config(url.replace("mariadb://", "mysql://", 1))["NAME"])
    return PurePath(name).stem if "/" in name or name.endswith(".db") else name
