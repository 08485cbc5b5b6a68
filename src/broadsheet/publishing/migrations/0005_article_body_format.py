"""Article.body_format: "markdown", or "html" for imported bodies kept as HTML.

On SQLite, adding a NOT NULL column copies publishing_article to a new table, which drops
the search triggers of 0002 and the index of 0004; both are created again here.
"""

import importlib

from django.db import migrations, models

search_index = importlib.import_module("broadsheet.publishing.migrations.0002_search_index")
live_index = importlib.import_module("broadsheet.publishing.migrations.0004_search_live_index")


def recreate_search_triggers_and_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in search_index.SQLITE_TRIGGERS:
            schema_editor.execute(statement)
        schema_editor.execute(live_index.SQLITE_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0004_search_live_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="body_format",
            field=models.CharField(
                choices=[("markdown", "Markdown"), ("html", "HTML (imported)")],
                default="markdown",
                max_length=10,
            ),
        ),
        migrations.RunPython(
            recreate_search_triggers_and_index, migrations.RunPython.noop, elidable=False
        ),
    ]
