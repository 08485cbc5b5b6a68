"""`broadsheet spam-filter stats|retrain`: what the learning spam filter knows, and
rebuilding it from moderators' decisions.

`stats` prints how many spam and genuine comments the filter learned from and the tokens
that count most for each side. `retrain` throws the counts away and learns again from
every recorded decision and the comments as they are now; it is idempotent, and the way to
put the counts right after comments were edited or removed in bulk.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, Q
from tqdm import tqdm

from broadsheet.moderation import spamfilter
from broadsheet.moderation.models import FilterDecision


class Command(BaseCommand):
    help = "Show what the learning spam filter knows (stats) or rebuild it (retrain)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{stats,retrain}")
        stats = actions.add_parser("stats", help="counts and the most telling tokens")
        stats.add_argument("--top", type=int, default=15, help="tokens to list for each side")
        actions.add_parser("retrain", help="rebuild the counts from every recorded decision")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retrain":
            self.retrain()
        else:
            self.stats(options["top"])

    def stats(self, top: int) -> None:
        spam, ham = spamfilter.totals()
        decisions = FilterDecision.objects.aggregate(
            spam=Count("pk", filter=Q(label=FilterDecision.Label.SPAM)),
            ham=Count("pk", filter=Q(label=FilterDecision.Label.HAM)),
        )
        tokens = spamfilter.token_count()
        self.stdout.write(f"Comments learned: {spam} spam, {ham} genuine.")
        self.stdout.write(
            f"Decisions on record: {decisions['spam']} spam, {decisions['ham']} genuine."
        )
        if (spam, ham) != (decisions["spam"], decisions["ham"]):
            warning = "The counts and the decisions differ: run `spam-filter retrain`."
            self.stdout.write(self.style.WARNING(warning))
        self.stdout.write(f"Distinct tokens: {tokens}.")
        for label, title in (
            (FilterDecision.Label.SPAM, "Tokens that most often mark spam"),
            (FilterDecision.Label.HAM, "Tokens that most often mark genuine comments"),
        ):
            rows = spamfilter.top_tokens(label, top)
            self.stdout.write(f"\n{title}:")
            if not rows:
                self.stdout.write("  (none yet)")
            width = max((len(row.token) for row in rows), default=0)
            for row in rows:
                self.stdout.write(
                    f"  {row.token:<{width}}  spam {row.spam_count:>6}  genuine "
                    f"{row.ham_count:>6}  p(spam) {row.spam_probability:.3f}"
                )
        self.stdout.write(
            f"\nSpam filter: learned from {spam} spam and {ham} genuine comments, {tokens} tokens."
        )

    def retrain(self) -> None:
        with tqdm(
            total=FilterDecision.objects.count(), unit="decision", disable=None, leave=False
        ) as bar:
            spam, ham = spamfilter.retrain(progress=bar.update)
        tokens = spamfilter.token_count()
        self.stdout.write(
            f"Retrained the spam filter from {spam} spam and {ham} genuine comments: "
            f"{tokens} tokens."
        )
