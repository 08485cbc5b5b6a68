"""The whole site as plain JSON files, for people and programs that are not WordPress.

One file per article (`articles/<slug>.json`: the article, its bylines and topics, and its
comments as a tree), and `authors.json`, `topics.json`, `policies.json` and `site.json`
(what was exported, when, and how many of each). The format is in docs/export-format.md;
`FORMAT_VERSION` changes when a field changes meaning or goes away.

Left out on purpose: accounts beyond the name and login shown with what they wrote (no
password hashes or addresses of readers who wrote nothing: `broadsheet backup` copies
everything), the keyed hash of commenters' addresses (meaningless without this site's
secret, and cleared after the retention period), moderation notes and revisions.

Streaming like the WXR export: an article's comments are the most held in memory at once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from broadsheet.consent.models import PolicyPage
from broadsheet.discussion.models import Comment
from broadsheet.discussion.serializers import comment_private_data
from broadsheet.importers.export_wxr import (
    ExportSummary,
    articles_for_export,
    comments_for_export,
)
from broadsheet.publishing.models import Article, Author, Topic
from broadsheet.publishing.serializers import article_source_data, author_data, topic_data

FORMAT = "broadsheet-export"
FORMAT_VERSION = 1
# Slugs are letters, digits, hyphens and underscores; anything else (a row written around
# the model's validation) is not trusted as a file name.
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][-A-Za-z0-9_]*")


class ExportDirectoryError(Exception):
    pass


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with a "Z", or None."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def article_file_name(article: Article) -> str:
    name = article.slug if _SAFE_NAME.fullmatch(article.slug) else f"article-{article.pk}"
    return f"{name}.json"


def write_json(directory: Path, progress: Callable[[], None] | None = None) -> ExportSummary:
    """Write the whole site into `directory`, which must be new or empty."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ExportDirectoryError(f"{directory} is not an empty directory.")
    articles_dir = directory / "articles"
    articles_dir.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    summary = ExportSummary()
    written: set[str] = set()
    for article in articles_for_export():
        name = article_file_name(article)
        if name.lower() in written:  # two slugs differing only in case, on a case-blind disk
            name = f"article-{article.pk}.json"
        written.add(name.lower())
        data = article_data(article)
        _dump(articles_dir / name, data)
        summary.articles += 1
        summary.comments += data["comment_total"]
        if progress is not None:
            progress()
    authors = [author_data(author) for author in Author.objects.order_by("pk")]
    topics = [topic_data(topic) for topic in Topic.objects.order_by("pk")]
    policies = [policy_data(page) for page in PolicyPage.objects.order_by("kind", "version")]
    _dump(directory / "authors.json", authors)
    _dump(directory / "topics.json", topics)
    _dump(directory / "policies.json", policies)
    summary.authors, summary.topics, summary.pages = len(authors), len(topics), len(policies)
    _dump(
        directory / "site.json",
        {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "site": {
                "name": settings.SITE_NAME,
                "url": settings.SITE_URL,
                "description": settings.SITE_DESCRIPTION,
                "language": settings.LANGUAGE_CODE,
                "time_zone": settings.TIME_ZONE,
            },
            "exported_at": iso(started),
            "finished_at": iso(timezone.now()),
            "counts": {
                "articles": summary.articles,
                "comments": summary.comments,
                "authors": summary.authors,
                "topics": summary.topics,
                "policies": summary.pages,
            },
            "files": {
                "articles": "articles/<slug>.json",
                "authors": "authors.json",
                "topics": "topics.json",
                "policies": "policies.json",
            },
        },
    )
    return summary


# What each file holds of an article and a comment: the owning apps' dicts, less what
# docs/export-format.md leaves out (public counts and addresses that the files' structure
# already says, moderation notes, whether an address hash is kept).
_ARTICLE_KEYS = (
    "id", "slug", "url", "title", "standfirst", "status", "published_at", "created_at",
    "updated_at", "body_format", "body_source", "body_html", "comments_mode", "submitted_by",
)  # fmt: skip
_REFERENCE_KEYS = ("id", "name", "slug")
_COMMENT_KEYS = (
    "id", "parent_id", "status", "name", "email", "homepage", "account", "verified",
    "email_confirmed", "created_at", "edited_at", "body_format", "body_source", "body_html",
)  # fmt: skip


def _exported(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The `keys` of `data`, in that order, with datetimes as `iso()` writes them."""
    return {
        key: iso(data[key]) if isinstance(data[key], dt.datetime) else data[key] for key in keys
    }


def article_data(article: Article) -> dict[str, Any]:
    data = article_source_data(article)
    comments = [comment_data(comment) for comment in comments_for_export(article)]
    return {
        **_exported(data, _ARTICLE_KEYS),
        "bylines": [_exported(author, _REFERENCE_KEYS) for author in data["bylines"]],
        "topics": [_exported(topic, _REFERENCE_KEYS) for topic in data["topics"]],
        "comment_total": len(comments),
        "comments": threaded(comments),
    }


def comment_data(comment: Comment) -> dict[str, Any]:
    return {**_exported(comment_private_data(comment), _COMMENT_KEYS), "replies": []}


def threaded(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Comments (oldest first) as a tree: each reply in its parent's `replies`. A reply
    whose parent is missing stays at the top, with its `parent_id`, rather than lost."""
    by_id = {comment["id"]: comment for comment in comments}
    roots: list[dict[str, Any]] = []
    for comment in comments:
        parent = by_id.get(comment["parent_id"])
        (parent["replies"] if parent is not None else roots).append(comment)
    return roots


def policy_data(page: PolicyPage) -> dict[str, Any]:
    return {
        "kind": page.kind,
        "version": page.version,
        "title": page.title,
        "url": settings.SITE_URL + page.get_absolute_url(),
        "published_at": iso(page.published_at),
        "created_at": iso(page.created_at),
        "needs_review": page.needs_review,
        "body_source": page.body_source,
        "body_html": page.body_html,
    }


def _dump(path: Path, data: Any) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
