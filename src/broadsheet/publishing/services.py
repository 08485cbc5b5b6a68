"""Publishing workflows with side effects: revisions, publishing, the Editors group, and
the webhook events of an article's life.

A revision is a snapshot of an article's editable fields (bylines and topics as ordered
ids) in ArticleRevision.data. This module is the only code that reads or writes that
format: the admin asks it to record, compare and restore revisions.

Every new revision is also where webhook endpoints hear of an article: `article_revised()`
decides what the change means to readers (published, updated, unpublished, or nothing)
and hands the event and the article's payload (`serializers.article_payload()`) to the
webhook outbox. A scheduled article goes live when its time comes, which no save announces:
saving it as scheduled queues `tasks.announce_if_live` to run at its publish time, which
sends "article.published" if it is still scheduled for that time then.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet import pagecache
from broadsheet.accounts.models import User
from broadsheet.webhooks import services as webhooks
from broadsheet.webhooks.models import Event

from .models import Article, ArticleRevision, Author, Byline, Topic
from .serializers import article_payload
from .tasks import announce_if_live

EDITORS_GROUP = "Editors"
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("article", "author", "topic", "byline")
    for action in ("add", "change", "delete", "view")
]
# Revisions are the record of who changed what: editors may read them, never edit them.
EDITOR_PERMISSIONS.append("view_articlerevision")

# The fields a revision keeps and restores; bylines and topics are kept as ordered ids.
REVISION_FIELDS = ("title", "slug", "standfirst", "body_source", "status", "comments_mode")

# Every key of a snapshot with the name an editor knows it by, in the form's order.
REVISION_LABELS = {
    "title": "Title",
    "slug": "Slug",
    "standfirst": "Standfirst",
    "body_source": "Body",
    "authors": "Byline authors",
    "topics": "Topics",
    "status": "Status",
    "published_at": "Publish time",
    "comments_mode": "Comments",
}


def ensure_editors_group(**kwargs: Any) -> Group:
    """Create or update the Editors group with the permissions editing needs."""
    # post_migrate reaches this app before django.contrib.auth has created the permissions
    # of a fresh database; creating them here first is idempotent.
    create_permissions(apps.get_app_config("publishing"), verbosity=0)
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
    revision = ArticleRevision.objects.create(article=article, edited_by=edited_by, data=data)
    # Every admin save, publish, unpublish and restore comes through here: the one place
    # to tell webhook endpoints what the change means to readers.
    article_revised(article, latest.data if latest is not None else None)
    return revision


# Webhook events ---------------------------------------------------------------------------


def _was_live(snapshot: dict[str, Any] | None, now: datetime) -> bool:
    if snapshot is None or snapshot["status"] == Article.Status.DRAFT:
        return False
    published_at = parse_datetime(snapshot["published_at"] or "")
    return published_at is not None and published_at <= now


def article_revised(article: Article, previous: dict[str, Any] | None) -> None:
    """Announce what a new revision of `article` means to readers, given the snapshot of
    the revision before it (None for the first).

    Live before and after: updated. Live only after: published. Live only before:
    unpublished. Neither (a draft, or a scheduled article whose time has not come): nothing
    readers can see changed, so nothing is sent; a scheduled one is announced when it goes
    live."""
    now = timezone.now()
    was_live, is_live = _was_live(previous, now), article.is_live
    if is_live:
        event = Event.ARTICLE_UPDATED if was_live else Event.ARTICLE_PUBLISHED
    elif was_live:
        event = Event.ARTICLE_UNPUBLISHED
    else:
        event = None
    if event is not None:
        # Built after the commit (its bylines are a query), and only if an endpoint wants it.
        webhooks.queue_event_on_commit(event, lambda: {"article": article_payload(article)})
    if not is_live and article.status != Article.Status.DRAFT and article.published_at:
        _schedule_go_live(article, previous)


def _schedule_go_live(article: Article, previous: dict[str, Any] | None) -> None:
    assert article.published_at is not None
    published_at = article.published_at.isoformat()
    if (
        previous is not None
        and previous["status"] != Article.Status.DRAFT
        and previous["published_at"] == published_at
    ):
        return  # an edit of an article already waiting for this time: its task is queued
    article_id, run_after = article.pk, article.published_at

    def queue() -> None:
        waiting = DBTaskResult.objects.filter(
            task_path=announce_if_live.module_path,
            status=TaskResultStatus.READY,
            args_kwargs__kwargs__article_id=article_id,
            args_kwargs__kwargs__published_at=published_at,
        ).exists()
        if not waiting:
            announce_if_live.using(run_after=run_after).enqueue(
                article_id=article_id, published_at=published_at
            )

    # robust, as the outbox's own hook: the article is saved whatever happens to this.
    transaction.on_commit(queue, robust=True)


def article_went_live(article_id: int, published_at: str) -> bool:
    """Send "article.published" for a scheduled article whose time has come, if it is
    still scheduled for `published_at` (an article rescheduled or unpublished since has
    its own announcement, or none). Returns whether it sent. Run by the worker
    (`tasks.announce_if_live`)."""
    article = Article.objects.filter(pk=article_id).first()
    if (
        article is None
        or article.status == Article.Status.DRAFT
        or article.published_at is None
        or article.published_at.isoformat() != published_at
    ):
        return False
    if not article.is_live:  # run early (clock skew): try again at the time
        announce_if_live.using(run_after=article.published_at).enqueue(
            article_id=article_id, published_at=published_at
        )
        return False
    # Queued now, not on a commit: the task has no transaction of its own to wait for,
    # and an error should fail the task where the worker's log shows it.
    webhooks.queue_event(Event.ARTICLE_PUBLISHED, lambda: {"article": article_payload(article)})
    return True


def set_bylines(article: Article, authors: list[Author]) -> None:
    """Replace the article's byline with these authors, in this order."""
    with transaction.atomic():
        Byline.objects.filter(article=article).delete()
        Byline.objects.bulk_create(
            Byline(article=article, author=author, position=index)
            for index, author in enumerate(authors)
        )
        # bulk_create sends no signals for the page cache to hear.
        pagecache.changed(pagecache.tag("article", article.pk), pagecache.LIVE_ARTICLES)


def save_article(
    article: Article,
    edited_by: User,
    *,
    authors: list[Author] | None = None,
    topics: list[Topic] | None = None,
) -> ArticleRevision:
    """Save an article with its bylines and topics (None: leave as they are) and keep a
    revision, all in one transaction, as the admin's save does: what the API's editing
    goes through."""
    with transaction.atomic():
        article.save()
        if authors is not None:
            set_bylines(article, authors)
        if topics is not None:
            article.topics.set(topics)
        return record_revision(article, edited_by)


def renumber_bylines(article: Article) -> None:
    """Number the bylines 0, 1, 2… in their current order.

    Editors order bylines by typing positions; after a save the numbers are made consecutive
    again so the next edit starts from a tidy list and ties cannot linger."""
    bylines = list(Byline.objects.filter(article=article).order_by("position", "id"))
    changed = []
    for index, byline in enumerate(bylines):
        if byline.position != index:
            byline.position = index
            changed.append(byline)
    if changed:
        Byline.objects.bulk_update(changed, ["position"])
        pagecache.changed(pagecache.tag("article", article.pk))


def publish_now(article: Article, published_by: User | None) -> bool:
    """Make the article live now and keep a revision; False if it already was published.

    A publish time in the past is kept (an article taken down and put back keeps its date);
    a future one is replaced, since "now" is what the editor asked for."""
    if article.status == Article.Status.PUBLISHED and article.is_live:
        return False
    now = timezone.now()
    keep = article.published_at is not None and article.published_at <= now
    article.publish(at=article.published_at if keep else now)
    record_revision(article, published_by)
    return True


def unpublish(article: Article, unpublished_by: User | None) -> bool:
    """Take the article back to draft and keep a revision; False if it already was a draft."""
    if article.status == Article.Status.DRAFT:
        return False
    article.unpublish()
    record_revision(article, unpublished_by)
    return True


def check_restore_revision(revision: ArticleRevision) -> None:
    """Raise ValidationError if `revision` cannot be restored as it stands."""
    slug = revision.data["slug"]
    if Article.objects.filter(slug=slug).exclude(pk=revision.article_id).exists():
        raise ValidationError(
            f"Another article now has the slug “{slug}”, which this revision used. "
            "Change that article's slug first."
        )


@transaction.atomic
def restore_revision(revision: ArticleRevision, restored_by: User | None) -> Article:
    """Put an article back as it was in `revision`; the restore is itself a new revision.

    Byline authors deleted since the revision are left out."""
    check_restore_revision(revision)
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


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The labels of the fields that differ between two snapshots, in the form's order."""
    return [label for key, label in REVISION_LABELS.items() if before.get(key) != after.get(key)]


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "removed", "added", "context" or "gap"
    sign: str
    text: str


@dataclass(frozen=True)
class FieldDiff:
    label: str
    lines: list[DiffLine]


def compare_with_current(revision: ArticleRevision) -> list[FieldDiff]:
    """How the article differs now from `revision`, field by field, as unified diffs of
    readable text: "removed" lines are only in the revision, "added" ones only in the
    current article. Fields that read the same are left out."""
    old_data = revision.data
    new_data = snapshot(revision.article)
    authors = Author.objects.in_bulk([*old_data["authors"], *new_data["authors"]])
    topics = Topic.objects.in_bulk([*old_data["topics"], *new_data["topics"]])
    diffs = []
    for key, label in REVISION_LABELS.items():
        old = _readable(key, old_data.get(key), authors, topics).splitlines()
        new = _readable(key, new_data.get(key), authors, topics).splitlines()
        # Compared as lines: a textarea sends CRLF, and a change of line endings alone is
        # not something an editor could see or act on.
        if old == new:
            continue
        lines: list[DiffLine] = []
        for line in list(difflib.unified_diff(old, new, lineterm="", n=3))[2:]:
            if line.startswith("@@"):
                # A "@@ -12,7 +12,8 @@" header means nothing to an editor; a gap marker
                # where unchanged lines are skipped says what matters.
                if lines or not line.startswith(("@@ -1 ", "@@ -1,", "@@ -0,")):
                    lines.append(DiffLine("gap", "", "⋯"))
            elif line.startswith("-"):
                lines.append(DiffLine("removed", "−", line[1:]))
            elif line.startswith("+"):
                lines.append(DiffLine("added", "+", line[1:]))
            else:
                lines.append(DiffLine("context", "", line[1:]))
        diffs.append(FieldDiff(label, lines))
    return diffs


def _readable(key: str, value: Any, authors: dict[Any, Author], topics: dict[Any, Topic]) -> str:
    if key == "authors":
        return "\n".join(
            authors[pk].name if pk in authors else f"(deleted author #{pk})" for pk in value
        )
    if key == "topics":
        return "\n".join(
            topics[pk].name if pk in topics else f"(deleted topic #{pk})" for pk in value
        )
    if key == "published_at":
        when = parse_datetime(value) if value else None
        return f"{timezone.localtime(when):%Y-%m-%d %H:%M %Z}" if when else "(no time)"
    if key == "status":
        return str(dict(Article.Status.choices).get(value, value))
    if key == "comments_mode":
        return str(dict(Article.Comments.choices).get(value, value))
    return str(value or "")
