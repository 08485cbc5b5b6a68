"""Article.comment_count. On SQLite, adding a NOT NULL column copies publishing_article to
a new table, which drops the search triggers of 0002; they are created again here."""

import importlib

from django.db import migrations, models

search_index = importlib.import_module("broadsheet.publishing.migrations.0002_search_index")


def recreate_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in search_index.SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0002_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="comment_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(recreate_search_triggers, migrations.RunPython.noop),
    ]
