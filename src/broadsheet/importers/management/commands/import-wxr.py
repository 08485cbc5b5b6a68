"""`broadsheet import-wxr FILE`: import a WordPress export (WXR 1.0 to 1.2).

Posts become articles, their comments comments, policy pages drafts of the site's policy
pages, and the old addresses redirect (see broadsheet/importers/wxr.py for every rule).
The import is one transaction: a malformed file stops it with FILE:LINE:COLUMN and the
parser's message, and nothing is stored; `--dry-run` reads and stores everything, reports,
and rolls back. Running it again with the same (or a newer) export updates what the first
run made, found under the source "wxr:<site address>".
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from broadsheet.importers import wxr
from broadsheet.importers.services import ImportReport, load


class Command(BaseCommand):
    help = (
        "Import a WordPress WXR export: posts, comments, authors, topics, policy pages "
        "and redirects from the old addresses. Safe to run again: it updates what it made."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the WordPress export (.xml)")
        parser.add_argument(
            "--timezone",
            help="the WordPress site's time zone (e.g. Europe/London), for dates the export "
            "has only in local time; default: the TIME_ZONE setting",
        )
        parser.add_argument(
            "--source",
            help='the name this import is remembered by; default "wxr:<site address>" from '
            "the file. Keep it the same between runs so they update rather than duplicate.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read and report, then store nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            zone = wxr.site_timezone(options["timezone"])
            with path.open("rb") as head:
                channel = wxr.read_channel(head)
        except wxr.WxrError as error:
            raise CommandError(_located(path, error)) from error
        source = options["source"] or f"wxr:{channel.site or path.name}"
        report = ImportReport()
        size = path.stat().st_size
        with path.open("rb") as raw, tqdm(
            total=size, unit="B", unit_scale=True, disable=None, leave=False, desc=path.name
        ) as bar:  # fmt: skip
            stream = _Counting(raw)
            items = 0

            def progress(_record: object) -> None:
                nonlocal items
                items += 1
                if items % 100 == 0:
                    elapsed = bar.format_dict["elapsed"] or 1e-9
                    bar.set_postfix_str(f"{items} items, {items / elapsed:.0f} items/s", False)
                    bar.update(stream.position - bar.n)

            try:
                records = wxr.read_wxr(stream, report=report, site_timezone=zone)
                load(
                    source, records, report=report, progress=progress,
                    dry_run=options["dry_run"],
                )  # fmt: skip
            except wxr.WxrError as error:
                raise CommandError(_located(path, error) + " Nothing was imported.") from error
            bar.update(stream.position - bar.n)
        self.stdout.write(report.summary())
        done = "Dry run, nothing stored" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{done}: {path.name} from {channel.site or 'an unnamed site'} (WXR "
            f"{channel.version or '?'}) as {source!r}: {report.total('article')} posts, "
            f"{report.total('comment')} comments."
        )


def _located(path: Path, error: wxr.WxrError) -> str:
    if error.line:
        return f"{path}:{error.line}:{error.column}: {error.message}."
    return f"{path}: {error.message}."


class _Counting:
    """A binary file that counts the bytes read from it, for the progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.position += len(data)
        return data
