"""The `broadsheet` console script behaves like django-admin with the project's settings."""

from __future__ import annotations

from pathlib import Path

from tests.test_settings import run_broadsheet


def test_lists_django_and_broadsheet_commands(tmp_path: Path) -> None:
    result = run_broadsheet(tmp_path, "help")

    assert result.returncode == 0, result.stderr
    for command in ("migrate", "createsuperuser", "runserver", "serve", "demo-content"):
        assert command in result.stdout


def test_migrate_then_check_on_a_fresh_directory(tmp_path: Path) -> None:
    assert run_broadsheet(tmp_path, "migrate", "--noinput").returncode == 0
    result = run_broadsheet(tmp_path, "check")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert (tmp_path / "var" / "broadsheet.sqlite3").exists()
