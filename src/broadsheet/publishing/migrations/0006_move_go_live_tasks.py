"""The scheduled-article announcement moved from webhooks.tasks to publishing.tasks: tasks
already queued under the old path are renamed, or the worker could not find them."""

from __future__ import annotations

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

OLD_PATH = "broadsheet.webhooks.tasks.announce_if_live"
NEW_PATH = "broadsheet.publishing.tasks.announce_if_live"


def _rename(old: str, new: str) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def rename(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
        # Every row, finished ones too: the task's history reads under the path it has.
        DBTaskResult.objects.using(schema_editor.connection.alias).filter(
            task_path=old
        ).update(task_path=new)

    return rename


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0005_article_body_format"),
        ("django_tasks_database", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_rename(OLD_PATH, NEW_PATH), _rename(NEW_PATH, OLD_PATH)),
    ]
