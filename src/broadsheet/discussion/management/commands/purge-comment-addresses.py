"""`broadsheet purge-comment-addresses`: forget client address hashes past retention.

`broadsheet worker` runs the same purge daily (discussion/tasks.py); this command is for
sites without a worker, from cron, for example
`17 3 * * * cd /srv/broadsheet && .venv/bin/broadsheet purge-comment-addresses`.
Idempotent: a second run the same day clears nothing more.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from broadsheet.discussion.services import purge_address_hashes


class Command(BaseCommand):
    help = "Clear the address hashes of comments older than COMMENT_ADDRESS_RETENTION_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        cleared = purge_address_hashes()
        self.stdout.write(
            f"Cleared the address hash of {cleared} comment(s) older than "
            f"{settings.COMMENT_ADDRESS_RETENTION_DAYS} days."
        )
