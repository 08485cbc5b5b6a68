"""An author's edit is screened like a new comment: spam or abuse added after publication
is held, the queue shows it as edited with what changed, and the filter learns the
moderator's decision on the new text once.

Rita has an account with a confirmed address, so her comments publish at once; Morgan
moderates.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.discussion.models import Comment
from broadsheet.moderation import spamfilter
from broadsheet.moderation.models import Ban, BlockedTerm, ClassifierState, FilterDecision
from broadsheet.publishing.models import Article
from tests.helpers import make_article, post_comment

pytestmark = pytest.mark.django_db

ORIGINAL = "The allotment waiting list is four years long."
WITH_ABUSE = "The allotment waiting list is four years long, you absolute gobdaw."


@pytest.fixture
def article() -> Article:
    return make_article("Allotments: the council's plan")


@pytest.fixture
def ritas_comment(rita: Client, article: Article) -> Comment:
    post_comment(rita, article, body=ORIGINAL)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PUBLISHED
    return comment


def edit(client: Client, comment: Comment, body: str, **extra: Any) -> Any:
    return client.post(
        reverse("discussion:edit", args=[comment.pk]), {"body": body, **extra}, follow=True
    )


def test_an_edit_that_adds_a_blocked_word_is_held_and_leaves_the_page(
    rita: Client, client: Client, article: Article, ritas_comment: Comment
) -> None:
    BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="gobdaw")
    response = edit(rita, ritas_comment, WITH_ABUSE)
    assert "once a moderator has looked at the change" in response.content.decode()
    ritas_comment.refresh_from_db()
    assert ritas_comment.status == Comment.Status.HELD
    assert ritas_comment.held_reasons == ["edited", "blocked-word"]
    assert ritas_comment.body_before_edit == ORIGINAL
    page = client.get(article.get_absolute_url()).content.decode()
    assert "gobdaw" not in page and "waiting list" not in page
    article.refresh_from_db()
    assert article.comment_count == 0
    # Rita still sees her own comment, waiting for review.
    assert "gobdaw" in rita.get(article.get_absolute_url()).content.decode()


def test_the_queue_marks_the_edit_and_shows_what_changed(
    rita: Client, moderator_client: Client, ritas_comment: Comment
) -> None:
    BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="gobdaw")
    edit(rita, ritas_comment, WITH_ABUSE)
    queue = moderator_client.get(reverse("moderation:queue")).content.decode()
    assert "Edited by its author after it was posted" in queue
    assert 'class="queue-edited"' in queue
    assert "<del>long.</del>" in queue
    assert "<ins>long, you absolute gobdaw.</ins>" in queue


def test_an_edit_of_a_held_comment_is_screened_too(
    rita: Client, ritas_comment: Comment, settings: Any
) -> None:
    Comment.objects.filter(pk=ritas_comment.pk).update(
        status=Comment.Status.HELD, held_reasons=["filter-uncertain"]
    )
    settings.SPAM_MAX_LINKS = 1
    ritas_comment.refresh_from_db()
    edit(rita, ritas_comment, f"{ORIGINAL} https://a.example/ https://b.example/")
    ritas_comment.refresh_from_db()
    assert ritas_comment.status == Comment.Status.HELD
    assert ritas_comment.held_reasons == ["edited", "links"]
    # It was never published, so there is no published text to compare with.
    assert ritas_comment.body_before_edit == ""


def test_an_edit_from_a_banned_address_is_stored_as_spam(
    rita: Client, article: Article, ritas_comment: Comment
) -> None:
    Ban.objects.create(kind=Ban.Kind.EMAIL, value="rita@example.org")
    edit(rita, ritas_comment, "Buy followers at cheap prices.")
    ritas_comment.refresh_from_db()
    assert ritas_comment.status == Comment.Status.SPAM
    assert ritas_comment.held_reasons == ["edited", "banned"]
    article.refresh_from_db()
    assert article.comment_count == 0


def test_an_edit_that_passes_stays_published_and_does_not_count_as_a_post(
    rita: Client, article: Article, ritas_comment: Comment, settings: Any
) -> None:
    settings.COMMENT_RATE_LIMIT_EMAIL = (1, 600)
    settings.COMMENT_RATE_LIMIT_ADDRESS = (1, 600)
    for body in ("The allotment list is four years long.", "It is five years long now."):
        response = edit(rita, ritas_comment, body)
        assert "Your comment has been updated." in response.content.decode()
    ritas_comment.refresh_from_db()
    assert ritas_comment.status == Comment.Status.PUBLISHED
    assert ritas_comment.held_reasons == []
    assert ritas_comment.body_before_edit == ""
    assert "five years" in Client().get(article.get_absolute_url()).content.decode()


def test_approving_the_edit_publishes_it_and_the_filter_learns_the_new_text(
    rita: Client, moderator_client: Client, article: Article, ritas_comment: Comment
) -> None:
    act = reverse("moderation:act")
    moderator_client.post(act, {"comments": ritas_comment.pk, "action": "approve"})
    assert spamfilter.totals() == (0, 1)
    BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="gobdaw")
    edit(rita, ritas_comment, WITH_ABUSE.replace("allotment", "community garden"))
    moderator_client.post(act, {"comments": ritas_comment.pk, "action": "approve"})

    ritas_comment.refresh_from_db()
    assert ritas_comment.status == Comment.Status.PUBLISHED
    assert ritas_comment.body_before_edit == ""
    assert "gobdaw" in Client().get(article.get_absolute_url()).content.decode()
    # One comment learned, and its new text with it: the decision was taken again.
    assert spamfilter.totals() == (0, 1)
    decision = FilterDecision.objects.get(comment=ritas_comment)
    assert decision.decided_at > ritas_comment.edited_at
    assert spamfilter.spam_model.get().decisions == 1
    learned = bytes(ClassifierState.objects.get(kind="spam").weights)
    # Approving it once more, unedited, teaches nothing new.
    moderator_client.post(act, {"comments": ritas_comment.pk, "action": "approve"})
    assert bytes(ClassifierState.objects.get(kind="spam").weights) == learned

    # Marking it spam afterwards relabels the one decision.
    moderator_client.post(act, {"comments": ritas_comment.pk, "action": "spam"})
    assert spamfilter.totals() == (1, 0)
    assert spamfilter.spam_model.get().decisions == 1
