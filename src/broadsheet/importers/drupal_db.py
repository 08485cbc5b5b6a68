"""A read-only connection to a Drupal site's database, whatever it runs on: part of the
Drupal reader (`drupal.py`), which is the only user.

SQLite files are opened with `mode=ro`; PostgreSQL sessions are set read-only; MySQL and
MariaDB sessions run in a `START TRANSACTION READ ONLY`. Queries are written once, with
`%s` parameters and `{table}` names that get the site's table prefix.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import environ

from broadsheet.lib import linear

# The password in a database URL, hidden when the URL is shown. RE2 (broadsheet.lib.linear):
# an unbounded repeat before the end is not a shape plain `re` may run; one match per
# URL costs RE2 nothing to speak of.
_PASSWORD = linear.compile(r"//([^:@/]*):[^@/]*@")


# The drivers for the servers Drupal runs on are extras ('broadsheet[drupal]' has both):
# engine suffix -> (module, driver, server, extra).
_DRIVERS = {
    "postgresql": ("psycopg", "psycopg", "PostgreSQL", "postgres"),
    "mysql": ("pymysql", "PyMySQL", "MySQL or MariaDB", "mysql"),
}


class DrupalError(Exception):
    """The database cannot be read as a Drupal site; the message says why."""


class TableNames(dict[str, str]):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, key: str) -> str:
        return self.prefix + key


class Database:
    """A DB-API connection, read-only, with `%s` parameters whatever the driver."""

    def __init__(self, conn: Any, kind: str, prefix: str) -> None:
        self.conn, self.kind, self.names = conn, kind, TableNames(prefix)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        sql = sql.format_map(self.names)
        if self.kind == "sqlite":
            sql = sql.replace("%s", "?")
        try:
            cursor = self.conn.cursor()
            cursor.execute(sql, tuple(params))
            columns = [d[0].lower() for d in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        except Exception as exc:  # each driver has its own error classes
            raise DrupalError(f"reading the Drupal database failed: {exc}\n  in: {sql}") from exc

    def tables(self) -> set[str]:
        if self.kind == "sqlite":
            sql = "SELECT name AS t FROM sqlite_master WHERE type = 'table'"
        elif self.kind == "postgresql":
            sql = "SELECT table_name AS t FROM information_schema.tables "
            sql += "WHERE table_schema = current_schema()"
        else:
            sql = "SELECT table_name AS t FROM information_schema.tables "
            sql += "WHERE table_schema = DATABASE()"
        prefix = self.names.prefix
        names = {str(r["t"]) for r in self.rows(sql)}
        return {n.removeprefix(prefix) for n in names if n.startswith(prefix)}

    def columns(self, table: str) -> set[str]:
        cursor = self.conn.cursor()
        cursor.execute(f"SELECT * FROM {self.names[table]} WHERE 1 = 0")
        cursor.fetchall()
        return {d[0].lower() for d in cursor.description}

    def close(self) -> None:
        self.conn.close()


def connect(url: str) -> Database:
    """Open the database named by `url` for reading only, or raise DrupalError."""
    url = re.sub(r"^mariadb://", "mysql://", url)
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:
        raise DrupalError(f"cannot read the database URL: {exc}") from exc
    engine, shown = str(config["ENGINE"]), _PASSWORD.sub(r"//\1:***@", url)
    for suffix, (module, driver, server, extra) in _DRIVERS.items():
        if engine.endswith(suffix) and importlib.util.find_spec(module) is None:
            raise DrupalError(
                f"{shown} uses {server}, which needs the {driver} driver: "
                f"pip install 'broadsheet[{extra}]'"
            )
    try:
        if engine.endswith("sqlite3"):
            conn: Any = sqlite3.connect(f"file:{quote(str(config['NAME']))}?mode=ro", uri=True)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
            return Database(conn, "sqlite", "")
        if engine.endswith("postgresql"):
            import psycopg

            conn = psycopg.connect(
                host=config["HOST"] or None,
                port=config["PORT"] or None,
                dbname=config["NAME"],
                user=config["USER"] or None,
                password=config["PASSWORD"] or None,
                connect_timeout=10,
            )
            conn.read_only = True  # every transaction psycopg opens is READ ONLY
            conn.execute("SET default_transaction_read_only = on")
            return Database(conn, "postgresql", "")
        if engine.endswith("mysql"):
            import pymysql  # type: ignore[import-untyped]

            conn = pymysql.connect(
                host=config["HOST"] or "localhost",
                port=int(config["PORT"] or 3306),
                user=config["USER"] or None,
                password=config["PASSWORD"] or "",
                database=config["NAME"],
                charset="utf8mb4",
                connect_timeout=10,
            )
            conn.cursor().execute("START TRANSACTION READ ONLY")
            return Database(conn, "mysql", "")
    except Exception as exc:
        raise DrupalError(f"cannot open the Drupal database {shown}: {exc}") from exc
    raise DrupalError(f"{shown}: use a sqlite://, postgres:// or mysql:// (MariaDB) URL")
