"""The two shapes bench/run measures, and what each needs besides the servers.

- sqlite: one `broadsheet serve` with the embedded defaults (SQLite and the file cache
  under the site's var/), as on one machine.
- scaled: two `broadsheet serve` sharing PostgreSQL and Redis behind nginx as the reverse
  proxy (round robin, kept-alive upstream connections), as docs/deploying.md describes.
  The bench makes a PostgreSQL database of its own (dropped at the end) on
  postgres://postgres@127.0.0.1:5432 and uses Redis database 9 under a key prefix of its
  own (deleted at the end); it touches nothing else on either server.

Each shape can tell what the site stored, so posting is checked against the database.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_POSTS = "%from the served-page bench."  # LIKE pattern of post.lua's bodies
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/9"


@dataclass
class Shape:
    name: str
    servers: int  # broadsheet serve processes; more than one sit behind nginx
    env: dict[str, str] = field(default_factory=dict)
    sqlite_path: Path | None = None
    postgres_url: str = ""

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            uri = f"file:{self.sqlite_path}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True, timeout=30)) as connection:
                return connection.execute(sql, params).fetchall()
        import psycopg

        with psycopg.connect(self.postgres_url) as connection:
            return connection.execute(sql.replace("?", "%s"), params).fetchall()

    def stored_posts(self, pattern: str = BENCH_POSTS) -> dict[str, int]:
        """The posts whose body is LIKE `pattern`, counted by status."""
        rows = self._rows(
            "SELECT status, count(*) FROM discussion_comment WHERE body_source LIKE ? "
            "GROUP BY status",
            (pattern,),
        )
        return {status: count for status, count in rows}

    def stored_twice(self, pattern: str) -> int:
        """Rows beyond the first of each body LIKE `pattern` (every post's body is unique)."""
        rows = self._rows(
            "SELECT count(*) - count(DISTINCT body_source) FROM discussion_comment "
            "WHERE body_source LIKE ?",
            (pattern,),
        )
        return int(rows[0][0] or 0)

    def comment_ids(self) -> set[int]:
        return {pk for (pk,) in self._rows("SELECT id FROM discussion_comment")}


@contextmanager
def sqlite_shape(home: Path) -> Iterator[Shape]:
    yield Shape("SQLite, one server", 1, sqlite_path=home / "var" / "broadsheet.sqlite3")


@contextmanager
def scaled_shape() -> Iterator[Shape]:
    import psycopg
    import redis

    name = f"broadsheet_bench_{secrets.token_hex(4)}"
    prefix = f"bench-{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True)
    except psycopg.OperationalError as error:
        raise SystemExit(f"--scaled needs PostgreSQL at {POSTGRES}: {error}") from error
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    store = redis.Redis.from_url(REDIS)
    try:
        store.ping()
    except redis.RedisError as error:
        raise SystemExit(f"--scaled needs Redis at {REDIS}: {error}") from error
    url = f"{POSTGRES}/{name}"
    env = {
        "DATABASE_URL": url,
        "CACHE_URL": REDIS,
        "CACHE_KEY_PREFIX": prefix,
        # nginx in front: the client's address is the one it forwards.
        "TRUSTED_PROXY_COUNT": "1",
    }
    try:
        yield Shape("PostgreSQL + Redis, two servers behind nginx", 2, env, postgres_url=url)
    finally:
        for key in store.scan_iter(match=f"{prefix}:*", count=1000):
            store.delete(key)
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
