"""`broadsheet backup FILE` and `broadsheet restore FILE`: a consistent copy made while the
site runs, put back only when it is a whole Broadsheet backup and the operator agrees."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.helpers import default_database

BROADSHEET = str(Path(sys.executable).with_name("broadsheet"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_TEST_DATABASE = "broadsheet_backup_test"
SQLITE = "django.db.backends.sqlite3"


def broadsheet(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The console script, as an operator runs it, on the site in `home`."""
    clean = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    clean.update({"BROADSHEET_HOME": str(home), "BROADSHEET_VAR_DIR": str(home / "var"), **env})
    return subprocess.run(
        [BROADSHEET, *args],
        env=clean,
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated SQLite database, copied by each test that needs one."""
    home = tmp_path_factory.mktemp("migrated")
    result = broadsheet(home, "migrate", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr
    return home / "var" / "broadsheet.sqlite3"


def with_topics(migrated: Path, home: Path) -> Path:
    """A copy of the migrated database in home/var with the topics Housing and Transport."""
    (home / "var").mkdir(exist_ok=True)
    path = home / "var" / "broadsheet.sqlite3"
    shutil.copy(migrated, path)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")  # as the site runs it
        db.executemany(
            "INSERT INTO publishing_topic (name, slug, description) VALUES (?, ?, '')",
            [("Housing", "housing"), ("Transport", "transport")],
        )
    return path


@pytest.fixture
def site(migrated: Path, tmp_path: Path, db: None) -> Iterator[Path]:
    """This process's default database, for the commands run here: an SQLite file of its
    own holding the topics Housing and Transport."""
    path = with_topics(migrated, tmp_path)
    with default_database(ENGINE=SQLITE, NAME=str(path), OPTIONS={"timeout": 5}):
        yield path


def topics(path: Path) -> list[str]:
    db = sqlite3.connect(path)
    try:
        return [name for (name,) in db.execute("SELECT name FROM publishing_topic ORDER BY 1")]
    finally:
        db.close()


def rename_topics(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM publishing_topic WHERE name = 'Transport'")
        db.execute("UPDATE publishing_topic SET name = 'Renamed'")


def test_sqlite_round_trip_with_the_console_script(migrated: Path, tmp_path: Path) -> None:
    live = with_topics(migrated, tmp_path)
    backup_file = tmp_path / "nightly.sqlite3"

    made = broadsheet(tmp_path, "backup", str(backup_file))
    rename_topics(live)
    assert topics(live) == ["Renamed"]
    restored = broadsheet(tmp_path, "restore", str(backup_file), "--yes")

    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"Backed up the SQLite database {live} to {backup_file}")
    assert restored.returncode == 0, restored.stderr
    assert f"Restored the SQLite database {live}" in restored.stdout
    assert "Emptied the cache" in restored.stdout
    assert topics(live) == ["Housing", "Transport"]
    with sqlite3.connect(live) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # still the live file


def test_a_backup_is_made_while_a_writer_holds_the_database(site: Path, tmp_path: Path) -> None:
    writer = sqlite3.connect(site, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO publishing_topic (name, slug, description) VALUES ('Ports', 'p', '')"
    )
    try:
        call_command("backup", str(tmp_path / "during.sqlite3"), verbosity=0)
    finally:
        writer.execute("COMMIT")
        writer.close()

    # The copy is the database as committed when it was made, in one self-contained file.
    assert topics(tmp_path / "during.sqlite3") == ["Housing", "Transport"]
    copy = sqlite3.connect(tmp_path / "during.sqlite3")
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copy.close()
    assert topics(site) == ["Housing", "Ports", "Transport"]


def _answer(text: str | None) -> Callable[[str], str]:
    def answer(prompt: str) -> str:
        assert "Type 'yes' to continue" in prompt
        if text is None:
            raise EOFError  # no terminal: nobody to ask
        return text

    return answer


@pytest.mark.parametrize("typed", [None, "", "no", "y"])
def test_restore_asks_and_changes_nothing_unless_told_yes(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str | None
) -> None:
    call_command("backup", str(tmp_path / "b.sqlite3"), verbosity=0)
    rename_topics(site)
    monkeypatch.setattr("builtins.input", _answer(typed))

    with pytest.raises(CommandError, match="Restore cancelled; nothing was changed"):
        call_command("restore", str(tmp_path / "b.sqlite3"))

    assert topics(site) == ["Renamed"]


def test_restore_goes_ahead_when_the_operator_types_yes(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_command("backup", str(tmp_path / "b.sqlite3"), verbosity=0)
    rename_topics(site)
    monkeypatch.setattr("builtins.input", _answer("yes"))

    call_command("restore", str(tmp_path / "b.sqlite3"), verbosity=0)

    assert topics(site) == ["Housing", "Transport"]


def _not_sqlite(path: Path, migrated: Path) -> None:
    path.write_text("SELECT * FROM publishing_topic;\n")


def _another_apps_database(path: Path, migrated: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")


def _cut_short(path: Path, migrated: Path) -> None:
    path.write_bytes(migrated.read_bytes()[:16384])


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_not_sqlite, "is not an SQLite database"),
        (_another_apps_database, "is not a Broadsheet backup: it has no django_migrations"),
        (_cut_short, "is damaged"),
    ],
)
def test_restore_refuses_a_file_that_is_not_a_whole_broadsheet_backup(
    site: Path,
    tmp_path: Path,
    migrated: Path,
    spoil: Callable[[Path, Path], None],
    reason: str,
) -> None:
    suspect = tmp_path / "suspect.sqlite3"
    spoil(suspect, migrated)

    with pytest.raises(CommandError) as refused:
        call_command("restore", str(suspect), yes=True)

    assert reason in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    assert topics(site) == ["Housing", "Transport"]


def test_restore_of_a_missing_file_says_so(site: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no file"):
        call_command("restore", str(tmp_path / "nowhere.sqlite3"), yes=True)


# PostgreSQL: a database of its own on the local server, made and dropped by the test.


def _postgres(sql: str, database: str = "postgres") -> list[str]:
    import psycopg

    url = f"{POSTGRES_SERVER}/{database}"
    with psycopg.connect(url, autocommit=True, connect_timeout=3) as db:
        cursor = db.execute(sql)  # type: ignore[arg-type]
        return [row[0] for row in cursor.fetchall()] if cursor.description else []


@pytest.fixture
def postgres_site(tmp_path: Path) -> Iterator[str]:
    """A migrated database on the local PostgreSQL server; its DATABASE_URL."""
    import psycopg

    try:
        _postgres(f"DROP DATABASE IF EXISTS {POSTGRES_TEST_DATABASE} WITH (FORCE)")
        _postgres(f"CREATE DATABASE {POSTGRES_TEST_DATABASE}")
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL is not reachable at {POSTGRES_SERVER} ({exc})"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    url = f"{POSTGRES_SERVER}/{POSTGRES_TEST_DATABASE}"
    try:
        migrate = broadsheet(tmp_path, "migrate", "--noinput", "-v0", DATABASE_URL=url)
        assert migrate.returncode == 0, migrate.stderr
        yield url
    finally:
        _postgres(f"DROP DATABASE IF EXISTS {POSTGRES_TEST_DATABASE} WITH (FORCE)")


def test_postgresql_round_trip(postgres_site: str, tmp_path: Path) -> None:
    def query(sql: str) -> list[str]:
        return _postgres(sql, POSTGRES_TEST_DATABASE)

    query(
        "INSERT INTO publishing_topic (name, slug, description) "
        "VALUES ('Housing', 'housing', ''), ('Transport', 'transport', '')"
    )
    backup_file = tmp_path / "nightly.dump"

    made = broadsheet(tmp_path, "backup", str(backup_file), DATABASE_URL=postgres_site)
    query("DELETE FROM publishing_topic WHERE name = 'Transport'")
    query("UPDATE publishing_topic SET name = 'Renamed'")
    assert query("SELECT name FROM publishing_topic") == ["Renamed"]
    restored = broadsheet(
        tmp_path, "restore", str(backup_file), "--yes", DATABASE_URL=postgres_site
    )

    assert made.returncode == 0, made.stderr
    assert f"Backed up the PostgreSQL database '{POSTGRES_TEST_DATABASE}'" in made.stdout
    assert backup_file.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert restored.returncode == 0, restored.stderr
    assert query("SELECT name FROM publishing_topic ORDER BY 1") == ["Housing", "Transport"]


# Neither needs a server: the file is checked, and the tools looked for, before connecting.
UNREACHABLE_POSTGRES = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "news",
    "HOST": "127.0.0.1",
    "PORT": 1,
}


def test_postgresql_restore_refuses_a_file_that_is_not_a_dump(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a dump\n")

    with default_database(**UNREACHABLE_POSTGRES):
        with pytest.raises(CommandError) as refused:
            call_command("restore", str(tmp_path / "notes.txt"), yes=True)

    assert "pg_restore failed" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)


def test_without_the_postgresql_tools_the_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    with default_database(**UNREACHABLE_POSTGRES):
        with pytest.raises(CommandError) as failed:
            call_command("backup", str(tmp_path / "b.dump"))

    assert "pg_dump is not installed" in str(failed.value)
    assert "postgresql-client" in str(failed.value)
    assert not (tmp_path / "b.dump").exists()
