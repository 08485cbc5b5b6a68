"""Cached pages a comment change makes stale: its article's page and every list showing
the article (they show its comment count). Bulk updates bypass these signals: erasure goes
through services.update_comments, which makes the same pages stale itself.

A comment published as it is posted is an addition: readers may see it up to the page
cache's grace period later, so a busy article is rendered once per burst of comments and
not by every reader after each one (its writer sees it at once: their pages are their
own). Everything else (an edit, a hold, a deletion, a status set by a moderator) shows at
once."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from broadsheet.pagecache import added, changed, tag

from .models import Comment


def comment_saved(sender: type[Comment], instance: Comment, created: bool, **kwargs: Any) -> None:
    if created and instance.is_published:
        added(tag("article", instance.article_id))
    else:
        changed(tag("article", instance.article_id))


def comment_deleted(sender: type[Comment], instance: Comment, **kwargs: Any) -> None:
    changed(tag("article", instance.article_id))


def connect() -> None:
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="page-cache-comment")
    post_delete.connect(comment_deleted, sender=Comment, dispatch_uid="page-cache-comment-del")
