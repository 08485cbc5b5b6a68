"""What every importer reads from its source, before anything is stored.

A reader (WordPress WXR, a Drupal database, a Disqus export) turns its source into these
plain records, in a streaming way (generators, not lists, for sources of any size); the
loader (`services.py`) stores them: it finds what an earlier run of the same import made
(by `source` and `source_id`) and updates it instead of making it twice, sanitises HTML,
keeps only the keyed hash of an address, and counts what it created, updated and skipped
and why. Readers never touch the database of the site; the loader never parses a source.

Times are aware datetimes in UTC. `source_id` is the item's id in the source system, as a
string, stable across runs of the same export (a WordPress post ID, a Drupal nid or cid,
a Disqus post id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

ArticleStatus = Literal["published", "draft", "scheduled", "private"]
CommentStatus = Literal["published", "held", "spam", "deleted"]
BodyFormat = Literal["html", "markdown", "text"]
PolicyKind = Literal["privacy", "terms", "cookies"]


@dataclass
class AccountRecord:
    """An account of the source site: the submitter of articles, or a commenter who was
    signed in. Created without a usable password when the site has no such account."""

    source_id: str
    username: str
    display_name: str = ""
    email: str = ""


@dataclass
class ArticleRecord:
    source_id: str
    title: str
    slug: str  # kept as the source had it (made unique by the loader if taken)
    body: str
    body_format: BodyFormat = "html"  # "html" is sanitised and stored as HTML, not converted
    standfirst: str = ""  # plain text
    status: ArticleStatus = "published"  # "private": stored, never public
    published_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    submitted_by: AccountRecord | None = None
    bylines: list[str] = field(default_factory=list)  # author display names, in order
    topics: list[str] = field(default_factory=list)  # topic names (categories and tags)
    comments_open: bool = True
    # Addresses (path, with any query string, e.g. "/?p=12" or "/2019/12/some-slug/") that
    # redirect permanently to the article from now on.
    old_paths: list[str] = field(default_factory=list)


@dataclass
class CommentRecord:
    source_id: str
    # The ArticleRecord.source_id it belongs to (same source); or, for comments imported
    # onto articles already on the site (Disqus), empty with `article_id` set instead.
    article_source_id: str
    body: str
    body_format: BodyFormat = "html"
    parent_source_id: str | None = None
    name: str = ""
    email: str = ""
    homepage: str = ""
    created_at: dt.datetime | None = None
    status: CommentStatus = "published"
    address: str = ""  # the client address as the source kept it; stored only as the hash
    account: AccountRecord | None = None  # set when the commenter was signed in
    # Drupal's "(not verified)": False for anonymous commenters. A comment with an
    # account is verified.
    verified: bool = False
    article_id: int | None = None  # a site Article's pk, when article_source_id is empty


@dataclass
class PolicyRecord:
    """A page that was the source site's privacy policy, terms or cookie policy: imported
    as a draft of that policy page, for an editor to review and publish."""

    kind: PolicyKind
    title: str
    body: str
    body_format: BodyFormat = "html"
    source_id: str = ""


Record = AccountRecord | ArticleRecord | CommentRecord | PolicyRecord
