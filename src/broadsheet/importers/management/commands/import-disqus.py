"""`broadsheet import-disqus FILE`: bring the comments of a Disqus XML export onto the
articles already on the site.

Each Disqus thread is matched to an article by its link, else by its identifier (see
`disqus.article_for_thread`); the posts of a thread that matches none are skipped, and the
thread is listed with its link and how many posts it had. Running again with the same or a
newer export updates the comments the first run made (found by Disqus post id under the
source "disqus:<forum>"). A malformed file stops the command with FILE:LINE:COLUMN and what
was expected there, before anything is stored; `--dry-run` imports, reports, rolls back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from broadsheet.importers import disqus
from broadsheet.importers.services import ImportReport, load

UNMATCHED = "thread matches no article"
NO_THREAD = "thread not in the file"
REPEATED = "post repeated in the file"


class Command(BaseCommand):
    help = (
        "Import the comments of a Disqus XML export onto the site's articles, matching "
        "threads by link or identifier. Safe to run again: it updates what it imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the Disqus export (XML)")
        parser.add_argument(
            "--source",
            help='the name this import is remembered by; default "disqus:<forum>" from the '
            "file. Keep it the same between runs so they update rather than duplicate.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="read, match and report, then store nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            size = path.stat().st_size
            with tqdm(
                total=size, unit="B", unit_scale=True, desc="Reading", disable=None, leave=False
            ) as bar:
                export = disqus.scan(path, progress=bar.update)
        except disqus.DisqusFormatError as error:
            raise CommandError(_located(path, error)) from error
        matched = disqus.match_threads(export.threads.values())
        report = ImportReport()
        self._report_unmatched(export, matched, report)
        to_read = sum(export.threads[thread_id].posts for thread_id in matched)
        source = options["source"] or "disqus:" + "+".join(export.forums)
        with tqdm(
            total=to_read, unit="comment", desc="Importing", disable=None, leave=False
        ) as bar:
            try:
                posts = disqus.read_posts(path, export, matched)
                load(
                    source, posts, report=report, progress=lambda _record: bar.update(),
                    dry_run=options["dry_run"],
                )  # fmt: skip
            except disqus.DisqusFormatError as error:  # the file changed since it was read
                raise CommandError(_located(path, error)) from error
        self.stdout.write(report.summary())
        done = "Dry run, nothing stored" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{done}: {path.name} as {source!r}: {len(matched)} of {len(export.threads)} "
            f"threads matched to articles, {report.total('comment')} posts."
        )

    def _report_unmatched(
        self, export: disqus.Export, matched: dict[str, int], report: ImportReport
    ) -> None:
        """List each unmatched thread that had posts; threads without posts (Disqus keeps one
        for every page it saw) are only counted."""
        empty = 0
        for thread in export.threads.values():
            if thread.dsq_id in matched:
                continue
            if not thread.posts:
                empty += 1
                continue
            report.skip("comment", UNMATCHED, thread.posts)
            plural = "" if thread.posts == 1 else "s"
            self.stdout.write(
                f"No article for thread {thread.link or '(no link)'} "
                f"(identifier {thread.identifier!r}): {thread.posts} post{plural} skipped."
            )
        if empty:
            self.stdout.write(f"{empty} threads without posts matched no article.")
        if export.orphans:
            report.skip("comment", NO_THREAD, export.orphans)
        if export.repeated:
            report.skip("comment", REPEATED, export.repeated)


def _located(path: Path, error: disqus.DisqusFormatError) -> str:
    return f"{path}:{error.line}:{error.column}: {error.message}. Nothing was imported."
