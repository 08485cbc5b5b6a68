"""The `broadsheet` console script behaves like django-admin with the project's settings."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_broadsheet


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


def test_a_fresh_migrate_gives_editors_and_moderators_their_permissions(tmp_path: Path) -> None:
    # On a fresh database post_migrate reaches our apps before auth creates permissions.
    assert run_broadsheet(tmp_path, "migrate", "--noinput").returncode == 0
    code = (
        "from django.contrib.auth.models import Group\n"
        "for name in ('Editors', 'Moderators'):\n"
        "    perms = Group.objects.get(name=name).permissions.values_list('codename', flat=True)\n"
        "    print(name, sorted(perms))\n"
    )
    result = run_broadsheet(tmp_path, "shell", "--no-imports", "-c", code)

    assert result.returncode == 0, result.stderr
    editors, moderators = result.stdout.strip().splitlines()[-2:]
    for codename in ("change_article", "add_author", "view_consentrecord", "change_policypage"):
        assert f"'{codename}'" in editors
    for codename in ("moderate_comment", "add_ban", "view_moderationlogentry"):
        assert f"'{codename}'" in moderators
