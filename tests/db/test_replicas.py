"""Read replicas: reads go to a replica only when they need not be current; writes,
migrations and pages the page cache may store use the primary; a client that wrote reads
from the primary for READ_YOUR_WRITES_SECONDS, on any server, through a small cookie.

The unit tests run the middleware and router around a stand-in view that notes where its
reads would go. The PostgreSQL test runs two real servers (`broadsheet serve`) against a
primary and a "replica" of our own: a copy of the primary taken before a later change, so
the replica lags and each page says which database it was read from.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from broadsheet.consent.services import cookie_categories, necessary_cookie_names
from broadsheet.db.replicas import COOKIE_NAME, ReplicaMiddleware, ReplicaRouter, read_alias
from broadsheet.pagecache.middleware import PageCacheMiddleware
from broadsheet.publishing.models import Article
from tests.helpers import BROADSHEET, SAME_ORIGIN, free_port, make_article, run_broadsheet, show

REPLICAS = ["replica_1", "replica_2"]
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def with_replicas(settings: Any) -> None:
    # Aliases the router may name; the stand-in views never open them.
    settings.DATABASE_REPLICAS = REPLICAS
    settings.READ_YOUR_WRITES_SECONDS = 10


@pytest.fixture
def clock() -> Iterator[Callable[[float], None]]:
    """The site's clock, stopped at NOW; call it with seconds to move it on."""
    current = [NOW]

    def advance(seconds: float) -> None:
        current[0] += timedelta(seconds=seconds)

    with mock.patch("django.utils.timezone.now", lambda: current[0]):
        yield advance


def serve(
    view: Callable[[HttpRequest], HttpResponse], request: HttpRequest
) -> tuple[HttpResponse, list[str]]:
    """Run `request` through the middleware to `view`; returns the response and where
    each read the view made went."""
    reads: list[str] = []

    def noting(request: HttpRequest) -> HttpResponse:
        reads.append(read_alias())
        response = view(request)
        reads.append(read_alias())
        return response

    return ReplicaMiddleware(noting)(request), reads


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<p>A page</p>")


def get(path: str = "/articles/tenants/", **cookies: str) -> HttpRequest:
    request = RequestFactory().get(path)
    request.COOKIES.update(cookies)
    return request


def pinned_cookie(response: HttpResponse) -> str | None:
    morsel = response.cookies.get(COOKIE_NAME)
    return None if morsel is None else morsel.value


# The router on its own.


def test_reads_outside_a_request_go_to_the_primary(with_replicas: None) -> None:
    # Management commands and the mail worker act on what they read.
    assert ReplicaRouter().db_for_read(Article) == DEFAULT_DB_ALIAS


def test_writes_and_migrations_go_to_the_primary_only(with_replicas: None) -> None:
    router = ReplicaRouter()
    assert router.db_for_write(Article) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "publishing")
    assert not router.allow_migrate("replica_1", "publishing")


def test_rows_from_the_primary_and_a_replica_may_be_related(with_replicas: None) -> None:
    from_primary, from_replica, elsewhere = Article(), Article(), Article()
    from_primary._state.db = DEFAULT_DB_ALIAS
    from_replica._state.db = "replica_2"
    elsewhere._state.db = "archive"

    router = ReplicaRouter()
    assert router.allow_relation(from_primary, from_replica) is True
    assert router.allow_relation(from_primary, elsewhere) is None


# The middleware and the read-your-writes window.


def test_an_anonymous_reader_who_did_not_write_reads_one_replica_throughout(
    with_replicas: None,
) -> None:
    response, reads = serve(page, get("/search/?q=tenants"))

    assert reads[0] in REPLICAS
    assert reads == [reads[0]] * 2, "one replica for the whole request"
    assert pinned_cookie(response) is None


def test_the_choice_of_replica_is_spread_over_requests(with_replicas: None) -> None:
    chosen = {serve(page, get("/search/?q=tenants"))[1][0] for _ in range(60)}
    assert chosen == set(REPLICAS)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_writing_request_reads_the_primary_and_pins_the_client(
    with_replicas: None, clock: Callable[[float], None], method: str
) -> None:
    response, reads = serve(page, getattr(RequestFactory(), method)("/comments/"))

    assert reads == [DEFAULT_DB_ALIAS] * 2
    morsel = response.cookies[COOKIE_NAME]
    assert morsel.value == str(int(NOW.timestamp()) + 10)
    assert morsel["max-age"] == 10
    assert morsel["httponly"] and morsel["samesite"] == "Lax"


def test_a_client_that_wrote_reads_the_primary_until_the_window_closes(
    with_replicas: None, clock: Callable[[float], None]
) -> None:
    posted, _ = serve(page, RequestFactory().post("/comments/"))
    cookie = pinned_cookie(posted)
    assert cookie is not None

    clock(9)
    during, reads_during = serve(page, get(**{COOKIE_NAME: cookie}))
    clock(1)
    after, reads_after = serve(page, get(**{COOKIE_NAME: cookie}))

    assert reads_during == [DEFAULT_DB_ALIAS] * 2
    assert reads_after[0] in REPLICAS
    assert pinned_cookie(during) is None and pinned_cookie(after) is None, "reads renew nothing"


def test_a_cookie_that_is_not_a_time_pins_nothing(with_replicas: None) -> None:
    for value in ("soon", "nan", "inf", ""):
        _, reads = serve(page, get(**{COOKIE_NAME: value}))
        assert reads[0] in REPLICAS, value


def test_a_get_that_writes_reads_the_primary_from_then_on_and_pins_the_client(
    with_replicas: None,
) -> None:
    def confirming(request: HttpRequest) -> HttpResponse:
        ReplicaRouter().db_for_write(Article)  # as a save() asks
        return HttpResponse("Confirmed")

    response, reads = serve(confirming, get("/comments/confirm/abc/"))

    assert reads[0] in REPLICAS
    assert reads[1] == DEFAULT_DB_ALIAS
    assert pinned_cookie(response) is not None


def test_a_window_of_zero_keeps_only_the_writing_request_on_the_primary(
    with_replicas: None, settings: Any
) -> None:
    settings.READ_YOUR_WRITES_SECONDS = 0
    response, reads = serve(page, RequestFactory().post("/comments/"))
    assert reads == [DEFAULT_DB_ALIAS] * 2
    assert pinned_cookie(response) is None


def test_without_replicas_everything_reads_the_primary_and_no_cookie_is_set(
    settings: Any,
) -> None:
    settings.DATABASE_REPLICAS = []
    response, reads = serve(page, RequestFactory().post("/comments/"))
    _, get_reads = serve(page, get())
    assert reads == get_reads == [DEFAULT_DB_ALIAS] * 2
    assert pinned_cookie(response) is None


def test_pages_the_page_cache_may_store_read_the_primary(with_replicas: None) -> None:
    reads: list[str] = []

    def article_page(request: HttpRequest) -> HttpResponse:
        reads.append(read_alias())
        return HttpResponse("<h1>Tenants organise</h1>")

    stack = ReplicaMiddleware(PageCacheMiddleware(article_page))
    stack(get("/articles/tenants/"))  # shared with every anonymous reader: may be stored
    stack(get("/articles/tenants/?from=feed"))  # a query string the cache never keeps

    assert reads[0] == DEFAULT_DB_ALIAS
    assert reads[1] in REPLICAS


def test_other_threads_never_see_a_requests_replica(with_replicas: None) -> None:
    seen: list[str] = []

    def starting_a_thread(request: HttpRequest) -> HttpResponse:
        thread = threading.Thread(target=lambda: seen.append(read_alias()))
        thread.start()
        thread.join()
        return HttpResponse("ok")

    _, reads = serve(starting_a_thread, get("/search/?q=x"))

    assert reads[0] in REPLICAS
    assert seen == [DEFAULT_DB_ALIAS]
    assert read_alias() == DEFAULT_DB_ALIAS, "the request's choice ends with the request"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(with_replicas: None) -> None:
    def in_a_transaction(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            inside.append(read_alias())
        return HttpResponse("ok")

    inside: list[str] = []
    _, reads = serve(in_a_transaction, get("/search/?q=x"))

    assert reads[0] in REPLICAS
    assert inside == [DEFAULT_DB_ALIAS]


# The cookie, consent and the page cache.


@pytest.mark.django_db
def test_the_cookie_is_strictly_necessary_and_passes_the_consent_middleware(
    with_replicas: None, client: Client
) -> None:
    assert COOKIE_NAME in necessary_cookie_names()
    assert cookie_categories()[COOKIE_NAME] == "necessary"

    # A reader who refuses every optional cookie still gets it: reject-all is a write.
    response = client.post("/cookies/reject-all/", {"next": "/"}, headers=SAME_ORIGIN)

    assert response.status_code == 302
    assert COOKIE_NAME in response.cookies and response.cookies[COOKIE_NAME].value


@pytest.mark.django_db
def test_the_cookie_does_not_make_a_page_personal(with_replicas: None, client: Client) -> None:
    make_article("Tenants organise on the estate", slug="tenants")
    Client().get("/articles/tenants/")  # stored for everyone
    client.cookies[COOKIE_NAME] = str(int(time.time()) + 10)

    response = client.get("/articles/tenants/")

    # A stored page is as current as the primary, so a pinned reader may have it.
    assert response.headers.get("X-Page-Cache") == "hit"


# Settings.


def test_replica_urls_become_aliases_that_tests_do_not_create(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": "postgres://site@db.internal:5432/broadsheet",
        "DATABASE_REPLICA_URLS": (
            "postgres://site@copy-a.internal/broadsheet, postgres://site@copy-b.internal/broadsheet"
        ),
    }
    found = show(
        tmp_path,
        "[(a, d['HOST'], d['TEST']['MIRROR'], d['CONN_MAX_AGE']) for a, d in"
        " settings.DATABASES.items() if a in settings.DATABASE_REPLICAS]",
        **env,
    )
    assert found == (
        "[('replica_1', 'copy-a.internal', 'default', 60), "
        "('replica_2', 'copy-b.internal', 'default', 60)]"
    )


def test_replicas_must_be_postgresql_like_the_primary(tmp_path: Path) -> None:
    cases = [
        ({"DATABASE_REPLICA_URLS": "mysql://a@b/c"}, "must be a postgres:// URL"),
        ({"DATABASE_REPLICA_URLS": "postgres://a@b/c"}, "needs DATABASE_URL to be PostgreSQL"),
    ]
    for env, message in cases:
        result = run_broadsheet(tmp_path, "check", **env)
        assert result.returncode != 0
        assert f"DATABASE_REPLICA_URLS (entry 1) {message}" in result.stderr


# A primary and a lagging replica on PostgreSQL, behind two real servers.

POSTGRES = "postgres://postgres@127.0.0.1:5432"
PRIMARY_DB = "broadsheet_replica_primary"
REPLICA_DB = "broadsheet_replica_copy"
OLD_TITLE = "Tenants organise on the estate"  # what the replica still shows
NEW_TITLE = "Tenants win their case"  # written to the primary after the copy was taken
WINDOW = 2
SEED = f"""
from django.utils import timezone
from broadsheet.accounts.models import User
from broadsheet.publishing.models import Article
desk = User.objects.create_user("newsdesk", "newsdesk@example.org", "a long password here")
Article.objects.create(
    title="{OLD_TITLE}", slug="tenants", submitted_by=desk, status="published",
    published_at=timezone.now() - timezone.timedelta(hours=1), body_source="They met.",
)
"""


def admin_connection() -> Any:
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL is not reachable at {POSTGRES}: {exc}"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason} (CI=true: the replica test must run)")
        pytest.skip(reason)


def sql(database: str, statement: str) -> Any:
    """Run one statement on one of our databases; the first value it returns, if any."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/{database}", autocommit=True) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchone()[0] if cursor.description else None


@pytest.fixture
def lagging_replica() -> Iterator[None]:
    """PRIMARY_DB migrated with one article, and REPLICA_DB: a copy of it taken before the
    article's title changed on the primary. Both dropped afterwards."""
    admin = admin_connection()
    with admin:

        def drop() -> None:
            for name in (PRIMARY_DB, REPLICA_DB):
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        drop()
        admin.execute(f"CREATE DATABASE {PRIMARY_DB}")
        try:
            yield
        finally:
            drop()


def fetch(
    base: str, path: str, cookies: dict[str, str], method: str = "GET", form: str = ""
) -> tuple[int, Message, str]:
    """One request as a browser sends it; cookies the response sets go into `cookies`."""
    host = base.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=15)
    headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    if method == "POST":
        headers |= {"Origin": base, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request(method, path, body=form or None, headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    for line in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(line).items():
            cookies[name] = morsel.value
    return response.status, response.headers, body


def start_server(home: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [BROADSHEET, "serve", "--port", str(port), "--workers", "1", "--no-collectstatic"],
        env={"BROADSHEET_HOME": str(home), "PATH": "/usr/bin:/bin", **env},
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            fetch(base, "/robots.txt", {})
            return server, base
        except OSError:
            if server.poll() is not None:
                output = server.stdout.read().decode() if server.stdout else ""
                pytest.fail(f"broadsheet serve exited early:\n{output}")
            time.sleep(0.2)
    server.kill()
    pytest.fail("broadsheet serve did not answer within 60 s")


def title_on(page: str) -> str:
    assert (OLD_TITLE in page) != (NEW_TITLE in page), "exactly one of the titles"
    return OLD_TITLE if OLD_TITLE in page else NEW_TITLE


def test_readers_read_the_replica_and_writers_their_own_writes_on_postgresql(
    lagging_replica: None, tmp_path: Path
) -> None:
    site = {
        "DATABASE_URL": f"{POSTGRES}/{PRIMARY_DB}",
        "SECRET_KEY": "replica-test-" + "x" * 40,
        "READ_YOUR_WRITES_SECONDS": str(WINDOW),
    }
    migrated = run_broadsheet(tmp_path, "migrate", "--noinput", **site)
    assert migrated.returncode == 0, migrated.stderr
    seeded = run_broadsheet(tmp_path, "shell", "--no-imports", "-c", SEED, **site)
    assert seeded.returncode == 0, seeded.stderr
    collected = run_broadsheet(tmp_path, "collectstatic", "--noinput", **site)
    assert collected.returncode == 0, collected.stderr
    with admin_connection() as admin:
        admin.execute(f"CREATE DATABASE {REPLICA_DB} TEMPLATE {PRIMARY_DB}")
    sql(PRIMARY_DB, f"UPDATE publishing_article SET title = '{NEW_TITLE}'")

    # Two servers, as on two machines sharing the databases and the cache.
    site["DATABASE_REPLICA_URLS"] = f"{POSTGRES}/{REPLICA_DB}"
    servers = []
    try:
        for _ in ("a", "b"):
            servers.append(start_server(tmp_path, site))
        (_, server_a), (_, server_b) = servers

        reader: dict[str, str] = {}
        # A page the page cache never keeps is read from the replica...
        assert title_on(fetch(server_b, "/articles/tenants/?from=feed", reader)[2]) == OLD_TITLE
        # ...while a page it may keep for everyone is read from the primary.
        assert title_on(fetch(server_b, "/articles/tenants/", reader)[2]) == NEW_TITLE

        writer: dict[str, str] = {}
        status, _, _ = fetch(server_a, "/cookies/accept-all/", writer, "POST", "next=/")
        assert status == 302
        assert COOKIE_NAME in writer
        # The write landed on the primary only.
        assert sql(PRIMARY_DB, "SELECT count(*) FROM consent_consentrecord") == 1
        assert sql(REPLICA_DB, "SELECT count(*) FROM consent_consentrecord") == 0

        # Within the window the writer reads the primary, on the other server too.
        for server in (server_a, server_b):
            page = fetch(server, "/articles/tenants/?from=feed", writer)[2]
            assert title_on(page) == NEW_TITLE
        assert title_on(fetch(server_b, "/articles/tenants/?from=feed", reader)[2]) == OLD_TITLE

        # After it, the writer is a reader like any other (a browser would also have
        # dropped the cookie by then; the servers do not rely on that).
        time.sleep(max(0.0, float(writer[COOKIE_NAME]) - time.time()) + 0.5)
        assert title_on(fetch(server_b, "/articles/tenants/?from=feed", writer)[2]) == OLD_TITLE
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=20)
