"""Publishing workflows with side effects: revisions and the Editors group."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.dateparse import parse_datetime

from broadsheet.accounts.models import User

from .models import Article, ArticleRevision, Author, Byline, Topic

EDITORS_GROUP = "Editors"
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("article", "author", "topic", "byline", "articlerevision")
    for action in ("add", "change", "delete", "view")
]

# The fields a revision keeps and restores; bylines and topics are kept as ordered ids.
REVISION_FIELDS = ("title", "slug", "standfirst", "body_source", "status", "comments_mode")


def ensure_editors_group(**kwargs: Any) -> Group:
    """Create or update the Editors group with the permissions editing needs."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="publishing", codename__in=EDITOR_PERMISSIONS
    )
    group.permissions.add(*permissions)
    return group


def snapshot(article: Article) -> dict[str, Any]:
    data: dict[str, Any] = {field: getattr(article, field) for field in REVISION_FIELDS}
    data["published_at"] = article.published_at.isoformat() if article.published_at else None
    data["authors"] = list(
        Byline.objects.filter(article=article)
        .order_by("position", "id")
        .values_list("author_id", flat=True)
    )
    data["topics"] = sorted(article.topics.values_list("id", flat=True))
    return data


def record_revision(article: Article, edited_by: User | None) -> ArticleRevision:
    """Keep the article's current state as a revision, unless it equals the latest one."""
    data = snapshot(article)
    latest = article.revisions.order_by("-created_at", "-id").first()
    if latest is not None and latest.data == data:
        return latest
    return ArticleRevision.objects.create(article=article, edited_by=edited_by, data=data)


def set_bylines(article: Article, authors: list[Author]) -> None:
    """Replace the article's byline with these authors, in this order."""
    with transaction.atomic():
        Byline.objects.filter(article=article).delete()
        Byline.objects.bulk_create(
            Byline(article=article, author=author, position=index)
            for index, author in enumerate(authors)
        )


@transaction.atomic
def restore_revision(revision: ArticleRevision, restored_by: User | None) -> Article:
    """Put an article back as it was in `revision`; the restore is itself a new revision."""
    article = revision.article
    data = revision.data
    for field in REVISION_FIELDS:
        setattr(article, field, data[field])
    article.published_at = parse_datetime(data["published_at"]) if data["published_at"] else None
    article.save()
    authors_by_id = Author.objects.in_bulk(data["authors"])
    set_bylines(article, [authors_by_id[pk] for pk in data["authors"] if pk in authors_by_id])
    article.topics.set(Topic.objects.filter(pk__in=data["topics"]))
    record_revision(article, restored_by)
    return article
