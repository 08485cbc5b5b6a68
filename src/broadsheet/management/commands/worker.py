"""`broadsheet worker`: runs the site's background tasks, queued mail first of all.

At start it makes sure the daily maintenance tasks (purging comment address hashes and
consent records past retention, retraining the spam model) are queued. Otherwise it is a
thin wrapper around django-tasks-db's `db_worker` with the site's choices made: the
default queue, no autoreloader (restart it after deploying new code), and `--batch` to run
whatever is ready and exit (for cron, or a deploy step). Several workers may run at once,
on one machine or many; each task row is claimed by exactly one of them.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from broadsheet.consent.tasks import ensure_daily_purge_scheduled as ensure_consent_purge_scheduled
from broadsheet.discussion.tasks import ensure_daily_purge_scheduled
from broadsheet.moderation.tasks import ensure_daily_retrain_scheduled


class Command(BaseCommand):
    help = "Run queued background tasks (outgoing mail); keeps polling unless --batch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Run every task that is ready, then exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch: bool = options["batch"]
        if ensure_daily_purge_scheduled():
            self.stdout.write("Scheduled the daily purge of comment address hashes")
        if ensure_consent_purge_scheduled():
            self.stdout.write("Scheduled the daily purge of consent records past retention")
        if ensure_daily_retrain_scheduled():
            self.stdout.write("Scheduled the daily retraining of the spam model")
        if batch:
            self.stdout.write("Worker started: running ready tasks, then exiting")
        else:
            self.stdout.write("Worker started: waiting for tasks (Ctrl+C or SIGTERM to stop)")
        self.stdout.flush()
        call_command(
            "db_worker",
            batch=batch,
            reload=False,
            # The random start-up pause only spreads out a fleet of long-running workers.
            startup_delay=not batch,
            verbosity=options["verbosity"],
        )
        if batch:
            self.stdout.write("Worker finished: no ready tasks left")
