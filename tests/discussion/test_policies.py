"""Which articles take comments, and whether a new comment is held or published.

Per article: comments open, closed (shown, no new ones) or hidden. Site-wide:
COMMENTS_CLOSE_AFTER_DAYS closes them by age, COMMENTS_HOLD_ANONYMOUS and
COMMENTS_PUBLISH_VERIFIED decide what waits for a moderator.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import SAME_ORIGIN, as_nadia, make_article, post_comment

pytestmark = pytest.mark.django_db


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


# Articles that take no comments ---------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "status", "why"),
    [
        (Article.Comments.CLOSED, 403, "Comments on this article are closed."),
        (Article.Comments.HIDDEN, 403, "Comments are switched off for this article."),
    ],
)
def test_a_comment_on_a_closed_or_hidden_article_is_refused_with_a_reason(
    client: Client, rita: Client, mode: str, status: int, why: str
) -> None:
    article = make_article("Council votes on the depot", comments_mode=mode)

    for who in (client, rita):
        response = post_comment(who, article, **as_nadia("Too late?"))

        assert response.status_code == status
        html = response.content.decode()
        assert "<h1>Your comment was not saved</h1>" in html
        assert why in html
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "article_kwargs",
    [
        pytest.param({"status": Article.Status.DRAFT}, id="draft"),
        pytest.param(
            {
                "status": Article.Status.SCHEDULED,
                "published_at": timezone.now() + dt.timedelta(days=2),
            },
            id="scheduled",
        ),
    ],
)
def test_a_comment_on_an_article_readers_cannot_see_is_404(
    client: Client, editor_client: Client, article_kwargs: dict[str, Any]
) -> None:
    article = make_article("Embargoed: the depot sale", **article_kwargs)

    for who in (client, editor_client):
        response = post_comment(who, article, **as_nadia("First!"))

        assert response.status_code == 404
        assert "There is no published article here to comment on." in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_comment_on_a_missing_article_is_404(client: Client) -> None:
    response = client.post(
        reverse("discussion:post", args=["no-such-article"]),
        as_nadia("Hello?"),
        headers=SAME_ORIGIN,
    )

    assert response.status_code == 404
    assert "There is no published article here to comment on." in response.content.decode()
    assert Comment.objects.count() == 0


def test_closed_article_shows_its_comments_but_no_form(client: Client, settings: Any) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    article = make_article("Depot sale agreed")
    post_comment(client, article, **as_nadia("Said so at the time."))
    article.comments_mode = Article.Comments.CLOSED
    article.save()

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Said so at the time." in html
    assert "Comments on this article are closed." in html
    assert 'class="comment-form"' not in html
    assert 'class="reply-link"' not in html


def test_hidden_article_shows_neither_comments_nor_form(client: Client, settings: Any) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    article = make_article("Depot sale agreed")
    post_comment(client, article, **as_nadia("Said so at the time."))
    article.comments_mode = Article.Comments.HIDDEN
    article.save()

    html = client.get(article.get_absolute_url()).content.decode()

    assert "Said so at the time." not in html
    assert 'id="comments"' not in html
    assert 'class="comment-form"' not in html


# Closing by age -------------------------------------------------------------------------


def test_by_default_old_articles_stay_open(client: Client) -> None:
    article = make_article("From the archive", published_at=days_ago(3 * 365))

    response = post_comment(client, article, **as_nadia("Still relevant."))

    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_comments_close_the_set_number_of_days_after_publication(
    client: Client, settings: Any
) -> None:
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    fresh = make_article("Fortnight-old story", published_at=days_ago(13.9))
    stale = make_article("Older story", published_at=days_ago(14.1))

    assert post_comment(client, fresh, **as_nadia("Just in time.")).status_code == 302
    refused = post_comment(client, stale, **as_nadia("Just too late."))

    assert refused.status_code == 403
    assert "Comments on this article are closed." in refused.content.decode()
    assert list(Comment.objects.values_list("body_source", flat=True)) == ["Just in time."]
    stale_page = client.get(stale.get_absolute_url()).content.decode()
    assert "Comments on this article are closed." in stale_page
    assert 'class="comment-form"' not in stale_page
    assert 'class="comment-form"' in client.get(fresh.get_absolute_url()).content.decode()


# Held or published ------------------------------------------------------------------------


def test_by_default_visitors_are_held_and_confirmed_accounts_published(
    client: Client, rita: Client
) -> None:
    article = make_article()
    post_comment(client, article, **as_nadia("From a visitor."))
    post_comment(rita, article, body="From a reader.")

    assert dict(Comment.objects.values_list("body_source", "status")) == {
        "From a visitor.": Comment.Status.HELD,
        "From a reader.": Comment.Status.PUBLISHED,
    }


def test_visitors_published_at_once_when_not_holding_anonymous_comments(
    client: Client, settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    article = make_article()

    response = post_comment(client, article, **as_nadia("Straight out."), follow=True)

    assert Comment.objects.get().status == Comment.Status.PUBLISHED
    html = response.content.decode()
    assert "Your comment has been published." in html
    assert "Straight out." in Client().get(article.get_absolute_url()).content.decode()


def test_accounts_held_when_not_publishing_verified_commenters(rita: Client, settings: Any) -> None:
    settings.COMMENTS_PUBLISH_VERIFIED = False
    article = make_article()

    response = post_comment(rita, article, body="Waiting my turn.", follow=True)

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    html = response.content.decode()
    assert "will appear once a moderator has reviewed it" in html
    assert "Waiting my turn." in html
    assert "Waiting my turn." not in Client().get(article.get_absolute_url()).content.decode()
    article.refresh_from_db()
    assert article.comment_count == 0
