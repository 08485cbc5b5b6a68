"""A throwaway Django site for the in-process benchmarks: the production settings on an
SQLite database and a local-memory cache in a temporary directory, migrated, so a bench
ignores var/, DATABASE_URL and CACHE_URL."""

from __future__ import annotations

import os
from pathlib import Path


def setup_django(
    directory: Path, cache_name: str, *, collect_static: bool = False, **environment: str
) -> None:
    """Point the settings at `directory`, apply `environment` (more settings, by their
    variable names), set Django up and migrate; `collect_static` for benches that render
    pages with the manifest storage."""
    os.environ["BROADSHEET_VAR_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["CACHE_URL"] = f"locmemcache://{cache_name}"
    os.environ.update(environment)
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    if collect_static:
        call_command("collectstatic", interactive=False, verbosity=0)
