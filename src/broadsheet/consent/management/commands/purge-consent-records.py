"""`broadsheet purge-consent-records`: delete consent records past retention.

`broadsheet worker` runs the same purge daily (consent/tasks.py); this command is for
sites without a worker, from cron, for example
`23 3 * * * cd /srv/broadsheet && .venv/bin/broadsheet purge-consent-records`.
Idempotent: a second run the same day deletes nothing more.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from broadsheet.consent.services import purge_consent_records


class Command(BaseCommand):
    help = "Delete the consent records older than CONSENT_RECORD_RETENTION_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge_consent_records()
        self.stdout.write(
            f"Deleted {deleted} consent record(s) older than "
            f"{settings.CONSENT_RECORD_RETENTION_DAYS} days."
        )
