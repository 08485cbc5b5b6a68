"""Which cached pages a change to articles, bylines, authors and topics makes stale.

Pages declare what they show (`pagecache.depends_on` in the views); these receivers name
what each change touches. An article's own tag covers its page and every list showing it;
LIVE_ARTICLES covers which articles are live and their order (home, topic, author and
archive pages, feeds). A draft edited stays out of every list, so it touches only itself.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.pagecache import LIVE_ARTICLES, changed, tag

from .models import Article, Author, Byline, Topic


def _in_lists_or_due(status: str, published_at: Any) -> bool:
    """Whether an article with these values is live, or will be without another save."""
    return status != Article.Status.DRAFT and published_at is not None


def remember_listing(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    if instance.pk is None:
        instance._was_listed = False
        return
    old = Article.objects.filter(pk=instance.pk).values("status", "published_at").first()
    instance._was_listed = bool(  # type: ignore[attr-defined]
        old and _in_lists_or_due(old["status"], old["published_at"])
    )


def article_saved(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    listed = getattr(instance, "_was_listed", True) or _in_lists_or_due(
        instance.status, instance.published_at
    )
    changed(tag("article", instance.pk), *([LIVE_ARTICLES] if listed else []))


def article_deleted(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    changed(tag("article", instance.pk), LIVE_ARTICLES)


def topics_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Article):
        changed(tag("article", instance.pk), LIVE_ARTICLES)
    else:  # topic.articles.add(...): the topic's page and lists
        changed(tag("topic", instance.pk), LIVE_ARTICLES)


def byline_changed(sender: type[Byline], instance: Byline, **kwargs: Any) -> None:
    changed(tag("article", instance.article_id), LIVE_ARTICLES)


def author_changed(sender: type[Author], instance: Author, **kwargs: Any) -> None:
    changed(tag("author", instance.pk))


def topic_changed(sender: type[Topic], instance: Topic, **kwargs: Any) -> None:
    changed(tag("topic", instance.pk))


def account_saved(sender: type[User], instance: User, **kwargs: Any) -> None:
    # Article pages show the submitting account's public name; a sign-in saves only
    # last_login, which no page shows.
    fields = kwargs.get("update_fields")
    if fields is None or "display_name" in fields or "username" in fields:
        changed(tag("user", instance.pk))


def seconds_until_next_scheduled() -> float | None:
    """How long until the next scheduled article goes live (None: none is due), so list
    pages expire when it appears, which no save announces."""
    due = (
        Article.objects.exclude(status=Article.Status.DRAFT)
        .filter(published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return None if due is None else max(0.0, (due - timezone.now()).total_seconds())


def connect() -> None:
    pre_save.connect(remember_listing, sender=Article, dispatch_uid="page-cache-article-pre")
    post_save.connect(article_saved, sender=Article, dispatch_uid="page-cache-article")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid="page-cache-article-del")
    m2m_changed.connect(
        topics_changed, sender=Article.topics.through, dispatch_uid="page-cache-topics"
    )
    post_save.connect(account_saved, sender=User, dispatch_uid="page-cache-account")
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(byline_changed, sender=Byline, dispatch_uid=f"page-cache-byline-{name}")
        signal.connect(author_changed, sender=Author, dispatch_uid=f"page-cache-author-{name}")
        signal.connect(topic_changed, sender=Topic, dispatch_uid=f"page-cache-topic-{name}")
