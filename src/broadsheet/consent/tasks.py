"""Background work for consent: the daily purge of consent records past retention.

The task schedules its own next run, so one queued row keeps it going for as long as a
worker runs; `ensure_daily_purge_scheduled()` (called by `broadsheet worker` at start)
queues the first one. Sites without a worker run `broadsheet purge-consent-records`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from .services import purge_consent_records

logger = logging.getLogger(__name__)
PURGE_INTERVAL = timedelta(days=1)


@task()
def purge_consent_records_daily() -> int:
    deleted = purge_consent_records()
    logger.info("Deleted %d consent record(s) past retention", deleted)
    purge_consent_records_daily.using(run_after=timezone.now() + PURGE_INTERVAL).enqueue()
    return deleted


def ensure_daily_purge_scheduled() -> bool:
    """Queue the daily purge unless a run is already waiting. Returns whether it queued."""
    waiting = DBTaskResult.objects.filter(
        task_path=purge_consent_records_daily.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()
    if not waiting:
        purge_consent_records_daily.enqueue()
    return not waiting
