"""Cached pages a comment change makes stale: its article's page and every list showing
the article (they show its comment count). Bulk updates bypass these signals: erasure goes
through services.update_comments, which makes the same pages stale itself."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from broadsheet.pagecache import changed, tag

from .models import Comment


def comment_changed(sender: type[Comment], instance: Comment, **kwargs: Any) -> None:
    changed(tag("article", instance.article_id))


def connect() -> None:
    post_save.connect(comment_changed, sender=Comment, dispatch_uid="page-cache-comment")
    post_delete.connect(comment_changed, sender=Comment, dispatch_uid="page-cache-comment-del")
