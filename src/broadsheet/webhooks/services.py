"""Announcing events to webhook endpoints: what publishing and discussion call.

`article_revised()` (from publishing's record_revision, which every admin save, publish,
unpublish and restore goes through) and `comment_posted()` / `comment_status_changed()`
(from discussion's services) decide which event, if any, a change is. The event is queued
in an `on_commit` hook of the caller's transaction, so a change rolled back announces
nothing and the write transaction (the comment post's above all) does no extra work; a
process that dies between the commit and the hook loses that event (see docs/webhooks.md).
The hook writes one WebhookDelivery row and one task row per subscribed endpoint; the
worker sends them (`tasks.deliver_webhook`). Nothing here touches the network.

A scheduled article goes live when its time comes, which no save announces: saving it as
scheduled queues `tasks.announce_if_live` to run at its publish time, which sends
"article.published" if it is still scheduled for that time then.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.discussion.models import Comment
from broadsheet.lib.versioned import Versioned
from broadsheet.publishing.models import Article

from .models import Event, WebhookDelivery, WebhookEndpoint
from .tasks import announce_if_live, deliver_webhook

logger = logging.getLogger(__name__)


# Payloads: what a receiver learns. Public facts only: never e-mail addresses or client
# address hashes.


def article_payload(article: Article) -> dict[str, Any]:
    return {
        "id": article.pk,
        "title": article.title,
        "url": settings.SITE_URL + article.get_absolute_url(),
        "status": article.public_status,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "bylines": [author.name for author in article.byline_authors()],
    }


def comment_payload(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "article_id": comment.article_id,
        "url": settings.SITE_URL + comment.get_absolute_url(),
        "status": comment.status,
        "verified": comment.is_verified,
        "name": comment.name,
        "created_at": comment.created_at.isoformat(),
    }


# Queueing --------------------------------------------------------------------------------


def _load_active_endpoints() -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(active=True))


# Read after every comment post; kept per process and loaded again when an endpoint is
# saved or deleted (WebhooksConfig.ready), so most sites, which have none, pay no query.
active_endpoints = Versioned("webhook-endpoints", _load_active_endpoints)


def queue_event(event: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Log a delivery of `event` for every active endpoint that subscribes to it and queue
    each for the worker, in one transaction. `payload` is the event's object, keyed by its
    kind ("article" or "comment")."""
    endpoints = [e for e in active_endpoints.get() if e.receives(event)]
    deliveries: list[WebhookDelivery] = []
    if not endpoints:
        # No transaction at all: on SQLite even an empty one takes the write lock, which
        # every comment post after this one would wait for.
        return deliveries
    with transaction.atomic():
        for endpoint in endpoints:
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                payload={"event": event, **payload},
                next_attempt_at=timezone.now(),
            )
            deliver_webhook.enqueue(delivery_id=delivery.pk, attempt=1)
            deliveries.append(delivery)
    return deliveries


def _after_commit(callback: Any) -> None:
    # robust: an error queueing a webhook is logged, never turned into a failed request
    # for a change that has already been committed.
    transaction.on_commit(callback, robust=True)


# Articles --------------------------------------------------------------------------------


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
        _after_commit(lambda: queue_event(event, {"article": article_payload(article)}))
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

    _after_commit(queue)


def article_went_live(article_id: int, published_at: str) -> bool:
    """Send "article.published" for a scheduled article whose time has come, if it is
    still scheduled for `published_at` (an article rescheduled or unpublished since has
    its own announcement, or none). Returns whether it sent."""
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
    queue_event(Event.ARTICLE_PUBLISHED, {"article": article_payload(article)})
    return True


# Comments --------------------------------------------------------------------------------


def _comment_event(status: str) -> str | None:
    events: dict[str, str] = {
        Comment.Status.HELD: Event.COMMENT_HELD,
        Comment.Status.PUBLISHED: Event.COMMENT_PUBLISHED,
    }
    return events.get(status)


def comment_posted(comment: Comment) -> None:
    """Announce a new comment that is held or published (never spam)."""
    if (event := _comment_event(comment.status)) is not None:
        payload = {"comment": comment_payload(comment)}
        _after_commit(lambda: queue_event(event, payload))


def comment_status_changed(comment: Comment, previous_status: str) -> None:
    """Announce a comment moved to held or published from another status."""
    if comment.status == previous_status:
        return
    comment_posted(comment)
