"""`broadsheet spam-filter stats|retrain`: what the classifiers know, and rebuilding the
site's spam model from moderators' decisions.

`stats` prints the decisions on record, how much the starting model still counts, the
thresholds screening applies now and where they come from, and the weights that push
hardest each way. `retrain` learns the site's model again from every recorded decision and
the comments as they are now; it is idempotent, and the way to put the model right after
comments were edited, relabelled or erased in bulk (the worker also runs it daily).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from broadsheet.moderation import classifier, spamfilter


class Command(BaseCommand):
    help = "Show what the spam and abuse classifiers know (stats) or retrain the spam model."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{stats,retrain}")
        actions.add_parser("stats", help="decisions, thresholds and the models in use")
        actions.add_parser("retrain", help="rebuild the site's spam model from every decision")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retrain":
            spam, ham = spamfilter.retrain()
            self.stdout.write(
                f"Retrained the spam model from {spam} spam and {ham} genuine comments."
            )
        else:
            self.stats()

    def stats(self) -> None:
        spam, ham = spamfilter.totals()
        scorer = spamfilter.spam_model.get()
        self.stdout.write(f"Decisions on record: {spam} spam, {ham} genuine.")
        self.stdout.write(
            f"Spam model: learned from {scorer.decisions} decisions; the starting model counts "
            f"{classifier.prior_weight(scorer.decisions):.0%} as much as on the first day."
        )
        own = bool(spamfilter.measured_thresholds())
        source = (
            "measured on this site's approved comments"
            if own
            else f"the starting model's, until {spamfilter.MIN_HELD_OUT_HAM} comments are approved"
        )
        limits = spamfilter.thresholds()
        self.stdout.write(
            f"Thresholds ({source}):\n"
            f"  hold as likely spam   {limits.hold:.3f}  "
            f"(SPAM_HOLD_FALSE_POSITIVE_RATE={settings.SPAM_HOLD_FALSE_POSITIVE_RATE})\n"
            f"  store as spam         {limits.discard:.3f}  "
            f"(SPAM_DISCARD_FALSE_POSITIVE_RATE={settings.SPAM_DISCARD_FALSE_POSITIVE_RATE})\n"
            f"  hold as likely abusive {limits.abuse:.3f}  "
            f"(ABUSE_HOLD_FALSE_POSITIVE_RATE={settings.ABUSE_HOLD_FALSE_POSITIVE_RATE})"
        )
        for kind in ("spam", "abuse"):
            about = classifier.starting_model(kind).about
            if about:
                test = about.get("test", {})
                self.stdout.write(
                    f"Starting {kind} model: built {about.get('built')} from "
                    f"{', '.join(about.get('corpora', []))}; on its held-out texts ROC AUC "
                    f"{test.get('roc_auc')}, recall at 1% false positives "
                    f"{test.get('recall_at_1pct_fp')}."
                )
            else:
                self.stdout.write(f"Starting {kind} model: none shipped (neutral start).")
