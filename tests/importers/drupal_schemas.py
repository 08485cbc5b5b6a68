"""Small Drupal 7 and Drupal 10 databases for the import-drupal tests: the tables the
reader uses, with the columns Drupal gives them, and the same handful of rows in each.

The site, in both versions: Zoë (uid 2) wrote "Tenants win the Harrow Court vote" (nid 1,
published, alias news/harrow-court-vote, topics Housing and Tenants' rights, bylines Zoë
Ångström and Sam Okoro) and admin (uid 1) a draft "Café closes — for now" (nid 3, plain
text, topic Local economy, comments closed). nid 2 is a page, nid 4 a story: not articles
by default. On nid 1: Morwenna (anonymous, with mail and homepage), a registered reply
from Bernd (uid 3), an anonymous reply with a higher cid but an earlier thread place than
the held top-level comment from Ålfhild; one comment on the page.

`build_drupal7(conn)` and `build_drupal10(conn)` write them through any DB-API connection
(`paramstyle` "qmark" for sqlite3, "format" for PyMySQL and psycopg).
"""

from __future__ import annotations

from typing import Any

T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC
INT, STR, TEXT = "INTEGER NOT NULL DEFAULT 0", "VARCHAR(255) NOT NULL DEFAULT ''", "TEXT"

USERS = [(0, "", ""), (1, "admin", "admin@example.org"), (2, "Zoë Ångström", "zoe@example.org"),
         (3, "bernd", "bernd@example.org")]  # fmt: skip
NODES = [
    # nid, type, title, uid, status, created, comment setting (2 open, 1 closed)
    (1, "article", "Tenants win the Harrow Court vote", 2, 1, T0, 2),
    (2, "page", "About us", 1, 1, T0 + 60, 1),
    (3, "article", "Café closes — for now", 1, 0, T0 + 120, 1),
    (4, "story", "Bus route 41 returns", 2, 1, T0 + 180, 2),
]
BODIES = [
    (1, "<p>The vote was 212 to 9.</p><script>alert(1)</script>", "<p>A landslide.</p>",
     "filtered_html"),
    (2, "<p>We are a small paper.</p>", "", "full_html"),
    (3, "The owners retire.\n\nThey hope to sell.", "", "plain_text"),
    (4, "<p>The 41 runs again from Monday.</p>", "", "basic_html"),
]  # fmt: skip
TERMS = [(1, "Housing"), (2, "Tenants' rights"), (3, "Local economy")]
TAGS = [(1, 1, 0), (1, 2, 1), (3, 3, 0)]  # nid, tid, delta
ALIASES = [(1, "news/harrow-court-vote"), (2, "about")]
COMMENTS = [
    # cid, pid, nid, uid, name, mail, homepage, status, thread, minutes, body
    (1, 0, 1, 0, "Morwenna Tate", "morwenna@example.org", "https://morwenna.example", 1,
     "01/", 5, "<p>Great news for the estate!</p>"),
    (2, 1, 1, 3, "bernd", "", "", 1, "01.00/", 6, "<p>Agreed — well done, everyone.</p>"),
    (3, 0, 1, 0, "Ålfhild", "alf@example.org", "", 0, "02/", 7, "<p>Waiting for review.</p>"),
    (4, 1, 1, 0, "Dev Patel", "", "", 1, "01.01/", 8, "<p>Was anyone from the council there?</p>"),
    (5, 0, 2, 0, "Someone", "", "", 1, "01/", 9, "<p>Nice page.</p>"),
]  # fmt: skip
BYLINES = [(1, 0, "Zoë Ångström"), (1, 1, "Sam Okoro")]  # nid, delta, text
BYLINE_USERS = [(1, 0, 2), (1, 1, 3)]  # nid, delta, uid (Drupal 10: a user reference)
TERM_REFERENCE_D7 = 'a:1:{s:8:"settings";a:0:{}}'  # field_config.type says what it is
TERM_REFERENCE_D10 = 'a:2:{s:4:"type";s:16:"entity_reference";s:8:"settings";' \
    'a:1:{s:11:"target_type";s:13:"taxonomy_term";}}'  # fmt: skip
USER_REFERENCE_D10 = 'a:2:{s:4:"type";s:16:"entity_reference";s:8:"settings";' \
    'a:1:{s:11:"target_type";s:4:"user";}}'  # fmt: skip


class _Writer:
    def __init__(self, conn: Any, prefix: str, paramstyle: str) -> None:
        self.conn, self.prefix = conn, prefix
        self.mark = "?" if paramstyle == "qmark" else "%s"

    def table(self, name: str, columns: dict[str, str], rows: list[tuple[Any, ...]]) -> None:
        cursor = self.conn.cursor()
        definition = ", ".join(f"{column} {kind}" for column, kind in columns.items())
        cursor.execute(f"CREATE TABLE {self.prefix}{name} ({definition})")
        marks = ", ".join([self.mark] * len(columns))
        for row in rows:
            cursor.execute(f"INSERT INTO {self.prefix}{name} VALUES ({marks})", row)
        self.conn.commit()


def _field(value: str, *, d7: bool, kind: str = TEXT) -> dict[str, str]:
    common = {"entity_id": INT, "revision_id": INT, "delta": INT, "deleted": INT, "bundle": STR}
    return (
        {"entity_type": STR, **common, "language": STR, value: kind}
        if d7
        else {**common, "langcode": STR, value: kind}
    )


def _comment_columns(d7: bool) -> dict[str, str]:
    head = {"cid": INT, "pid": INT}
    head |= {"nid": INT} if d7 else {"entity_id": INT, "entity_type": STR, "field_name": STR}
    head |= {"uid": INT, "subject": STR, "hostname": STR, "created": INT, "changed": INT}
    head |= {"status": INT, "thread": STR, "name": STR, "mail": STR, "homepage": STR}
    return head | ({"language": STR} if d7 else {"langcode": STR, "default_langcode": INT})


def _comment_rows(d7: bool) -> list[tuple[Any, ...]]:
    rows = []
    for cid, pid, nid, uid, name, mail, homepage, status, thread, minutes, _ in COMMENTS:
        at = T0 + minutes * 60
        where = (nid,) if d7 else (nid, "node", "comment")
        rows.append(
            (
                cid,
                pid,
                *where,
                uid,
                f"Comment {cid}",
                "203.0.113.7",
                at,
                at,
                status,
                thread,
                name,
                mail,
                homepage,
                *(("und",) if d7 else ("en", 1)),
            )
        )
    return rows


def build_drupal7(conn: Any, *, prefix: str = "", paramstyle: str = "qmark") -> None:
    w = _Writer(conn, prefix, paramstyle)
    w.table("users", {"uid": INT, "name": STR, "mail": STR}, USERS)
    w.table(
        "node",
        {
            "nid": INT,
            "vid": INT,
            "type": STR,
            "language": STR,
            "title": STR,
            "uid": INT,
            "status": INT,
            "created": INT,
            "changed": INT,
            "comment": INT,
            "promote": INT,
        },
        [
            (nid, nid, type_, "und", title, uid, status, at, at + 30, comment, 1)
            for nid, type_, title, uid, status, at, comment in NODES
        ],
    )
    w.table(
        "node_revision", {"nid": INT, "vid": INT, "title": STR}, [(n[0], n[0], n[2]) for n in NODES]
    )
    body = {**_field("body_value", d7=True), "body_summary": TEXT, "body_format": STR}
    w.table(
        "field_data_body",
        body,
        [("node", nid, nid, 0, 0, "article", "und", *b) for nid, *b in BODIES],
    )
    w.table("comment", _comment_columns(True), _comment_rows(True))
    w.table(
        "field_data_comment_body",
        {**_field("comment_body_value", d7=True), "comment_body_format": STR},
        [
            ("comment", c[0], c[0], 0, 0, "comment_node_article", "und", c[-1], "filtered_html")
            for c in COMMENTS
        ],
    )
    w.table(
        "taxonomy_term_data",
        {"tid": INT, "vid": INT, "name": STR},
        [(tid, 1, name) for tid, name in TERMS],
    )
    published = {n[0] for n in NODES if n[4]}
    w.table(
        "taxonomy_index",
        {"nid": INT, "tid": INT, "sticky": INT, "created": INT},
        [(nid, tid, 0, T0) for nid, tid, _ in TAGS if nid in published],
    )
    w.table(
        "field_config",
        {"id": INT, "field_name": STR, "type": STR, "deleted": INT, "data": TEXT},
        [
            (1, "field_tags", "taxonomy_term_reference", 0, TERM_REFERENCE_D7),
            (2, "field_byline", "text", 0, "a:0:{}"),
        ],
    )
    w.table(
        "field_data_field_tags",
        {**_field("field_tags_tid", d7=True, kind=INT)},
        [("node", nid, nid, delta, 0, "article", "und", tid) for nid, tid, delta in TAGS],
    )
    w.table(
        "field_data_field_byline",
        {**_field("field_byline_value", d7=True)},
        [("node", nid, nid, delta, 0, "article", "und", name) for nid, delta, name in BYLINES],
    )
    w.table(
        "url_alias",
        {"pid": INT, "source": STR, "alias": STR, "language": STR},
        [(i, f"node/{nid}", alias, "und") for i, (nid, alias) in enumerate(ALIASES, 1)],
    )


def build_drupal10(conn: Any, *, prefix: str = "", paramstyle: str = "qmark") -> None:
    w = _Writer(conn, prefix, paramstyle)
    w.table(
        "users",
        {"uid": INT, "uuid": STR, "langcode": STR},
        [(u[0], f"u-{u[0]}", "en") for u in USERS],
    )
    w.table(
        "users_field_data",
        {"uid": INT, "langcode": STR, "name": STR, "mail": STR, "default_langcode": INT},
        [(uid, "en", name, mail, 1) for uid, name, mail in USERS],
    )
    w.table(
        "node",
        {"nid": INT, "vid": INT, "type": STR, "uuid": STR, "langcode": STR},
        [(n[0], n[0], n[1], f"n-{n[0]}", "en") for n in NODES],
    )
    w.table(
        "node_field_data",
        {
            "nid": INT,
            "vid": INT,
            "type": STR,
            "langcode": STR,
            "status": INT,
            "title": STR,
            "uid": INT,
            "created": INT,
            "changed": INT,
            "promote": INT,
            "default_langcode": INT,
        },
        [
            (nid, nid, type_, "en", status, title, uid, at, at + 30, 1, 1)
            for nid, type_, title, uid, status, at, _ in NODES
        ],
    )
    body = {**_field("body_value", d7=False), "body_summary": TEXT, "body_format": STR}
    w.table("node__body", body, [(nid, nid, 0, 0, "article", "en", *b) for nid, *b in BODIES])
    w.table(
        "node__comment",
        {**_field("comment_status", d7=False, kind=INT)},
        [(n[0], n[0], 0, 0, n[1], "en", n[6]) for n in NODES],
    )
    w.table("comment_field_data", _comment_columns(False), _comment_rows(False))
    w.table(
        "comment__comment_body",
        {**_field("comment_body_value", d7=False), "comment_body_format": STR},
        [(c[0], c[0], 0, 0, "comment", "en", c[-1], "basic_html") for c in COMMENTS],
    )
    w.table(
        "taxonomy_term_field_data",
        {"tid": INT, "vid": STR, "langcode": STR, "name": STR, "default_langcode": INT},
        [(tid, "tags", "en", name, 1) for tid, name in TERMS],
    )
    published = {n[0] for n in NODES if n[4]}
    w.table(
        "taxonomy_index",
        {"nid": INT, "tid": INT, "status": INT, "sticky": INT, "created": INT},
        [(nid, tid, 1, 0, T0) for nid, tid, _ in TAGS if nid in published],
    )
    w.table(
        "node__field_tags",
        {**_field("field_tags_target_id", d7=False, kind=INT)},
        [(nid, nid, delta, 0, "article", "en", tid) for nid, tid, delta in TAGS],
    )
    w.table(
        "node__field_byline",
        {**_field("field_byline_target_id", d7=False, kind=INT)},
        [(nid, nid, delta, 0, "article", "en", uid) for nid, delta, uid in BYLINE_USERS],
    )
    w.table(
        "config",
        {"collection": STR, "name": STR, "data": TEXT},
        [
            ("", "field.storage.node.field_tags", TERM_REFERENCE_D10),
            ("", "field.storage.node.field_byline", USER_REFERENCE_D10),
            ("", "system.site", 'a:1:{s:4:"name";s:9:"Newsroom";}'),
        ],
    )
    w.table(
        "path_alias",
        {"id": INT, "path": STR, "alias": STR, "langcode": STR, "status": INT},
        [(i, f"/node/{nid}", f"/{alias}", "en", 1) for i, (nid, alias) in enumerate(ALIASES, 1)],
    )
