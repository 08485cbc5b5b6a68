"""Two real servers (`broadsheet serve`, granian) on loopback, sharing one PostgreSQL
database and one Redis, as two machines behind a load balancer would.

When these run: in the PostgreSQL pass of `make test` (DATABASE_URL=postgres://…, which CI
runs with CACHE_URL=redis://…), or anywhere with BROADSHEET_SERVER_TESTS=1. On the SQLite
pass they are skipped with that reason: they never use the pass's own database anyway
(they make their own), so running them twice would only double about a minute of server
starts and loads. Outside CI an unreachable PostgreSQL or Redis skips them, with the
reason; under CI=true that is a failure.

Isolation: the servers use a database of their own on the PostgreSQL server the pass
uses (`broadsheet_servers_<random>`, dropped at the end), Redis database 7 under a
random key prefix (its keys deleted at the end), a temporary BROADSHEET_HOME, and free
loopback ports. The servers reach PostgreSQL through a TCP proxy of the tests' own
(tools.TcpProxy), which test_faults cuts to take the database away without touching
the shared server. Every address a test posts from is sent as X-Forwarded-For (the
servers trust one proxy), so rate limits and bans apply per test, not to everyone on
127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
import redis

from .helpers import REDIS_DB, Shared, Site
from .tools import PASSED_THROUGH, Database, Server, TcpProxy, broadsheet

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Low rate limits, each per client address or per login, so a test can reach them
# across both servers without touching any other test's counts; a day-long window, so
# no test straddles two windows.
RATE_LIMITS = {
    "COMMENT_RATE_LIMIT_ADDRESS": "3/86400",
    "COMMENT_RATE_LIMIT_EMAIL": "",
    "LOGIN_RATE_LIMIT_ADDRESS": "4/86400",
    "LOGIN_RATE_LIMIT_ACCOUNT": "3/86400",
}
SERVER_ENV = {
    "TRUSTED_PROXY_COUNT": "1",
    "SPAM_MIN_FORM_SECONDS": "0",
    "COMMENTS_HOLD_ANONYMOUS": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    **RATE_LIMITS,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "servers: starts real servers on PostgreSQL and Redis")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/servers/" in str(item.fspath):
            item.add_marker(pytest.mark.servers)


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else ""


def _wanted() -> bool:
    explicit = os.environ.get("BROADSHEET_SERVER_TESTS", "").lower() in {"1", "true", "yes"}
    return explicit or bool(_postgres_url())


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the server tests must run in the PostgreSQL pass)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared() -> Shared:
    if not _wanted():
        pytest.skip(
            "runs in the PostgreSQL pass (DATABASE_URL=postgres://…), "
            "or set BROADSHEET_SERVER_TESTS=1"
        )
    pg = urlsplit(_postgres_url() or "postgres://postgres@127.0.0.1:5432/postgres")
    postgres = Database(
        host=pg.hostname or "127.0.0.1",
        port=pg.port or 5432,
        user=unquote(pg.username or "postgres"),
        password=unquote(pg.password or ""),
        name="postgres",
    )
    cache_url = os.environ.get("CACHE_URL", "")
    found = urlsplit(cache_url if cache_url.startswith("redis://") else "redis://127.0.0.1:6379")
    redis_host, redis_port = found.hostname or "127.0.0.1", found.port or 6379
    try:
        with postgres.connect("postgres"):
            pass
    except psycopg.OperationalError as error:
        _unavailable(f"PostgreSQL at {postgres.host}:{postgres.port} unreachable: {error}")
    try:
        redis.Redis(host=redis_host, port=redis_port, socket_timeout=3).ping()
    except redis.RedisError as error:
        _unavailable(f"Redis at {redis_host}:{redis_port} unreachable: {error}")
    return Shared(postgres, redis_host, redis_port)


@pytest.fixture(scope="session")
def site(shared: Shared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    token = secrets.token_hex(6)
    database = Database(**{**shared.postgres.__dict__, "name": f"broadsheet_servers_{token}"})
    key_prefix = f"broadsheet-servers-{token}"
    home = tmp_path_factory.mktemp("servers-site")
    proxy = TcpProxy((database.host, database.port))
    env = {
        **{key: os.environ[key] for key in PASSED_THROUGH if key in os.environ},
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "BROADSHEET_HOME": str(home),
        "BROADSHEET_VAR_DIR": str(home / "var"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database.url(),
        "CACHE_URL": f"redis://{shared.redis_host}:{shared.redis_port}/{REDIS_DB}",
        "CACHE_KEY_PREFIX": key_prefix,
        **SERVER_ENV,
    }
    servers: list[Server] = []
    with shared.postgres.connect("postgres") as connection:
        connection.execute(f'CREATE DATABASE "{database.name}"')
    try:
        broadsheet(home, env, "migrate", "--noinput")
        seed = Path(__file__).with_name("seed.py")
        broadsheet(home, env, "shell", "--no-imports", "-c", f"exec(open({str(seed)!r}).read())")
        broadsheet(home, env, "collectstatic", "--noinput", "-v", "0")
        served_env = {**env, "DATABASE_URL": database.url(port=proxy.port)}
        servers = [Server(name, home, served_env) for name in ("a", "b")]
        for server in servers:
            server.start()
        yield Site(servers[0], servers[1], database, proxy, served_env, home, key_prefix, shared)
    finally:
        for server in servers:
            server.stop()
        proxy.close()
        with shared.postgres.connect("postgres") as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
        delete_keys(shared, key_prefix)


def delete_keys(shared: Shared, key_prefix: str) -> None:
    client = redis.Redis(host=shared.redis_host, port=shared.redis_port, db=REDIS_DB)
    keys = list(client.scan_iter(match=f"{key_prefix}*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


@pytest.fixture(autouse=True)
def no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test after which a server logged a 500 (Django logs each with its traceback;
    an outage's 503 is logged as "Service Unavailable")."""
    if "site" not in request.fixturenames:
        yield
        return
    site: Site = request.getfixturevalue("site")
    logs = list(site.home.glob("server-*.log"))
    sizes = {log: log.stat().st_size for log in logs}
    yield
    for log in site.home.glob("server-*.log"):
        with log.open(errors="replace") as handle:
            handle.seek(sizes.get(log, 0))
            new = handle.read()
        assert "Internal Server Error" not in new, f"{log.name} logged a 500:\n{new[-4000:]}"
