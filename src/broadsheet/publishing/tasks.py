"""Background work for publishing: announcing a scheduled article when its time comes.

Tasks are found again by dotted path (`broadsheet.publishing.tasks.announce_if_live`):
rows already queued keep it, so moving the function strands them. This one lived in
webhooks.tasks until webhooks stopped knowing articles; migration 0006 renames the rows
queued under that path.
"""

from __future__ import annotations

from django_tasks import task


@task()
def announce_if_live(article_id: int, published_at: str) -> bool:
    """At a scheduled article's publish time: send "article.published" if it went live."""
    from .services import article_went_live  # services queues this task

    return article_went_live(article_id, published_at)
