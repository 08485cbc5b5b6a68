"""The WordPress reader: a WXR export (1.0, 1.1 or 1.2) as import records.

Parsed streaming with defusedxml's iterparse, which refuses any DTD (so no entity
expansion and no external entities); each <item> is turned into records and then dropped
from the tree, so memory stays flat whatever the size of the file.

What becomes what:
- posts: articles. Status publish → published, future → scheduled, draft and pending →
  draft, private → private (stored as a draft); trash and auto-drafts are skipped. The
  time is post_date_gmt, or post_date in the site's time zone when WordPress left the
  GMT date empty (0000-00-00, as it does for drafts). The body is WordPress's HTML with
  its automatic paragraphs applied (`wpautop`); the excerpt becomes the standfirst.
- dc:creator: the submitting account, with the display name of the channel's author
  list. Bylines come from Co-Authors Plus terms (<category domain="author">), else the
  creator's display name.
- comments: threaded by wp:comment_parent (each post's comments are put parents first);
  approved → published, pending → held, spam → spam, trash → deleted; pingbacks and
  trackbacks are skipped. A comment with a wp:comment_user_id is linked to that account.
- pages: one whose slug or title names a privacy policy, terms or cookie policy becomes a
  draft of that policy page; other pages are skipped with a reason (the site has no
  general pages; an editor can copy one into an article if it matters).
- attachments, menu items, revisions and other post types are skipped with a reason.
- old addresses: /?p=ID, /YYYY/MM/slug/ (from post_date and post_name) and the path of
  the item's <link> redirect to the article.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .records import (
    AccountRecord,
    ArticleRecord,
    ArticleStatus,
    CommentRecord,
    CommentStatus,
    PolicyKind,
    PolicyRecord,
    Record,
)
from .wpautop import wpautop

if TYPE_CHECKING:
    from .services import ImportReport

_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
# WordPress's namespaces: this, the minor version, "/" and maybe "excerpt/". Read with str
# methods, as short_name() runs for every element of the file, too often for RE2's cost.
_WP = "http://wordpress.org/export/1."
ARTICLE_STATUS: dict[str, ArticleStatus] = {
    "publish": "published", "future": "scheduled", "draft": "draft", "pending": "draft",
    "private": "private",
}  # fmt: skip
COMMENT_STATUS: dict[str, CommentStatus] = {
    "1": "published", "0": "held", "spam": "spam", "trash": "deleted",
    "post-trashed": "deleted",
}  # fmt: skip
POLICY_NAMES: list[tuple[PolicyKind, re.Pattern[str]]] = [
    ("cookies", re.compile(r"\bcookies?\b", re.IGNORECASE)),
    ("privacy", re.compile(r"\bprivacy\b|\bdata[- ]protection\b", re.IGNORECASE)),
    ("terms", re.compile(r"\bterms\b|\bconditions\b|\bterms[- ]of[- ]", re.IGNORECASE)),
]
_CHANNEL_FIELDS = {"title": "title", "link": "link", "wp:base_site_url": "base_site_url",
                   "wp:wxr_version": "version"}  # fmt: skip
SKIPPED_TYPES = {"attachment": "attachment", "nav_menu_item": "menu item",
                 "revision": "revision"}  # fmt: skip


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class WxrError(Exception):
    """The file is not a WXR export we can read; `line` and `column` count from 1."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass
class Channel:
    """What the channel says before the first item: the site and its authors."""

    title: str = ""
    link: str = ""
    base_site_url: str = ""
    version: str = ""
    authors: dict[str, AccountRecord] = field(default_factory=dict)  # by login
    authors_by_id: dict[str, AccountRecord] = field(default_factory=dict)

    @property
    def site(self) -> str:
        return (self.link or self.base_site_url).rstrip("/")


def short_name(tag: str) -> str:
    """ "{http://wordpress.org/export/1.2/}post_id" → "wp:post_id", for any WXR version."""
    if not tag.startswith("{"):
        return tag
    namespace, _, local = tag[1:].partition("}")
    if namespace.startswith(_WP):
        version, slash, rest = namespace[len(_WP) :].partition("/")
        if slash and version.isdecimal() and rest in ("", "excerpt/"):
            return ("excerpt:" if rest else "wp:") + local
    prefix = _NAMESPACES.get(namespace)
    return f"{prefix}:{local}" if prefix else local


def read_channel(stream: Readable) -> Channel:
    """The channel's head (site, version, authors), reading only up to the first item."""
    channel = Channel()
    for _event, _elem in _parse(stream, channel, head_only=True):
        pass
    return channel


def read_wxr(
    stream: Readable, *, report: ImportReport, site_timezone: dt.tzinfo
) -> Iterator[Record]:
    """Records for every item of the export in `stream` (a binary file)."""
    channel = Channel()
    for name, element in _parse(stream, channel, head_only=False):
        if name == "item":
            yield from _item_records(element, channel, report, site_timezone)


def _parse(stream: Readable, channel: Channel, *, head_only: bool) -> Iterator[tuple[str, Element]]:
    open_tags: list[str] = []
    parent: Element | None = None
    events = iterparse(stream, events=("start", "end"), forbid_dtd=True)
    try:
        for event, element in events:
            name = short_name(element.tag)
            if event == "start":
                open_tags.append(name)
                if name == "channel":
                    parent = element
                elif name == "item" and head_only:
                    return
                continue
            open_tags.pop()
            if name == "rss" and channel.version == "" and not head_only:
                raise WxrError("no wp:wxr_version: this is not a WordPress export")
            if len(open_tags) != 2 or parent is None:  # only the channel's own children
                continue
            if name in _CHANNEL_FIELDS:
                setattr(channel, _CHANNEL_FIELDS[name], (element.text or "").strip())
            elif name == "wp:author":
                _remember_author(channel, element)
            yield name, element
            del parent[:]  # done with it: keep memory flat
    except ParseError as error:
        line, column = error.position
        code = getattr(error, "code", None)
        message = expat.ErrorString(code) if code else str(error)
        raise WxrError(_expected(message, open_tags), line, column + 1) from error
    except DefusedXmlException as error:
        raise WxrError(f"refused: {error} (WXR files have no DTD or entities)") from error


def _expected(message: str, open_tags: list[str]) -> str:
    if open_tags and message in ("mismatched tag", "no element found", "unclosed token"):
        return f"{message}; expected </{open_tags[-1]}>"
    return message


def _child_text(element: Element, name: str) -> str:
    for child in element:
        if short_name(child.tag) == name:
            return child.text or ""
    return ""


def _remember_author(channel: Channel, element: Element) -> None:
    login = _child_text(element, "wp:author_login").strip()
    author_id = _child_text(element, "wp:author_id").strip()
    if not login:
        return
    account = AccountRecord(
        source_id=author_id or f"login:{login}",
        username=login,
        display_name=_child_text(element, "wp:author_display_name").strip(),
        email=_child_text(element, "wp:author_email").strip(),
    )
    channel.authors[login] = account
    if author_id:
        channel.authors_by_id[author_id] = account


def _time(gmt: str, local: str, site_timezone: dt.tzinfo) -> dt.datetime | None:
    """post_date_gmt, or post_date read in the site's time zone when it is empty."""
    for text, zone in ((gmt, dt.UTC), (local, site_timezone)):
        text = text.strip()
        if not text or text.startswith("0000"):
            continue
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(dt.UTC)
    return None


def _policy_kind(slug: str, title: str) -> PolicyKind | None:
    words = f"{unquote(slug).replace('-', ' ')} {title}"
    for kind, pattern in POLICY_NAMES:
        if pattern.search(words):
            return kind
    return None


def _item_records(
    item: Element, channel: Channel, report: ImportReport, site_timezone: dt.tzinfo
) -> Iterator[Record]:
    values: dict[str, str] = {}
    terms: list[tuple[str, str, str]] = []  # (domain, nicename, name)
    comments: list[Element] = []
    for child in item:
        name = short_name(child.tag)
        if name == "category":
            terms.append((child.get("domain", ""), child.get("nicename", ""), child.text or ""))
        elif name == "wp:comment":
            comments.append(child)
        elif name not in values:
            values[name] = child.text or ""
    post_id = values.get("wp:post_id", "").strip()
    post_type = values.get("wp:post_type", "post").strip()
    status = values.get("wp:status", "").strip()
    title = values.get("title", "").strip()
    slug = unquote(values.get("wp:post_name", "").strip())
    if not post_id:
        report.skip("item", "no wp:post_id")
        return
    if post_type == "page":
        kind = _policy_kind(slug, title)
        if kind is None:
            report.skip("page", "not a privacy, terms or cookie policy page")
        elif status == "trash":
            report.skip("page", "in the trash")
        else:
            body = wpautop(values.get("content:encoded", ""))
            yield PolicyRecord(kind=kind, title=title, body=body, source_id=post_id)
        return
    if post_type != "post":
        report.skip(SKIPPED_TYPES.get(post_type, "other post type"), f"{post_type} not imported")
        return
    if status not in ARTICLE_STATUS:
        report.skip("article", "in the trash" if status == "trash" else f"status {status!r}")
        return
    local_date = values.get("wp:post_date", "")
    published_at = _time(values.get("wp:post_date_gmt", ""), local_date, site_timezone)
    modified = _time(values.get("wp:post_modified_gmt", ""), values.get("wp:post_modified", ""),
                     site_timezone)  # fmt: skip
    creator = _account(channel, values.get("dc:creator", "").strip())
    coauthors = [
        _display_name(channel, name.strip() or nicename.removeprefix("cap-"))
        for domain, nicename, name in terms
        if domain == "author"
    ]
    article_status = ARTICLE_STATUS[status]
    yield ArticleRecord(
        source_id=post_id,
        title=title,
        slug=slug,
        body=wpautop(values.get("content:encoded", "")),
        standfirst=values.get("excerpt:encoded", "").strip(),
        status=article_status,
        published_at=None if article_status == "draft" else published_at,
        created_at=published_at,
        updated_at=modified,
        submitted_by=creator,
        bylines=[name for name in coauthors if name] or [],
        topics=[name.strip() for domain, _, name in terms if domain in ("category", "post_tag")],
        comments_open=values.get("wp:comment_status", "open").strip() == "open",
        old_paths=_old_paths(post_id, slug, local_date, values.get("link", "")),
    )
    yield from _comment_records(post_id, comments, channel, report, site_timezone)


def _account(channel: Channel, login: str) -> AccountRecord | None:
    if not login:
        return None
    return channel.authors.get(login) or AccountRecord(source_id=f"login:{login}", username=login)


def _display_name(channel: Channel, login: str) -> str:
    account = channel.authors.get(login)
    return (account.display_name or account.username) if account else login


def _old_paths(post_id: str, slug: str, local_date: str, link: str) -> list[str]:
    paths = [f"/?p={post_id}"]
    if slug and re.match(r"\d{4}-\d{2}-", local_date) and not local_date.startswith("0000"):
        paths.append(f"/{local_date[:4]}/{local_date[5:7]}/{slug}/")
    parts = urlsplit(link.strip())
    if parts.path and (parts.path != "/" or parts.query):
        path = unquote(parts.path) + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def _comment_records(
    post_id: str,
    elements: list[Element],
    channel: Channel,
    report: ImportReport,
    site_timezone: dt.tzinfo,
) -> Iterator[CommentRecord]:
    comments: dict[str, CommentRecord] = {}
    for element in elements:
        values = {short_name(child.tag): child.text or "" for child in element}
        kind = values.get("wp:comment_type", "").strip()
        comment_id = values.get("wp:comment_id", "").strip()
        if kind in ("pingback", "trackback"):
            report.skip("comment", kind)
            continue
        if not comment_id:
            report.skip("comment", "no wp:comment_id")
            continue
        user_id = values.get("wp:comment_user_id", "0").strip()
        account = None
        if user_id and user_id != "0":
            account = channel.authors_by_id.get(user_id) or AccountRecord(
                source_id=user_id,
                username=values.get("wp:comment_author", "").strip() or f"user-{user_id}",
                display_name=values.get("wp:comment_author", "").strip(),
                email=values.get("wp:comment_author_email", "").strip(),
            )
        parent = values.get("wp:comment_parent", "0").strip()
        comments[comment_id] = CommentRecord(
            source_id=comment_id,
            article_source_id=post_id,
            body=wpautop(values.get("wp:comment_content", "")),
            parent_source_id=parent if parent not in ("", "0") else None,
            name=values.get("wp:comment_author", "").strip(),
            email=values.get("wp:comment_author_email", "").strip(),
            homepage=values.get("wp:comment_author_url", "").strip(),
            created_at=_time(
                values.get("wp:comment_date_gmt", ""),
                values.get("wp:comment_date", ""),
                site_timezone,
            ),  # fmt: skip
            status=COMMENT_STATUS.get(values.get("wp:comment_approved", "").strip(), "held"),
            address=values.get("wp:comment_author_IP", "").strip(),
            account=account,
            verified=account is not None,
        )
    yield from _parents_first(comments)


def _parents_first(comments: dict[str, CommentRecord]) -> Iterator[CommentRecord]:
    """Each comment after its parent, whatever order the export has them in; a reply to
    a comment not in the export comes out all the same, for the loader to skip."""
    emitted: set[str] = set()
    for source_id in comments:
        chain = []
        current: str | None = source_id
        while current is not None and current in comments and current not in emitted:
            if current in chain:  # a loop of parents: broken here
                break
            chain.append(current)
            current = comments[current].parent_source_id
        for link in reversed(chain):
            emitted.add(link)
            yield comments[link]


def site_timezone(name: str | None) -> dt.tzinfo:
    """The zone WordPress's local dates are in: `name`, or the site's TIME_ZONE."""
    from django.conf import settings

    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise WxrError(f"unknown time zone {name!r}") from error
