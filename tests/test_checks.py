"""`broadsheet check` says in plain words what would break once the site runs on more than
one process or server: an unreachable database, a key each server makes for itself, a
cache the workers do not share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.helpers import default_database

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "news", "HOST": "127.0.0.1"}
SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/news/broadsheet.sqlite3"}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/0",
    }
}


def ours(**kwargs: Any) -> dict[str, str]:
    """Broadsheet's own check messages, by id."""
    return {
        message.id: message.msg
        for message in run_checks(**kwargs)
        if message.id and message.id.startswith("broadsheet.")
    }


def test_plain_check_names_an_unreachable_database_but_not_its_password(db: None) -> None:
    with default_database(**POSTGRES, PORT=1, USER="newsroom", PASSWORD="hunter2-secret"):
        with pytest.raises(SystemCheckError) as raised:
            call_command("check")

    report = str(raised.value)
    assert "broadsheet.E001" in report
    assert "Cannot reach the PostgreSQL database 'news' on 127.0.0.1:1 as user 'newsroom'" in (
        report
    )
    assert "hunter2" not in report


def test_a_reachable_database_passes(db: None) -> None:
    assert "broadsheet.E001" not in ours(databases=["default"])


def test_without_databases_the_database_is_not_tried(db: None) -> None:
    # Django's rule for checks tagged "database"; `broadsheet check` names them all.
    with default_database(**POSTGRES, PORT=1):
        assert "broadsheet.E001" not in ours()


@pytest.fixture
def generated_key(settings: Any, tmp_path: Path) -> None:
    """The SECRET_KEY is the one settings.py generated into var/secret_key."""
    settings.VAR_DIR = tmp_path
    (tmp_path / "secret_key").write_text(settings.SECRET_KEY + "\n")


def test_a_generated_key_with_postgresql_warns(generated_key: None, settings: Any) -> None:
    settings.CACHES = REDIS
    with default_database(**POSTGRES):
        found = ours()

    assert "SECRET_KEY is not set in the environment" in found["broadsheet.W002"]


def test_a_generated_key_with_sqlite_is_fine(generated_key: None, settings: Any) -> None:
    with default_database(**SQLITE):
        assert "broadsheet.W002" not in ours()


def test_a_key_from_the_environment_is_fine(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    (tmp_path / "secret_key").write_text("an-old-generated-key")
    with default_database(**POSTGRES):
        assert "broadsheet.W002" not in ours()


@pytest.mark.parametrize(
    ("caches", "workers", "cpus", "expected"),
    [
        (LOCMEM, "4", 1, "Each process has its own cache (LocMemCache) but `broadsheet serve` "
         "runs 4 worker processes"),
        (LOCMEM, "", 8, "runs 8 worker processes"),  # one per CPU by default
        (DUMMY, "2", 1, "There is no cache (DummyCache)"),
    ],
)  # fmt: skip
def test_a_cache_each_worker_keeps_apart_is_an_error(
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    caches: Any,
    workers: str,
    cpus: int,
    expected: str,
) -> None:
    settings.CACHES = caches
    monkeypatch.setenv("WEB_WORKERS", workers)
    monkeypatch.setattr("os.cpu_count", lambda: cpus)

    assert expected in ours()["broadsheet.E003"]


@pytest.mark.parametrize(("workers", "cpus"), [("1", 8), ("", 1)])
def test_a_local_cache_with_one_worker_is_fine(
    settings: Any, monkeypatch: pytest.MonkeyPatch, workers: str, cpus: int
) -> None:
    settings.CACHES = LOCMEM
    monkeypatch.setenv("WEB_WORKERS", workers)
    monkeypatch.setattr("os.cpu_count", lambda: cpus)

    assert "broadsheet.E003" not in ours()


def test_the_error_stops_plain_check(
    db: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CACHES = LOCMEM
    monkeypatch.setenv("WEB_WORKERS", "3")

    with pytest.raises(SystemCheckError, match="broadsheet.E003"):
        call_command("check")


@pytest.mark.parametrize(
    "backend",
    [
        "broadsheet.pagecache.file_cache.FileCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ],
)
def test_a_file_cache_with_postgresql_warns(settings: Any, tmp_path: Path, backend: str) -> None:
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path)}}
    with default_database(**POSTGRES):
        assert "each has its own cache" in ours()["broadsheet.W004"]
    with default_database(**SQLITE):
        assert "broadsheet.W004" not in ours()


def test_redis_with_postgresql_is_fine(settings: Any) -> None:
    settings.CACHES = REDIS
    with default_database(**POSTGRES):
        found = ours()

    assert "broadsheet.E003" not in found
    assert "broadsheet.W004" not in found


def test_an_s3_store_without_its_package_is_an_error(settings: Any) -> None:
    assert "broadsheet.E005" not in ours()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages_not_installed.backends.s3.S3Storage"},
    }

    message = ours()["broadsheet.E005"]

    assert "S3_BUCKET is set" in message and "cannot be loaded" in message
