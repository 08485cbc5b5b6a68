"""`broadsheet export-json DIR`: everything as plain JSON files, one per article.

DIR/articles/<slug>.json (each article with its bylines, topics and threaded comments),
authors.json, topics.json, policies.json and site.json; the format is described field by
field in docs/export-format.md. DIR must be new or empty, so no file of an earlier export
is mistaken for part of this one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from broadsheet.importers.export_json import ExportDirectoryError, write_json
from broadsheet.publishing.models import Article


class Command(BaseCommand):
    help = "Write every article (with its comments), author, topic and policy page as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="A new or empty directory.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        hide_progress = options["verbosity"] < 1 or not sys.stderr.isatty()
        try:
            with tqdm(total=Article.objects.count(), unit="article", disable=hide_progress) as bar:
                summary = write_json(directory, progress=lambda: bar.update(1))
        except (ExportDirectoryError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Exported {summary} to {directory}.")
