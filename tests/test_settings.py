"""Configuration from the environment: safe defaults, clear errors, durable SQLite."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.helpers import BROADSHEET, PASSED_THROUGH, run_broadsheet, show


def test_defaults_are_safe(tmp_path: Path) -> None:
    assert show(tmp_path, "settings.DEBUG") == "False"
    assert show(tmp_path, "settings.DATABASES['default']['NAME']") == str(
        tmp_path / "var" / "broadsheet.sqlite3"
    )
    # Files under var/: one cache for every worker process (the page cache needs that).
    backend = show(tmp_path, "settings.CACHES['default']['BACKEND']")
    assert backend == "broadsheet.pagecache.file_cache.FileCache"
    assert show(tmp_path, "settings.CACHES['default']['LOCATION']") == str(
        tmp_path / "var" / "cache"
    )
    assert "console" in show(tmp_path, "settings.EMAIL_BACKEND")


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = show(tmp_path, "settings.SECRET_KEY")
    second = show(tmp_path, "settings.SECRET_KEY")

    key_file = tmp_path / "var" / "secret_key"
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert show(tmp_path, "settings.SECRET_KEY", SECRET_KEY="from-the-environment") == (
        "from-the-environment"
    )


def test_environment_and_dotenv_are_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SITE_NAME=The Harbour Gazette\nDEBUG=true\n")

    assert show(tmp_path, "settings.SITE_NAME") == "The Harbour Gazette"
    assert show(tmp_path, "settings.DEBUG") == "True"
    assert show(tmp_path, "settings.SITE_NAME", SITE_NAME="Override") == "Override"


def test_urls_choose_postgres_redis_and_smtp(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgres://news:pw@db.internal:5433/paper",
        "CACHE_URL": "redis://127.0.0.1:6379/3",
        "EMAIL_URL": "smtp://mailer:secret@mail.internal:587",
    }
    expression = (
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['PORT'],"
        " settings.CACHES['default']['BACKEND'], settings.EMAIL_HOST, settings.EMAIL_PORT"
    )
    assert show(tmp_path, expression, **env) == (
        "django.db.backends.postgresql 5433 django.core.cache.backends.redis.RedisCache"
        " mail.internal 587"
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "oracle://scott:tiger@db/orcl"),
        ("CACHE_URL", "nonsense://x"),
        ("EMAIL_URL", "carrier-pigeon://loft"),
        ("ARTICLES_PER_PAGE", "ten"),
    ],
)
def test_a_bad_value_names_the_variable(tmp_path: Path, variable: str, value: str) -> None:
    result = run_broadsheet(tmp_path, "check", **{variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_sqlite_runs_in_wal_with_full_sync_and_a_busy_timeout(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        from django.db import connection
        with connection.cursor() as cursor:
            values = []
            for pragma in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys"):
                cursor.execute(f"PRAGMA {pragma}")
                values.append(str(cursor.fetchone()[0]))
        print(" ".join(values), connection.transaction_mode)
        """
    )
    result = run_broadsheet(tmp_path, "shell", "--no-imports", "-c", code)

    assert result.returncode == 0, result.stderr
    # synchronous 2 is FULL; the busy timeout is in milliseconds.
    assert result.stdout.split()[-5:] == ["wal", "2", "20000", "1", "IMMEDIATE"]


def test_concurrent_writers_wait_instead_of_failing(tmp_path: Path) -> None:
    """Two processes each run read-then-write transactions on one SQLite file: with
    IMMEDIATE transactions and a busy timeout none of them fails with 'database is locked'."""
    assert run_broadsheet(tmp_path, "migrate", "--noinput").returncode == 0
    code = textwrap.dedent(
        """
        from django.db import transaction
        from broadsheet.publishing.models import Topic
        for i in range(40):
            with transaction.atomic():
                count = Topic.objects.count()
                Topic.objects.create(name=f"{WORKER}-{i}-{count}", slug=f"{WORKER}-{i}")
        print("done")
        """
    )
    clean = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    clean["BROADSHEET_HOME"] = str(tmp_path)
    workers = [
        subprocess.Popen(
            [BROADSHEET, "shell", "--no-imports", "-c", code.replace("{WORKER}", name)],
            env=clean,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]

    for worker, (stdout, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
        assert stdout.strip().endswith("done")
    topics = "__import__('broadsheet.publishing.models').publishing.models.Topic.objects"
    assert show(tmp_path, f"{topics}.count()") == "80"


def test_media_go_to_an_s3_compatible_store_when_a_bucket_is_named(tmp_path: Path) -> None:
    assert show(tmp_path, "settings.STORAGES['default']['BACKEND']") == (
        "django.core.files.storage.FileSystemStorage"
    )
    s3 = {
        "S3_BUCKET": "newsroom-media",
        "S3_ENDPOINT_URL": "https://objects.example.net",
        "S3_ACCESS_KEY_ID": "key-id",
        "S3_SECRET_ACCESS_KEY": "secret",
    }
    assert show(tmp_path, "settings.STORAGES['default']['BACKEND']", **s3) == (
        "storages.backends.s3.S3Storage"
    )
    options = show(tmp_path, "sorted(settings.STORAGES['default']['OPTIONS'].items())", **s3)
    for pair in [
        "('bucket_name', 'newsroom-media')",
        "('endpoint_url', 'https://objects.example.net')",
        "('access_key', 'key-id')",
        "('querystring_auth', False)",
    ]:
        assert pair in options
