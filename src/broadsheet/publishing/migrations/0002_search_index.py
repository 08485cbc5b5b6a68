"""The full-text search index for articles, on whichever database is in use.

SQLite: an external-content FTS5 table over publishing_article (it stores no second copy
of the text), kept current by triggers, so every write reaches the index: ORM saves,
bulk_create, queryset.update(), deletes and imports that bypass the ORM alike.

PostgreSQL: a GIN index over the weighted tsvector that broadsheet.publishing.search
queries. The planner only uses it when the query's expression is the same as the index's,
so it is built with settings.SEARCH_CONFIG as it is when this migration runs; after
changing SEARCH_CONFIG, recreate the index (migrate publishing 0001, then migrate) or
searches fall back to scanning the table.

Caution for later migrations: on SQLite, Django alters most columns by copying the table
to a new one and dropping the old, which drops these triggers with it. A migration that
does that to publishing_article must run SQLITE_TRIGGERS again (import this module with
importlib); tests/publishing/test_search.py fails if it does not.
"""

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

SQLITE_TABLE = """
CREATE VIRTUAL TABLE publishing_article_fts USING fts5(
    title, standfirst, body_text,
    content='publishing_article', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
)
"""

# An external-content table must be told the old values to remove them, hence 'delete'
# with the old row rather than a plain DELETE.
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER IF NOT EXISTS publishing_article_fts_insert
    AFTER INSERT ON publishing_article BEGIN
        INSERT INTO publishing_article_fts (rowid, title, standfirst, body_text)
        VALUES (new.id, new.title, new.standfirst, new.body_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS publishing_article_fts_delete
    AFTER DELETE ON publishing_article BEGIN
        INSERT INTO publishing_article_fts
            (publishing_article_fts, rowid, title, standfirst, body_text)
        VALUES ('delete', old.id, old.title, old.standfirst, old.body_text);
    END
    """,
    # Only the indexed columns: publishing or unpublishing changes status, which the index
    # does not hold (visibility is decided at query time), so it costs no index work.
    """
    CREATE TRIGGER IF NOT EXISTS publishing_article_fts_update
    AFTER UPDATE OF id, title, standfirst, body_text ON publishing_article BEGIN
        INSERT INTO publishing_article_fts
            (publishing_article_fts, rowid, title, standfirst, body_text)
        VALUES ('delete', old.id, old.title, old.standfirst, old.body_text);
        INSERT INTO publishing_article_fts (rowid, title, standfirst, body_text)
        VALUES (new.id, new.title, new.standfirst, new.body_text);
    END
    """,
]

SQLITE_REBUILD = "INSERT INTO publishing_article_fts (publishing_article_fts) VALUES ('rebuild')"

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS publishing_article_fts_insert",
    "DROP TRIGGER IF EXISTS publishing_article_fts_delete",
    "DROP TRIGGER IF EXISTS publishing_article_fts_update",
    "DROP TABLE IF EXISTS publishing_article_fts",
]

# Written out as Django compiles search._document(): setweight(to_tsvector(config,
# COALESCE(column, '')), weight) for each column, joined with ||.
POSTGRESQL_INDEX = """
CREATE INDEX IF NOT EXISTS publishing_article_search_idx ON publishing_article USING gin ((
    setweight(to_tsvector({config}::regconfig, COALESCE(title, '')), 'A')
    || setweight(to_tsvector({config}::regconfig, COALESCE(standfirst, '')), 'B')
    || setweight(to_tsvector({config}::regconfig, COALESCE(body_text, '')), 'C')
))
"""

POSTGRESQL_DROP = "DROP INDEX IF EXISTS publishing_article_search_idx"


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_TABLE)
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
        # Index the articles that existed before this migration.
        schema_editor.execute(SQLITE_REBUILD)
    elif vendor == "postgresql":
        config = settings.SEARCH_CONFIG
        if not re.fullmatch(r"[A-Za-z_][\w.]*", config):
            raise ImproperlyConfigured(
                f"SEARCH_CONFIG must be a text search configuration name, got {config!r}"
            )
        schema_editor.execute(POSTGRESQL_INDEX.format(config=schema_editor.quote_value(config)))


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
