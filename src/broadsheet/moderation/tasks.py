"""Background work for moderation: retraining the site's spam model, and a closer look at
published comments for abuse.

- `retrain_spam_model` runs after decisions were forgotten (an erased person's), and
  `retrain_spam_model_daily` keeps the model exactly what all decisions teach, however
  online learning drifted (`ensure_daily_retrain_scheduled()` is called by `broadsheet
  worker` at start, like the other daily tasks).
- `second_look` reads a just-published comment sentence by sentence: a single abusive
  sentence in a long civil comment is diluted in the whole comment's score, which is what
  screening can afford in the request. It may only retract: a comment found abusive is
  held, through discussion's `set_status`, so it leaves every page at once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from broadsheet.discussion import services as discussion
from broadsheet.discussion.models import Comment

from . import spamfilter

logger = logging.getLogger(__name__)
RETRAIN_INTERVAL = timedelta(days=1)
SECOND_LOOK_REASON = "abusive-sentence"


@task()
def retrain_spam_model() -> list[int]:
    spam, ham = spamfilter.retrain()
    logger.info("Retrained the spam model from %d spam and %d genuine decisions", spam, ham)
    return [spam, ham]


@task()
def retrain_spam_model_daily() -> list[int]:
    learned = retrain_spam_model.call()
    retrain_spam_model_daily.using(run_after=timezone.now() + RETRAIN_INTERVAL).enqueue()
    return learned


def ensure_daily_retrain_scheduled() -> bool:
    """Queue the daily retrain unless a run is already waiting. Returns whether it queued."""
    waiting = DBTaskResult.objects.filter(
        task_path=retrain_spam_model_daily.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()
    if not waiting:
        retrain_spam_model_daily.enqueue()
    return not waiting


@task()
def second_look(comment_id: int) -> str:
    """Hold the comment if one of its sentences scores as abusive on its own; says what it
    did."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PUBLISHED:
        return "gone"
    worst = spamfilter.worst_sentence_abuse(comment.body_source)
    if worst < spamfilter.thresholds().abuse:
        return "kept"
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment_id)
        if comment.status != Comment.Status.PUBLISHED:
            return "gone"
        comment.held_reasons = [*comment.held_reasons, SECOND_LOOK_REASON]
        discussion.set_status(comment, Comment.Status.HELD, other_fields=["held_reasons"])
    logger.info("Held comment %d after a second look (abuse %.2f)", comment_id, worst)
    return "held"
