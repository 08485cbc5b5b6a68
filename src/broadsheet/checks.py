"""System checks for a site run on more than one process or machine: `broadsheet check`
says in plain words what would break, before a reader finds out.

- broadsheet.E001: a database cannot be reached (named by engine, host and name; never the
  password). Tagged "database", so Django runs it only for the databases it is given:
  `migrate` gives its own, and `broadsheet check` all of them (our check command).
- broadsheet.W002: the SECRET_KEY is the one settings.py generated into var/secret_key
  while the database is PostgreSQL, which suggests several servers: each would generate
  its own key and refuse the sessions, CSRF tokens and consent cookies signed by another.
- broadsheet.E003: a cache private to each process (local memory) or no cache at all,
  while `broadsheet serve` runs several workers: the page cache's invalidation and the
  rate limits only work when every worker reads and writes the same cache.
- broadsheet.W004: a file-based cache with a PostgreSQL database: shared by the workers
  of one machine, not by several servers.

Registered when the project's app is ready (broadsheet/apps.py).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

PER_PROCESS_CACHES = ("LocMemCache", "DummyCache")


def describe_database(connection: BaseDatabaseWrapper) -> str:
    """The database as an operator would recognise it, without its password."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"the SQLite database {config['NAME']}"
    host = config.get("HOST") or "the local socket"
    port = f":{config['PORT']}" if config.get("PORT") else ""
    user = f" as user {config['USER']!r}" if config.get("USER") else ""
    return f"the {connection.display_name} database {config['NAME']!r} on {host}{port}{user}"


def _without_password(text: str, password: str) -> str:
    text = " ".join(text.split())  # drivers' messages run over several lines
    return text.replace(password, "********") if password else text


@register(Tags.database)
def check_databases_reachable(
    app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:
            reason = _without_password(str(exc), connection.settings_dict.get("PASSWORD", ""))
            messages.append(
                Error(
                    f"Cannot reach {describe_database(connection)}: {reason}",
                    hint="Check DATABASE_URL (or DATABASE_REPLICA_URLS) and that the "
                    "database server is running and accepts connections from here.",
                    obj=f"DATABASES[{alias!r}]",
                    id="broadsheet.E001",
                )
            )
    return messages


def _likely_several_servers() -> bool:
    # SQLite is one file on one machine; PostgreSQL is what several servers share.
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def _secret_key_from_file() -> bool:
    """Whether settings.py fell back to the key it generated under var/."""
    path = settings.VAR_DIR / "secret_key"
    try:
        return path.read_text().strip() == settings.SECRET_KEY
    except OSError:
        return False


@register()
def check_secret_key_shared(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG or not _likely_several_servers() or not _secret_key_from_file():
        return []
    return [
        Warning(
            f"SECRET_KEY is not set in the environment: this server uses the key it "
            f"generated in {settings.VAR_DIR / 'secret_key'}. With a PostgreSQL database "
            "there may be several servers; each would make its own key, and sign-ins, "
            "forms and cookie choices made on one would be refused by another.",
            hint="Set SECRET_KEY to the same long random value on every server "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))').",
            id="broadsheet.W002",
        )
    ]


def web_workers() -> int:
    """How many worker processes `broadsheet serve` starts without --workers (its rule)."""
    try:
        configured = int(os.environ.get("WEB_WORKERS", "0"))
    except ValueError:
        configured = 0
    return configured or (os.cpu_count() or 1)


@register(Tags.caches)
def check_cache_shared(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    backend = settings.CACHES[DEFAULT_CACHE_ALIAS]["BACKEND"].rsplit(".", 1)[-1]
    workers = web_workers()
    if backend in PER_PROCESS_CACHES and workers > 1:
        what = "There is no cache" if backend == "DummyCache" else "Each process has its own cache"
        return [
            Error(
                f"{what} ({backend}) but `broadsheet serve` runs {workers} worker "
                "processes: a change would leave other workers' cached pages stale, "
                "and each worker would count the comment and sign-in rate limits apart.",
                hint="Use a cache every worker shares: CACHE_URL=redis://... (or leave it "
                "unset for files under var/), or set WEB_WORKERS=1.",
                id="broadsheet.E003",
            )
        ]
    if backend in ("FileBasedCache", "FileCache") and _likely_several_servers():
        return [
            Warning(
                "The cache is files on this machine (FileBasedCache) while the database is "
                "PostgreSQL: if several servers run the site, each has its own cache, so a "
                "change leaves the others' cached pages stale and rate limits count apart.",
                hint="With more than one server, set CACHE_URL=redis://... on all of them; "
                "a site on one server can ignore this warning.",
                id="broadsheet.W004",
            )
        ]
    return []


@register()
def check_media_storage(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    backend = settings.STORAGES["default"]["BACKEND"]
    module = backend.rsplit(".", 1)[0]
    try:
        importlib.import_module(module)
    except ImportError as exc:
        return [
            Error(
                f"Media are to be stored with {backend} (S3_BUCKET is set), which cannot "
                f"be loaded: {exc}.",
                hint="Install the S3 support: pip install 'broadsheet[s3]' "
                "(django-storages with boto3), or unset S3_BUCKET to keep media in MEDIA_ROOT.",
                id="broadsheet.E005",
            )
        ]
    return []
