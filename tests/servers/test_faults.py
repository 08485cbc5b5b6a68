"""Faults under load: a killed worker, a killed server, the database gone, Redis gone.

Each fault happens while 16 clients post comments to both servers, each body used by one
post only. A post that gets no answer, or a 5xx, is sent again (same body) to the other
server, as a reader pressing Save again would. Afterwards every post answered with a
redirect (302: saved) must be in the database exactly once, and no body twice.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from .helpers import REDIS_DB, Site, random_word
from .people import ARTICLE, LOAD_ARTICLE, MODERATOR, PASSWORD
from .tools import (
    Load,
    Reply,
    Server,
    TcpProxy,
    Visitor,
    check_exactly_once,
    comment_form,
    comment_id,
    fetch,
    post_load,
    settle,
    shown_at,
)

POSTS = f"{LOAD_ARTICLE}comment/"
OUTAGE_SECONDS = 3.0
RECOVERY_SECONDS = 5.0  # the most a server may take to serve again once a service is back


@pytest.fixture(scope="module")
def stamp(site: Site) -> str:
    return shown_at(site.a.url, LOAD_ARTICLE)


def tag(name: str) -> str:
    return f"[{name} {random_word()}]"


def report(name: str, load: Load) -> None:
    print(f"{name}: {len(load.acknowledged)} saved of {len(load.attempted)}, {dict(load.statuses)}")


def assert_clean_503(reply: Reply) -> None:
    assert reply.status == 503, (reply.status, reply.text[:500])
    assert reply.headers.get("retry-after", "").isdigit()
    assert reply.headers.get("content-type", "").startswith("text/html")
    assert "The site is briefly unavailable" in reply.text
    for leak in ("Traceback", "OperationalError", "psycopg", "Internal Server Error"):
        assert leak not in reply.text


def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


# 1. kill -9 ----------------------------------------------------------------------------


def test_a_worker_killed_mid_load_loses_no_saved_comment_and_doubles_none(
    site: Site, stamp: str
) -> None:
    workers = site.a.worker_pids()
    assert len(workers) == 2, workers
    posts = tag("worker killed")

    def kill_a_worker() -> None:
        time.sleep(1.5)
        os.kill(workers[0], signal.SIGKILL)

    load = post_load([site.a.url, site.b.url], POSTS, stamp, posts, seconds=5, during=kill_a_worker)

    report("worker killed", load)
    check_exactly_once(load, settle(site.database, posts))
    assert len(load.acknowledged) >= 40
    assert "500" not in load.statuses
    # granian starts a new worker in its place; the server never stopped answering.
    wait_until(
        lambda: len(set(site.a.worker_pids()) - {workers[0]}) == 2, 60, "a new granian worker"
    )
    site.a.wait_until_answering()


def test_a_server_killed_mid_load_loses_no_saved_comment_and_doubles_none(
    site: Site, stamp: str
) -> None:
    posts = tag("server killed")

    def kill_and_restart() -> None:
        time.sleep(1.5)
        site.a.kill_everything()  # the main process and its workers, at once
        time.sleep(1.0)
        site.a.start()  # on the same port: the clients come back to it

    try:
        load = post_load(
            [site.a.url, site.b.url], POSTS, stamp, posts, seconds=6, during=kill_and_restart
        )
    finally:
        site.a.ensure_running()

    report("server killed", load)
    check_exactly_once(load, settle(site.database, posts))
    assert len(load.acknowledged) >= 40
    assert "500" not in load.statuses


# 2. The database goes away ----------------------------------------------------------------


def test_a_database_outage_gets_a_503_page_and_ends_without_a_restart(
    site: Site, stamp: str
) -> None:
    posts, probes = tag("database outage"), tag("database probe")
    processes = {server.name: (server.pid, server.worker_pids()) for server in site.servers}
    during_outage: list[Reply] = []
    recovered_after: dict[str, float] = {}

    def probe(server: Server, number: int) -> Reply:
        form = comment_form(f"{probes} {server.name} {number}", stamp, name="Probe")
        headers = {"X-Forwarded-For": f"192.0.2.{100 + number % 100}"}
        return fetch(server.url, POSTS, headers=headers, form=form)

    def outage() -> None:
        time.sleep(1.0)
        site.database_proxy.cut()
        ends = time.monotonic() + OUTAGE_SECONDS
        number = 0
        while time.monotonic() < ends:
            for server in site.servers:
                number += 1
                during_outage.append(probe(server, number))
                # A page rendered every time: the page cache skips other query strings.
                during_outage.append(fetch(server.url, f"/?probe={number}"))
            time.sleep(0.2)
        site.database_proxy.restore()
        back = time.monotonic()
        for server in site.servers:
            while probe(server, number := number + 1).status != 302:
                if time.monotonic() - back > RECOVERY_SECONDS:
                    break
                time.sleep(0.05)
            recovered_after[server.name] = time.monotonic() - back
        # Then every worker thread of every server: no connection left broken.
        for count in range(16):
            for server in site.servers:
                reply = probe(server, number := number + 1)
                assert reply.status == 302, f"after recovery: {reply.status} {count}"

    try:
        load = post_load([site.a.url, site.b.url], POSTS, stamp, posts, seconds=8, during=outage)
    finally:
        if site.database_proxy.listener is None:
            site.database_proxy.restore()

    report("database outage", load)
    print(f"recovered after {recovered_after}")
    assert during_outage, "no request was made during the outage"
    for reply in during_outage:
        assert_clean_503(reply)
    for reply in load.failures:
        assert_clean_503(reply)
    assert max(recovered_after.values()) < RECOVERY_SECONDS, recovered_after
    check_exactly_once(load, settle(site.database, posts))
    probed = site.database.copies_of(probes)
    assert max(probed.values()) == 1, "a probe post stored twice"
    # No server or worker was restarted to get there.
    assert processes == {server.name: (server.pid, server.worker_pids()) for server in site.servers}


# 3. Redis goes away ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_proxy(site: Site) -> Iterator[TcpProxy]:
    proxy = TcpProxy((site.shared.redis_host, site.shared.redis_port))
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def cacheless(site: Site, redis_proxy: TcpProxy) -> Iterator[Server]:
    """A third server whose Redis (the shared one, its own key prefix) is reached through a
    proxy the test cuts."""
    server = Server(
        "r",
        site.home,
        site.server_env(
            CACHE_URL=f"redis://127.0.0.1:{redis_proxy.port}/{REDIS_DB}",
            CACHE_KEY_PREFIX=f"{site.key_prefix}-r",
        ),
    )
    server.start()
    yield server
    server.stop()


def test_with_redis_down_pages_render_comments_post_and_moderators_sign_in(
    site: Site, cacheless: Server, redis_proxy: TcpProxy, stamp: str
) -> None:
    url = cacheless.url
    for _ in range(3):
        fetch(url, ARTICLE)
    assert fetch(url, ARTICLE).headers.get("x-page-cache") == "hit"
    reader = Visitor("192.0.2.200")
    assert reader.request(url, "/cookies/accept-all/", {}).status == 302
    assert "broadsheet_consent" in reader.cookies
    posts = tag("redis outage")

    redis_proxy.cut()
    try:
        pages = [fetch(url, path) for path in ("/", ARTICLE, "/archive/", "/accounts/login/")]
        pages.append(reader.request(url, ARTICLE))  # a consent cookie: the policy version
        saved = reader.request(
            url,
            f"{ARTICLE}comment/",
            comment_form(f"{tag('redis')} Said while the cache was down.", stamp, name="Rhys"),
        )
        morgan = Visitor("192.0.2.201")
        signed_in = morgan.log_in(url, MODERATOR, PASSWORD)
        queue = morgan.request(url, "/moderation/")
        load = post_load([url], POSTS, stamp, posts, seconds=3)
        during = fetch(url, ARTICLE)
    finally:
        redis_proxy.restore()

    for page in pages:
        assert page.status == 200, page.text[:500]
        assert page.headers.get("x-page-cache") != "hit"
    stored = site.database.comment(comment_id(saved))
    assert stored["status"] == "published", stored
    assert "Said while the cache was down." in during.text
    assert signed_in.status == 302  # the sign-in limits were skipped, the password checked
    assert queue.status == 200
    report("redis outage", load)
    assert set(load.statuses) == {"302"}
    check_exactly_once(load, settle(site.database, posts))
    assert len(load.acknowledged) >= 20
    # Back: the page cached before the outage is not served stale, and caching resumes.
    after = [fetch(url, ARTICLE) for _ in range(4)]
    assert all("Said while the cache was down." in page.text for page in after)
    wait_until(lambda: fetch(url, ARTICLE).headers.get("x-page-cache") == "hit", 5, "a hit")
