"""The task that announces a scheduled article when its time comes belongs to publishing
(it reads the article); it used to live in webhooks.tasks, and tasks queued under that path
before the move are found again after migrating."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.publishing import services
from broadsheet.publishing.models import Article
from broadsheet.publishing.tasks import announce_if_live
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

move = importlib.import_module("broadsheet.publishing.migrations.0006_move_go_live_tasks")


def test_saving_a_scheduled_article_queues_publishings_task(
    django_capture_on_commit_callbacks: Any,
) -> None:
    article = make_article("Festival line-up", status=Article.Status.DRAFT)
    article.publish(at=timezone.now() + dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        services.record_revision(article, None)

    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "broadsheet.publishing.tasks.announce_if_live"
    assert queued.status == TaskResultStatus.READY
    assert queued.args_kwargs["kwargs"] == {
        "article_id": article.pk,
        "published_at": article.published_at.isoformat(),
    }


def test_tasks_queued_under_the_old_path_are_renamed() -> None:
    article = make_article("Festival line-up", status=Article.Status.DRAFT)
    article.publish(at=timezone.now() + dt.timedelta(days=1))
    announce_if_live.using(run_after=article.published_at).enqueue(
        article_id=article.pk, published_at=article.published_at.isoformat()
    )
    DBTaskResult.objects.update(task_path=move.OLD_PATH)
    schema_editor = SimpleNamespace(connection=connection)

    move.Migration.operations[0].code(apps, schema_editor)

    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == move.NEW_PATH == announce_if_live.module_path
    assert queued.task.func is announce_if_live.func

    move.Migration.operations[0].reverse_code(apps, schema_editor)
    assert DBTaskResult.objects.get().task_path == move.OLD_PATH
