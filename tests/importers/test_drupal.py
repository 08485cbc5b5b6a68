"""`broadsheet import-drupal`: a Drupal 7 or Drupal 10 site, read from its database, as
readers then see it on the article page (bylines, topics, threaded comments with Drupal's
"(not verified)"), its old addresses redirecting, a second run changing nothing, and every
problem with the database stopping the command before anything is stored.

The sites are built by `drupal_schemas.py`: SQLite files here, and the same Drupal 10
site in MariaDB (127.0.0.1:3306, root) and the Drupal 7 one in PostgreSQL when those run.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.importers.drupal import DrupalError, open_drupal
from broadsheet.importers.models import ImportedItem, Redirect
from broadsheet.publishing.models import Article
from tests.helpers import page_of, reply_depth, submitted_lines
from tests.importers.drupal_schemas import build_drupal7, build_drupal10

pytestmark = pytest.mark.django_db
Build = Callable[..., None]

SITES = [
    pytest.param(build_drupal7, "byline", ["Zoë Ångström", "Sam Okoro"], id="drupal7"),
    # Drupal 10's byline field refers to accounts: bernd's account gives his name.
    pytest.param(build_drupal10, "field_byline", ["Zoë Ångström", "bernd"], id="drupal10"),
]


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"


def sqlite_site(tmp_path: Path, build: Build, **options: Any) -> str:
    path = tmp_path / "drupal.sqlite"
    conn = sqlite3.connect(path)
    build(conn, **options)
    conn.close()
    return f"sqlite:///{path}"


def run(url: str, *args: str) -> str:
    out = StringIO()
    call_command("import-drupal", "--database-url", url, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def assert_site_imported(client: Client, bylines: list[str]) -> None:
    """What the Drupal site of `drupal_schemas.py` must look like once imported."""
    assert sorted(Article.objects.values_list("title", "status")) == [
        ("Café closes — for now", Article.Status.DRAFT),
        ("Tenants win the Harrow Court vote", Article.Status.PUBLISHED),
    ]
    article = Article.objects.get(slug="harrow-court-vote")
    assert article.submitted_by.public_name == "Zoë Ångström"

    response: HttpResponse = client.get(article.get_absolute_url())  # type: ignore[assignment]
    assert response.status_code == 200
    page = response.content.decode()
    assert "The vote was 212 to 9." in page and "alert(1)" not in page
    shown = page_of(response)
    assert shown.find("p", "byline").text == f"Author: {bylines[0]} and {bylines[1]}"  # type: ignore[union-attr]
    assert shown.find("p", "topics").text == "Topics: Housing, Tenants' rights"  # type: ignore[union-attr]
    # Drupal's thread order (cid 4 replied before the held cid 3 came); held not shown.
    lines = submitted_lines(response)
    assert [line.split(" on ")[0] for line in lines] == [
        "Submitted by Morwenna Tate (not verified)",
        "Submitted by bernd",
        "Submitted by Dev Patel (not verified)",
    ]
    assert "Ålfhild" not in page
    reply = Comment.objects.get(name="bernd")
    assert reply_depth(response, reply) == 1
    assert reply.user is not None and reply.parent is not None
    assert reply.parent.name == "Morwenna Tate"

    morwenna = Comment.objects.get(name="Morwenna Tate")
    assert (morwenna.email, morwenna.homepage, morwenna.user) == (
        "morwenna@example.org",
        "https://morwenna.example",
        None,
    )
    assert Comment.objects.get(name="Ålfhild").status == Comment.Status.HELD

    for old in ("/news/harrow-court-vote", "/node/1"):
        redirected = client.get(old)
        assert (redirected.status_code, redirected["Location"]) == (301, article.get_absolute_url())
    draft = Article.objects.get(status=Article.Status.DRAFT)
    assert draft.topics.get().name == "Local economy"  # from the field: not in taxonomy_index
    assert draft.comments_mode == Article.Comments.CLOSED
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(("build", "byline_field", "bylines"), SITES)
def test_site_is_imported_as_readers_then_see_it(
    tmp_path: Path, client: Client, build: Build, byline_field: str, bylines: list[str]
) -> None:
    output = run(sqlite_site(tmp_path, build), "--byline-field", byline_field)

    assert_site_imported(client, bylines)
    assert "article: 2 created, 0 updated, 0 unchanged, 2 skipped" in output
    assert "1 node type 'page' not in --content-types" in output
    assert "comment: 4 created, 0 updated, 0 unchanged, 1 skipped" in output
    assert "'drupal:drupal'" in output


@pytest.mark.parametrize(("build", "byline_field", "bylines"), SITES)
def test_second_run_changes_nothing_and_a_third_takes_edits(
    tmp_path: Path, client: Client, build: Build, byline_field: str, bylines: list[str]
) -> None:
    url = sqlite_site(tmp_path, build)
    run(url, "--byline-field", byline_field)
    again = run(url, "--byline-field", byline_field)

    assert "article: 0 created, 0 updated, 2 unchanged" in again
    assert "comment: 0 created, 0 updated, 4 unchanged" in again
    assert (Article.objects.count(), Comment.objects.count(), Redirect.objects.count()) == (
        2,
        4,
        3,
    )
    assert_site_imported(client, bylines)

    table = "node" if build is build_drupal7 else "node_field_data"
    with sqlite3.connect(tmp_path / "drupal.sqlite") as conn:
        conn.execute(f"UPDATE {table} SET title = 'Tenants win the vote', changed = changed + 1 "
                     "WHERE nid = 1")  # fmt: skip
    third = run(url, "--byline-field", byline_field)
    assert "article: 0 created, 1 updated, 1 unchanged" in third
    assert Article.objects.get(slug="harrow-court-vote").title == "Tenants win the vote"


def test_content_types_and_table_prefix(tmp_path: Path, client: Client) -> None:
    url = sqlite_site(tmp_path, build_drupal10, prefix="d10_")

    output = run(url, "--table-prefix", "d10_", "--content-types", "article, story")

    assert "article: 3 created" in output and "node type 'page'" in output
    story = Article.objects.get(title="Bus route 41 returns")
    assert client.get(story.get_absolute_url()).status_code == 200


def test_source_name_keeps_two_sites_apart(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    run(sqlite_site(tmp_path / "a", build_drupal7), "--source-name", "north")
    run(sqlite_site(tmp_path / "b", build_drupal10), "--source-name", "south")

    sources = set(ImportedItem.objects.values_list("source", flat=True))
    assert sources == {"drupal:north", "drupal:south"}
    assert Article.objects.count() == 4


def test_the_source_is_opened_read_only(tmp_path: Path) -> None:
    site = open_drupal(sqlite_site(tmp_path, build_drupal7))
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            site.db.conn.execute("DELETE FROM node")
    finally:
        site.db.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@127.0.0.1:1/drupal", "cannot open the Drupal database mysql://"),
        ("postgres://u:hunter2@127.0.0.1:1/drupal", "postgres://u:***@127.0.0.1:1/drupal"),
        ("sqlite:////nonexistent/drupal.sqlite", "cannot open the Drupal database"),
        ("oracle://host/drupal", "use a sqlite://, postgres:// or mysql://"),
    ],
)
def test_unreachable_database_is_named_without_its_password(url: str, message: str) -> None:
    with pytest.raises(CommandError, match="Nothing was imported") as error:
        run(url)
    assert message in str(error.value) and "hunter2" not in str(error.value)


def test_a_database_that_is_not_drupal(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE wp_posts (id INTEGER)").connection.close()

    with pytest.raises(CommandError, match="not a Drupal database.*--table-prefix"):
        run(f"sqlite:///{path}")


def test_a_missing_table_is_named(tmp_path: Path) -> None:
    url = sqlite_site(tmp_path, build_drupal10)
    with sqlite3.connect(tmp_path / "drupal.sqlite") as conn:
        conn.execute("DROP TABLE comment__comment_body")
        conn.execute("DROP TABLE users_field_data")

    with pytest.raises(CommandError) as error:
        run(url)
    assert "Drupal 8 or later database, but missing: users_field_data, comment__comment_body" in (
        str(error.value)
    )


def test_an_unknown_byline_field_lists_the_fields_there_are(tmp_path: Path) -> None:
    url = sqlite_site(tmp_path, build_drupal7)

    with pytest.raises(CommandError) as error:
        run(url, "--byline-field", "field_writer")
    assert "no byline field 'field_writer'" in str(error.value)
    assert "node fields here: body, comment_body, field_byline, field_tags" in str(error.value)


def test_an_error_while_reading_stores_nothing(tmp_path: Path) -> None:
    url = sqlite_site(tmp_path, build_drupal7)
    with sqlite3.connect(tmp_path / "drupal.sqlite") as conn:  # a site Drupal never made
        conn.execute("ALTER TABLE comment RENAME COLUMN thread TO vancode")

    with pytest.raises(CommandError, match="(?s)no such column: c.thread.*Nothing was imported"):
        run(url)
    assert not Article.objects.exists() and not ImportedItem.objects.exists()


# The same sites on the servers Drupal usually runs on -----------------------------------


def _server_or_skip(name: str, connect: Callable[[], Any]) -> Any:
    try:
        return connect()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is needed under CI=true: {exc}")
        pytest.skip(f"{name} not reachable at 127.0.0.1 ({exc})")


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A database of its own on the MariaDB at 127.0.0.1:3306, dropped afterwards."""
    import pymysql  # type: ignore[import-untyped]

    def connect() -> Any:
        return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="",
                               charset="utf8mb4", connect_timeout=3)  # fmt: skip

    server = _server_or_skip("MariaDB", connect)
    name = f"broadsheet_drupal_{secrets.token_hex(4)}"
    server.cursor().execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    try:
        server.select_db(name)
        build_drupal10(server, paramstyle="format")
        yield f"mysql://root@127.0.0.1:3306/{name}"
    finally:
        server.cursor().execute(f"DROP DATABASE {name}")
        server.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of its own on the PostgreSQL of DATABASE_URL (else postgres@127.0.0.1),
    dropped afterwards."""
    import psycopg

    def connect() -> Any:
        url = os.environ.get("DATABASE_URL", "")  # the suite's own server, in CI's second pass
        if not url.startswith("postgres"):
            url = "postgresql://postgres@127.0.0.1/postgres"
        return psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=3)

    server = _server_or_skip("PostgreSQL", connect)
    name = f"broadsheet_drupal_{secrets.token_hex(4)}"
    server.execute(f"CREATE DATABASE {name}")
    info = server.info
    login = quote(info.user) + (f":{quote(info.password)}" if info.password else "")
    url = f"postgres://{login}@{info.host}:{info.port}/{name}"
    try:
        with psycopg.connect(server.info.dsn, dbname=name) as conn:
            build_drupal7(conn, paramstyle="format")
        yield url
    finally:
        server.execute(f"DROP DATABASE {name} WITH (FORCE)")
        server.close()


def test_drupal10_on_mariadb(mariadb_url: str, client: Client) -> None:
    output = run(mariadb_url, "--byline-field", "field_byline")

    assert_site_imported(client, ["Zoë Ångström", "bernd"])
    assert "Drupal 8+ import as 'drupal:broadsheet_drupal_" in output
    assert "article: 0 created, 0 updated, 2 unchanged" in run(
        mariadb_url, "--byline-field", "field_byline"
    )


def test_drupal7_on_postgresql(postgres_url: str, client: Client) -> None:
    run(postgres_url, "--byline-field", "byline")

    assert_site_imported(client, ["Zoë Ångström", "Sam Okoro"])


@pytest.mark.parametrize("server", ["mariadb_url", "postgres_url"])
def test_server_sessions_are_read_only(server: str, request: pytest.FixtureRequest) -> None:
    site = open_drupal(request.getfixturevalue(server))
    try:
        with pytest.raises(DrupalError, match="(?i)read.only transaction"):
            site.db.rows("DELETE FROM {node}")
    finally:
        site.db.close()
