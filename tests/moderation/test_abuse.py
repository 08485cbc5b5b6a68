"""The local abuse score: the shipped model in the request path, the hold it triggers, and
the closer look after publication that may only retract.

Every text here is written for these tests; the model was trained on the corpora in
bench/data (Davidson, Toxic Spans), which say nothing of these sentences.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from broadsheet.discussion.models import Comment
from broadsheet.moderation import spamfilter
from broadsheet.moderation.tasks import SECOND_LOOK_REASON, second_look
from tests.helpers import deliver_mail, make_article, make_comment, post_comment

pytestmark = pytest.mark.django_db

INSULT = "You are a stupid worthless idiot, shut up you moron."
CIVIL = "I think the council got this wrong and should reconsider the closure."
# A long civil comment with one abusive sentence, which the whole comment's score dilutes.
DILUTED = (
    "The new timetable starts in May. Buses will run every ten minutes on weekdays. "
    "Whoever planned this is a fucking moron. Weekend services stay the same."
)


def test_an_insult_scores_far_above_a_civil_comment() -> None:
    insult = spamfilter.score(Comment(body_source=INSULT)).abuse
    civil = spamfilter.score(Comment(body_source=CIVIL)).abuse
    assert insult >= spamfilter.thresholds().abuse > civil


def test_a_likely_abusive_comment_is_held_with_its_reason(rita: Client) -> None:
    article = make_article()

    post_comment(rita, article, body=INSULT)

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    assert "likely-abusive" in comment.held_reasons
    assert comment.abuse_score is not None and comment.abuse_score >= 0.9
    assert INSULT not in Client().get(article.get_absolute_url()).content.decode()


def test_the_hold_can_be_switched_off(rita: Client, settings: Any) -> None:
    settings.ABUSE_HOLD_FALSE_POSITIVE_RATE = 0
    article = make_article()

    post_comment(rita, article, body=INSULT)

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.abuse_score is not None  # still scored, for the queue's order


@pytest.mark.django_db(transaction=True)
def test_a_second_look_retracts_a_diluted_insult_from_every_page(rita: Client) -> None:
    article = make_article()
    post_comment(rita, article, body=DILUTED)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PUBLISHED  # the whole comment passed screening
    assert comment.abuse_score is not None and comment.abuse_score < spamfilter.thresholds().abuse
    page = article.get_absolute_url()
    assert "Weekend services" in Client().get(page).content.decode()  # cached as shown
    assert DBTaskResult.objects.filter(task_path=second_look.module_path).count() == 1

    deliver_mail()  # the worker runs the queued look

    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert comment.held_reasons[-1] == SECOND_LOOK_REASON
    assert "Weekend services" not in Client().get(page).content.decode()
    article.refresh_from_db()
    assert article.comment_count == 0


def test_a_second_look_keeps_a_civil_comment_and_only_ever_retracts() -> None:
    article = make_article()
    civil = make_comment(article, body=f"{CIVIL} The library matters. Keep it open.")
    held = make_comment(article, body=DILUTED, status=Comment.Status.HELD)
    spam = make_comment(article, body=DILUTED, status=Comment.Status.SPAM)

    assert second_look.call(civil.pk) == "kept"
    assert second_look.call(held.pk) == "gone"  # not published: nothing to retract
    assert second_look.call(spam.pk) == "gone"
    assert second_look.call(10_000) == "gone"
    for comment, status in ((civil, "published"), (held, "held"), (spam, "spam")):
        comment.refresh_from_db()
        assert comment.status == status


def test_short_or_calm_comments_are_not_looked_at_again(rita: Client) -> None:
    article = make_article()
    post_comment(rita, article, body="Agreed.")
    post_comment(rita, article, body="The library matters. Keep it open. Thank you all.")

    assert not DBTaskResult.objects.filter(task_path=second_look.module_path).exists()
