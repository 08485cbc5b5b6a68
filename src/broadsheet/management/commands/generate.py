"""`broadsheet generate`: fill the database with invented articles and threaded reader
comments for benchmarks; running again adds more.

This is the command's face: its options, the progress bars and the one-line summary. What
gets generated, and how it is written fast, is in `broadsheet.demo.generating`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from broadsheet.demo.generating import GenerationError, Progress, generate_site


class Command(BaseCommand):
    help = (
        "Fill the database with invented articles and threaded reader comments for "
        "benchmarks; running again adds more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=_count, default=0, help="articles to add")
        parser.add_argument(
            "--comments", type=_count, default=0, help="comments in all, over the new articles"
        )
        parser.add_argument(
            "--authors", type=_count, help="byline authors to add (default: articles/200 + 5)"
        )
        parser.add_argument("--topics", type=_count, default=20, help="topics to use")
        parser.add_argument("--seed", type=int, help="the same seed gives the same content")
        parser.add_argument(
            "--batch-size", type=_positive, default=5000, help="rows per transaction"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hide_progress = None if options["verbosity"] > 0 else True  # None: shown on terminals
        try:
            done = generate_site(
                articles=options["articles"],
                comments=options["comments"],
                authors=options["authors"],
                topics=options["topics"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=_progress_bars(hide_progress),
            )
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Generated {done.articles:,} articles ({done.published_articles:,} published) in "
            f"{done.article_seconds:.1f} s ({done.articles / done.article_seconds:,.0f}/s) and "
            f"{done.comments:,} comments ({done.published_comments:,} published, "
            f"{done.replies:,} replies) in {done.comment_seconds:.1f} s "
            f"({done.comments / done.comment_seconds:,.0f}/s), with {done.authors} authors, "
            f"{done.topics} topics ({done.new_topics} new) and {done.accounts} accounts; "
            f"seed {done.seed}"
        )


def _progress_bars(disable: bool | None) -> Progress:
    @contextmanager
    def bar(total: int, unit: str) -> Iterator[Callable[[int], object]]:
        with tqdm(total=total, unit=unit, disable=disable) as shown:
            yield shown.update

    return bar


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number
