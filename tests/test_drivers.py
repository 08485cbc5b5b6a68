"""Database and cache drivers are extras: a bare install serves SQLite with the file cache,
and a URL whose driver is missing stops with the extra to install.

A missing driver is simulated, never uninstalled: `sys.modules[name] = None` makes both
`import name` and `importlib.util.find_spec(name)` answer as if it were not there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.helpers import PASSED_THROUGH

DRIVERS = ("psycopg", "psycopg2", "pymysql", "redis")
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def run_without(
    tmp_path: Path, modules: tuple[str, ...], code: str, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh Python, rooted at tmp_path, where `modules` cannot be imported."""
    hide = f"import sys\nfor name in {modules!r}:\n    sys.modules[name] = None\n"
    clean = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    clean.update(
        {"BROADSHEET_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "broadsheet.settings", **env}
    )
    return subprocess.run(
        [sys.executable, "-c", hide + textwrap.dedent(code)],
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_postgres_url_without_psycopg_names_the_extra(tmp_path: Path) -> None:
    result = run_without(
        tmp_path,
        ("psycopg", "psycopg2"),
        "import django; django.setup()",
        DATABASE_URL="postgres://news:pw@db.internal:5432/paper",
    )

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: DATABASE_URL uses PostgreSQL, which "
        "needs the psycopg driver: pip install 'broadsheet[postgres]'"
    )


def test_redis_url_without_redis_names_the_extra(tmp_path: Path) -> None:
    result = run_without(
        tmp_path, ("redis",), "import django; django.setup()", CACHE_URL="redis://cache:6379/1"
    )

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: CACHE_URL uses Redis, which needs the "
        "redis driver: pip install 'broadsheet[redis]'"
    )


def test_a_bare_install_runs_on_sqlite_and_files(tmp_path: Path) -> None:
    """No driver at all: every module imports, the checks pass, a page renders, and a
    database outage still gets the 503 page (lib/outage.py knows Redis only if it is here)."""
    code = """
        import importlib, pkgutil
        import django
        django.setup()
        import broadsheet
        from django.core.management import call_command
        from django.db import OperationalError
        from django.test import Client, RequestFactory, override_settings

        for module in pkgutil.walk_packages(broadsheet.__path__, "broadsheet."):
            if ".migrations." not in module.name:
                importlib.import_module(module.name)
        call_command("check")
        call_command("migrate", verbosity=0)
        from django.conf import settings
        plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
            print("home page", Client().get("/", headers={"host": "localhost"}).status_code)

        from broadsheet.lib import outage
        try:
            raise OperationalError("connection refused")
        except OperationalError:
            response = outage.server_error(RequestFactory().get("/"))
        print("outage", response.status_code, response["Retry-After"])
    """
    result = run_without(tmp_path, DRIVERS, code)

    assert result.returncode == 0, result.stderr
    assert "home page 200" in result.stdout
    assert "outage 503 10" in result.stdout


@pytest.mark.parametrize(
    ("url", "module", "message"),
    [
        (
            "postgres://drupal:hunter2@db.internal/drupal",
            "psycopg",
            "postgres://drupal:***@db.internal/drupal uses PostgreSQL, which needs the psycopg "
            "driver: pip install 'broadsheet[postgres]'. Nothing was imported.",
        ),
        (
            "mariadb://drupal:hunter2@db.internal/drupal",
            "pymysql",
            "mysql://drupal:***@db.internal/drupal uses MySQL or MariaDB, which needs the PyMySQL "
            "driver: pip install 'broadsheet[mysql]'. Nothing was imported.",
        ),
    ],
)
def test_import_drupal_without_its_driver_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, url: str, module: str, message: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)

    with pytest.raises(CommandError) as error:
        call_command("import-drupal", "--database-url", url)

    assert str(error.value) == message


def test_drivers_are_extras_and_dev_installs_them_all() -> None:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    extras = project["optional-dependencies"]
    core = " ".join(project["dependencies"]).lower()

    assert not any(name in core for name in ("psycopg", "pymysql", "redis"))
    assert extras["postgres"] == ["psycopg[binary]>=3.2"]
    assert extras["mysql"] == ["PyMySQL>=1.1"]
    assert extras["redis"] == ["redis>=5.0"]
    assert "broadsheet[postgres,mysql]" in extras["drupal"]
    # `make test` and CI install `.[dev]`; `make demo` installs the bare package.
    assert "broadsheet[postgres,mysql,redis]" in extras["dev"]
