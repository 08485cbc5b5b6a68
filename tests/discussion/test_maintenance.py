"""`broadsheet worker` keeps the daily purge of comment address hashes going."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.discussion.models import Comment
from broadsheet.discussion.tasks import purge_address_hashes_daily
from tests.helpers import make_article

# The worker closes database connections between tasks, which a test transaction cannot
# survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)


def queued_purges() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=purge_address_hashes_daily.module_path, status=TaskResultStatus.READY
        )
    )


def test_worker_purges_old_address_hashes_and_schedules_the_next_run() -> None:
    article = make_article()
    old = Comment.objects.create(
        article=article, name="Ines", body_source="Old words.", address_hash="a" * 64,
        created_at=timezone.now() - dt.timedelta(days=45),
    )  # fmt: skip
    recent = Comment.objects.create(
        article=article, name="Joss", body_source="New words.", address_hash="b" * 64
    )

    call_command("worker", batch=True)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.address_hash == ""
    assert recent.address_hash == "b" * 64
    [next_run] = queued_purges()
    assert next_run.run_after > timezone.now() + dt.timedelta(hours=23)


def test_starting_the_worker_again_does_not_queue_a_second_purge() -> None:
    call_command("worker", batch=True)
    call_command("worker", batch=True)

    assert len(queued_purges()) == 1
