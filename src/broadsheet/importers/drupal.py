"""Reading a Drupal site's database (Drupal 7, and Drupal 8 and later) into import records.

`open_drupal()` connects read-only (SQLite, PostgreSQL, MySQL/MariaDB URLs), tells Drupal 7
from 8+ by the tables present and checks the ones it needs, so every "this is not the
database you meant" error comes before anything is read. `DrupalSite.records()` then yields
articles (each followed by its comments, in Drupal's thread order) in batches of nodes, so
a site of any size streams. This module never writes anywhere: storing is the loader's job
(`services.py`), and the source database is only ever read, in a read-only session.

Drupal core knows two comment states, published (1) and unpublished (0, "held" here); it
has no spam or deleted state (modules such as Mollom deleted spam instead of keeping it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import strip_tags
from django.utils.text import slugify

from broadsheet.importers.drupal_db import Database, DrupalError, connect
from broadsheet.importers.records import (
    AccountRecord,
    ArticleRecord,
    BodyFormat,
    CommentRecord,
    Record,
)

NODE_BATCH = 100
FORMATS: dict[str, BodyFormat] = {"plain_text": "text", "markdown": "markdown"}
_NAME = re.compile(r"[A-Za-z0-9_]*")  # table prefixes and field names become SQL names
# Only tables that must exist; comment, taxonomy and alias tables are read when present.
REQUIRED = {7: ["node", "users", "field_data_body"], 8: ["node_field_data", "users_field_data"]}


def _time(value: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(value), tz=dt.UTC) if value else None


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def _body_format(drupal_format: Any) -> BodyFormat:
    # full_html, filtered_html, basic_html, restricted_html and unknown formats: HTML,
    # which the loader sanitises (so a php_code body shows as text, never runs).
    return FORMATS.get(_text(drupal_format), "html")


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


@dataclass
class DrupalSite:
    """An open Drupal database, its version known and its tables checked."""

    db: Database
    version: int  # 7, or 8 for Drupal 8 and every later version (same schema)
    tables: set[str]
    content_types: list[str] = field(default_factory=lambda: ["article"])
    byline: tuple[str, str, str] | None = None  # (table, column, "text"|"user"|"node")

    # Counting, for the progress bar and the summary ---------------------------------

    def _node_table(self) -> str:
        return "{node}" if self.version == 7 else "{node_field_data}"

    def count(self) -> int:
        """Articles plus their comments: the number of records `records()` yields."""
        types = self.content_types
        lang = "" if self.version == 7 else " AND default_langcode = 1"
        sql = f"SELECT count(*) AS n FROM {self._node_table()} WHERE type IN ({_marks(types)})"
        total = int(self.db.rows(sql + lang, types)[0]["n"])
        return total + sum(n for _, n in self._comment_counts(types))

    def skipped_types(self) -> dict[str, int]:
        """Nodes of the types not imported, by type."""
        lang = "" if self.version == 7 else " WHERE default_langcode = 1"
        sql = f"SELECT type, count(*) AS n FROM {self._node_table()}{lang} GROUP BY type"
        return {
            str(r["type"]): int(r["n"])
            for r in self.db.rows(sql)
            if r["type"] not in self.content_types
        }

    def _comment_counts(self, types: list[str]) -> list[tuple[str, int]]:
        if self.version == 7 and "comment" in self.tables:
            sql = "SELECT n.type, count(*) AS n FROM {comment} c JOIN {node} n ON n.nid = c.nid"
        elif self.version == 8 and "comment_field_data" in self.tables:
            sql = "SELECT n.type, count(*) AS n FROM {comment_field_data} c "
            sql += "JOIN {node_field_data} n ON n.nid = c.entity_id AND n.default_langcode = 1 "
            sql += "WHERE c.entity_type = 'node' AND c.default_langcode = 1"
        else:
            return []
        rows = self.db.rows(sql + " GROUP BY n.type")
        return [(str(r["type"]), int(r["n"])) for r in rows if r["type"] in types]

    def skipped_comments(self) -> int:
        """Comments on nodes of the types not imported."""
        return sum(n for _, n in self._comment_counts(list(self.skipped_types())))

    # Reading -----------------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        """Each article of the chosen types, by nid, then its comments in thread order."""
        last, types = 0, self.content_types
        if self.version == 7:
            sql = "SELECT nid, type, language, title, uid, status, created, changed, "
            sql += "comment AS comments FROM {node} WHERE "
        else:
            sql = "SELECT nid, type, langcode AS language, title, uid, status, created, "
            sql += "changed FROM {node_field_data} WHERE default_langcode = 1 AND "
        sql += f"nid > %s AND type IN ({_marks(types)}) ORDER BY nid LIMIT {NODE_BATCH}"
        while nodes := self.db.rows(sql, [last, *types]):
            last = nodes[-1]["nid"]
            yield from self._batch(nodes)

    def _batch(self, nodes: list[dict[str, Any]]) -> Iterator[Record]:
        nids = [n["nid"] for n in nodes]
        bodies = self._bodies(nodes)
        topics, bylines, aliases = self._topics(nids), self._bylines(nids), self._aliases(nids)
        comments = self._comments(nids)
        open_state = self._comment_settings(nids)
        uids = {n["uid"] for n in nodes} | {c["uid"] for cs in comments.values() for c in cs}
        accounts = self._accounts(uids)
        for node in nodes:
            nid, body = node["nid"], bodies.get(node["nid"], {})
            paths = aliases.get(nid, [])
            slug = slugify(paths[-1].rstrip("/").rsplit("/", 1)[-1]) if paths else ""
            published = bool(int(node["status"]))
            yield ArticleRecord(
                source_id=str(nid),
                title=_text(node["title"]),
                slug=slug or slugify(_text(node["title"]))[:80] or f"node-{nid}",
                body=_text(body.get("body_value")),
                body_format=_body_format(body.get("body_format")),
                standfirst=strip_tags(_text(body.get("body_summary"))).strip(),
                status="published" if published else "draft",
                published_at=_time(node["created"]) if published else None,
                created_at=_time(node["created"]),
                updated_at=_time(node["changed"]),
                submitted_by=accounts.get(node["uid"]),
                bylines=bylines.get(nid, []),
                topics=topics.get(nid, []),
                # Drupal: 2 open, 1 closed (old comments still shown), 0 hidden.
                comments_open=int(node.get("comments", open_state.get(nid, 2)) or 0) == 2,
                old_paths=[*paths, f"/node/{nid}"],
            )
            yield from self._comment_records(nid, comments.get(nid, []), accounts)

    def _bodies(self, nodes: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
        nids = [n["nid"] for n in nodes]
        if self.version == 7:
            sql = "SELECT entity_id, language, body_value, body_summary, body_format "
            sql += "FROM {field_data_body} WHERE entity_type = 'node' AND deleted = 0 "
        elif "node__body" in self.tables:
            sql = "SELECT entity_id, langcode AS language, body_value, body_summary, "
            sql += "body_format FROM {node__body} WHERE deleted = 0 "
        else:
            return {}
        rows = self.db.rows(sql + f"AND entity_id IN ({_marks(nids)}) ORDER BY delta", nids)
        language = {n["nid"]: n["language"] for n in nodes}
        found: dict[Any, dict[str, Any]] = {}
        for row in rows:  # the node's own language first, else "und" or whatever there is
            nid = row["entity_id"]
            if nid not in found or row["language"] == language.get(nid):
                found[nid] = row
        return found

    def _accounts(self, uids: Iterable[Any]) -> dict[Any, AccountRecord]:
        wanted = sorted(uid for uid in uids if uid)  # uid 0 is Drupal's anonymous user
        if not wanted:
            return {}
        if self.version == 7:
            sql = "SELECT uid, name, mail FROM {users} WHERE "
        else:
            sql = "SELECT uid, name, mail FROM {users_field_data} WHERE default_langcode = 1 AND "
        rows = self.db.rows(sql + f"uid IN ({_marks(wanted)})", wanted)
        return {
            r["uid"]: AccountRecord(
                source_id=str(r["uid"]),
                username=_text(r["name"]),
                display_name=_text(r["name"]),
                email=_text(r["mail"]),
            )
            for r in rows
        }

    def _reference_fields(self) -> list[str]:
        """Node fields that refer to taxonomy terms, from the field configuration."""
        if self.version == 7 and "field_config" in self.tables:
            rows = self.db.rows(
                "SELECT field_name FROM {field_config} WHERE type = %s AND deleted = 0",
                ["taxonomy_term_reference"],
            )
            return [_text(r["field_name"]) for r in rows]
        if self.version == 8 and "config" in self.tables:
            sql = "SELECT name, data FROM {config} WHERE collection = '' AND name LIKE %s"
            rows = self.db.rows(sql, ["field.storage.node.%"])
            term = '"target_type";s:13:"taxonomy_term"'
            names = [_text(r["name"]) for r in rows if term in _text(r["data"])]
            return [n.rsplit(".", 1)[-1] for n in names]
        return []

    def _topics(self, nids: list[Any]) -> dict[Any, list[str]]:
        terms = "{taxonomy_term_data}" if self.version == 7 else "{taxonomy_term_field_data}"
        if terms.strip("{}") not in self.tables:
            return {}
        lang = "" if self.version == 7 else " AND t.default_langcode = 1"
        selects = []
        for name in self._reference_fields():
            table = f"field_data_{name}" if self.version == 7 else f"node__{name}"
            column = f"{name}_tid" if self.version == 7 else f"{name}_target_id"
            if table in self.tables:
                kind = " AND x.entity_type = 'node'" if self.version == 7 else ""
                selects.append(
                    f"SELECT x.entity_id AS nid, t.name FROM {{{table}}} x JOIN {terms} t "
                    f"ON t.tid = x.{column}{lang} WHERE x.deleted = 0{kind} "
                    f"AND x.entity_id IN ({_marks(nids)}) ORDER BY x.delta"
                )
        if "taxonomy_index" in self.tables:  # holds published nodes only, hence the fields
            selects.append(
                f"SELECT x.nid, t.name FROM {{taxonomy_index}} x JOIN {terms} t "
                f"ON t.tid = x.tid{lang} WHERE x.nid IN ({_marks(nids)}) ORDER BY t.tid"
            )
        found: dict[Any, list[str]] = {}
        for sql in selects:
            for row in self.db.rows(sql, nids):
                names = found.setdefault(row["nid"], [])
                if (name := _text(row["name"])) not in names:
                    names.append(name)
        return found

    def _bylines(self, nids: list[Any]) -> dict[Any, list[str]]:
        if self.byline is None:
            return {}
        table, column, kind = self.byline
        entity = " AND x.entity_type = 'node'" if self.version == 7 else ""
        if kind == "text":
            select = f"SELECT x.entity_id AS nid, x.{column} AS name FROM {{{table}}} x"
        elif kind == "node":
            nodes = "{node}" if self.version == 7 else "{node_field_data}"
            lang = "" if self.version == 7 else " AND t.default_langcode = 1"
            select = f"SELECT x.entity_id AS nid, t.title AS name FROM {{{table}}} x "
            select += f"JOIN {nodes} t ON t.nid = x.{column}{lang}"
        else:
            users = "{users}" if self.version == 7 else "{users_field_data}"
            lang = "" if self.version == 7 else " AND t.default_langcode = 1"
            select = f"SELECT x.entity_id AS nid, t.name AS name FROM {{{table}}} x "
            select += f"JOIN {users} t ON t.uid = x.{column}{lang}"
        sql = f"{select} WHERE x.deleted = 0{entity} AND x.entity_id IN ({_marks(nids)}) "
        found: dict[Any, list[str]] = {}
        for row in self.db.rows(sql + "ORDER BY x.delta", nids):
            names = found.setdefault(row["nid"], [])
            if (name := _text(row["name"]).strip()) and name not in names:
                names.append(name)
        return found

    def _aliases(self, nids: list[Any]) -> dict[Any, list[str]]:
        if self.version == 8 and "path_alias" in self.tables:  # Drupal 8.8 and later
            sql = "SELECT path AS source, alias FROM {path_alias} WHERE status = 1 AND "
            sql += "path IN (%s) ORDER BY id"
            sources = {f"/node/{nid}": nid for nid in nids}
        elif "url_alias" in self.tables:
            sql = "SELECT source, alias FROM {url_alias} WHERE source IN (%s) ORDER BY pid"
            slash = "/" if self.version == 8 else ""
            sources = {f"{slash}node/{nid}": nid for nid in nids}
        else:
            return {}
        found: dict[Any, list[str]] = {}
        for row in self.db.rows(sql % _marks(list(sources)), list(sources)):
            paths = found.setdefault(sources[_text(row["source"])], [])
            if (path := "/" + _text(row["alias"]).lstrip("/")) not in paths:
                paths.append(path)
        return found

    def _comment_settings(self, nids: list[Any]) -> dict[Any, int]:
        if self.version == 7 or "node__comment" not in self.tables:
            return {}
        sql = "SELECT entity_id, comment_status FROM {node__comment} WHERE deleted = 0 "
        rows = self.db.rows(sql + f"AND entity_id IN ({_marks(nids)})", nids)
        return {r["entity_id"]: int(r["comment_status"]) for r in rows}

    def _comments(self, nids: list[Any]) -> dict[Any, list[dict[str, Any]]]:
        columns = "c.cid, c.pid, c.uid, c.hostname, c.created, c.status, c.thread, c.name, "
        columns += "c.mail, c.homepage, b.comment_body_value AS body, "
        columns += "b.comment_body_format AS format"
        if self.version == 7 and "comment" in self.tables:
            sql = f"SELECT c.nid, {columns} FROM {{comment}} c "
            sql += "LEFT JOIN {field_data_comment_body} b ON b.entity_id = c.cid "
            sql += "AND b.entity_type = 'comment' AND b.deleted = 0 WHERE c.nid"
        elif self.version == 8 and "comment_field_data" in self.tables:
            sql = f"SELECT c.entity_id AS nid, {columns} FROM {{comment_field_data}} c "
            sql += "LEFT JOIN {comment__comment_body} b ON b.entity_id = c.cid "
            sql += "AND b.langcode = c.langcode AND b.deleted = 0 "
            sql += "WHERE c.entity_type = 'node' AND c.default_langcode = 1 AND c.entity_id"
        else:
            return {}
        found: dict[Any, list[dict[str, Any]]] = {}
        seen: set[Any] = set()
        for row in self.db.rows(sql + f" IN ({_marks(nids)}) ORDER BY c.cid", nids):
            if row["cid"] not in seen:  # one row per comment, whatever its translations
                seen.add(row["cid"])
                found.setdefault(row["nid"], []).append(row)
        return found

    def _comment_records(
        self, nid: Any, rows: list[dict[str, Any]], accounts: dict[Any, AccountRecord]
    ) -> Iterator[CommentRecord]:
        # Drupal's display order: the thread vancode ("01/", "01.00/", "02/") without its
        # closing "/", which would otherwise sort a reply before its parent.
        rows = sorted(rows, key=lambda r: _text(r["thread"]).rstrip("/"))
        cids = {r["cid"] for r in rows}
        for row in rows:
            account = accounts.get(row["uid"])
            yield CommentRecord(
                source_id=str(row["cid"]),
                article_source_id=str(nid),
                body=_text(row["body"]),
                body_format=_body_format(row["format"]),
                # A reply to a comment that is gone (deleted in Drupal) starts a thread.
                parent_source_id=str(row["pid"]) if row["pid"] in cids else None,
                name=account.display_name if account else _text(row["name"]) or "Anonymous",
                email=account.email if account else _text(row["mail"]),
                homepage="" if account else _text(row["homepage"]),
                created_at=_time(row["created"]),
                status="published" if int(row["status"]) == 1 else "held",
                address=_text(row["hostname"]),
                account=account,
                verified=account is not None,
            )


def open_drupal(
    url: str,
    *,
    table_prefix: str = "",
    content_types: Sequence[str] = ("article",),
    byline_field: str = "",
) -> DrupalSite:
    """Connect to the Drupal database at `url` and check it is one; the caller closes
    `site.db`. Raises DrupalError naming what is wrong or missing."""
    for what, name in (("table prefix", table_prefix), ("byline field", byline_field)):
        if not _NAME.fullmatch(name):
            raise DrupalError(f"the {what} {name!r} may only have letters, digits and _")
    db = connect(url)
    try:
        db.names.prefix = table_prefix
        site = _inspect(db, list(content_types), byline_field)
    except BaseException:
        db.close()
        raise
    return site


def _inspect(db: Database, content_types: list[str], byline_field: str) -> DrupalSite:
    tables = db.tables()
    prefixed = f" with the table prefix {db.names.prefix!r}" if db.names.prefix else ""
    if "node_field_data" in tables:
        version = 8
    elif "node" in tables and "node_revision" in tables:
        version = 7
    else:
        raise DrupalError(
            f"not a Drupal database: no node_field_data (Drupal 8 and later) nor node and "
            f"node_revision (Drupal 7) table{prefixed}; is --table-prefix needed?"
        )
    required = REQUIRED[version] + (
        ["field_data_comment_body"] if version == 7 and "comment" in tables else []
    )
    if version == 8 and "comment_field_data" in tables:
        required.append("comment__comment_body")
    if missing := [t for t in required if t not in tables]:
        name = "Drupal 7" if version == 7 else "Drupal 8 or later"
        raise DrupalError(f"a {name} database{prefixed}, but missing: {', '.join(missing)}")
    site = DrupalSite(db, version, tables, content_types)
    if byline_field:
        site.byline = _byline(site, byline_field)
    return site


def _byline(site: DrupalSite, name: str) -> tuple[str, str, str]:
    """Where the byline field's values are, and whether they are text or references."""
    stem = "field_data_" if site.version == 7 else "node__"
    for field_name in (name, f"field_{name}"):
        if (table := stem + field_name) in site.tables:
            break
    else:
        fields = sorted(t.removeprefix(stem) for t in site.tables if t.startswith(stem))
        raise DrupalError(
            f"no byline field {name!r}: no table {stem}{name} "
            f"(node fields here: {', '.join(fields) or 'none'})"
        )
    columns = site.db.columns(table)
    if f"{field_name}_value" in columns:
        return table, f"{field_name}_value", "text"
    for suffix in ("_target_id", "_uid"):
        if (column := field_name + suffix) in columns:
            return table, column, _reference_target(site, field_name)
    raise DrupalError(f"the byline field {field_name} is neither text nor a reference")


def _reference_target(site: DrupalSite, field_name: str) -> str:
    if site.version == 7 and "field_config" in site.tables:
        sql = "SELECT data FROM {field_config} WHERE field_name = %s AND deleted = 0"
        rows = site.db.rows(sql, [field_name])
    elif site.version == 8 and "config" in site.tables:
        sql = "SELECT data FROM {config} WHERE collection = '' AND name = %s"
        rows = site.db.rows(sql, [f"field.storage.node.{field_name}"])
    else:
        rows = []
    if any('"target_type";s:4:"node"' in _text(r["data"]) for r in rows):
        return "node"
    return "user"
