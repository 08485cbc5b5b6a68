"""`broadsheet export-wxr FILE`: the whole site as a WordPress eXtended RSS 1.2 file.

Articles with bylines, topics and comments in every status, and the policy pages, in the
file WordPress's importer reads (see broadsheet/importers/export_wxr.py and
docs/export-format.md). Written to FILE.partial and renamed when complete, so an
interrupted export never leaves a FILE that looks whole; "-" writes to standard output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from tqdm import tqdm

from broadsheet.importers.export_wxr import write_wxr
from broadsheet.publishing.models import Article


class Command(BaseCommand):
    help = "Write every article, comment, topic, byline and policy page to FILE as WXR 1.2."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help='Where to write the WXR file ("-" for stdout).')

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"] == "-":
            summary = write_wxr(sys.stdout)
            sys.stdout.flush()
            self.stderr.write(f"Exported {summary}.")
            return
        destination = Path(options["file"])
        partial = destination.with_name(destination.name + ".partial")
        hide_progress = options["verbosity"] < 1 or not sys.stderr.isatty()
        try:
            with (
                partial.open("w", encoding="utf-8", newline="\n") as out,
                tqdm(total=Article.objects.count(), unit="article", disable=hide_progress) as bar,
            ):
                summary = write_wxr(out, progress=lambda: bar.update(1))
            os.replace(partial, destination)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Could not write {destination}: {exc}") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        size = filesizeformat(destination.stat().st_size)
        self.stdout.write(f"Exported {summary} to {destination} ({size}).")
