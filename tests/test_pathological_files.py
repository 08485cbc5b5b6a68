"""Files Broadsheet reads back, whoever last wrote them, are read in time linear in their
length (broadsheet.lib.linear): the demo editor's login file and a PostgreSQL backup's
table of contents. Each call is held to 10 s, a guard against a freeze (the old login
line pattern took half a minute on 50,000 characters), not a speed test.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from broadsheet.db import backups
from broadsheet.demo.content import DemoContentError
from broadsheet.demo.install import read_login_password
from tests.pathological import within_guard

# The demo login file ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("  Editor login:    editor / kept-42\n  Signs in as:     Editor\n", "kept-42"),
        ("Editor login: editor/kept-42", "kept-42"),
        ("Editor login: editor / pass/with/slashes  \n", "pass/with/slashes"),
        ("x" * 50_000 + "\n\n  Editor login:    editor / kept-42\n", "kept-42"),
    ],
)
def test_the_password_is_read_from_the_editor_login_line(
    tmp_path: Path, text: str, password: str
) -> None:
    path = tmp_path / "demo-login.txt"
    path.write_text(text, encoding="utf-8")
    assert within_guard(lambda: read_login_password(path)) == password


@pytest.mark.parametrize(
    "text",
    [
        "Editor login: " + "a/" * 25_000 + " b c\n",
        "Editor login: editor " + " " * 50_000 + "/\n",
        ("Editor login: x /\n" * 3_000),
        "",
    ],
)
def test_a_login_file_without_the_line_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "demo-login.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DemoContentError, match="has no 'Editor login"):
        within_guard(lambda: read_login_password(path))


# A PostgreSQL backup's table of contents (`pg_restore --list`) ----------------------------

POSTGRESQL = SimpleNamespace(vendor="postgresql", display_name="PostgreSQL")
OURS = (
    ";\n; Archive created at 2026-05-09 07:35:25 UTC\n;\n"
    "215; 1259 16390 TABLE public django_migrations broadsheet\n"
    "216; 1259 16400 TABLE public publishing_article broadsheet\n"
    "3401; 0 16390 TABLE DATA public django_migrations broadsheet\n"
)


def check_listing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, listing: str) -> None:
    def pg_restore(tool: str, *args: str, config: Any) -> str:
        assert (tool, args[0]) == ("pg_restore", "--list")
        return listing

    monkeypatch.setattr(backups, "_run", pg_restore)
    source = tmp_path / "nightly.dump"
    source.write_bytes(b"PGDMP")
    within_guard(lambda: backups.check_backup(POSTGRESQL, source))  # type: ignore[arg-type]


def test_a_backup_listing_our_tables_is_accepted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    check_listing(monkeypatch, tmp_path, OURS)
    check_listing(monkeypatch, tmp_path, "x" * 50_000 + "\n" + OURS)


@pytest.mark.parametrize(
    ("listing", "missing"),
    [
        (OURS.replace("publishing_article", "publishing_articletopic"), "publishing_article"),
        (
            OURS.replace("TABLE public publishing", "TABLE DATA public publishing"),
            "publishing_article",
        ),
        (OURS.replace("215; ", "; "), "django_migrations"),
        ("1; " + " TABLE x" * 6_000 + "\n", "django_migrations"),
        ("1" * 50_000, "django_migrations"),
        ("1; " + " TABLE " + "x" * 50_000 + " django_migrations\n", "publishing_article"),
    ],
)
def test_a_backup_without_our_tables_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, listing: str, missing: str
) -> None:
    with pytest.raises(backups.BackupError, match=f"it has no {missing}"):
        check_listing(monkeypatch, tmp_path, listing)
