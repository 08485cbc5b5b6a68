"""Editing: a signed-in author may change their comment for COMMENT_EDIT_WINDOW_MINUTES
after posting it, and the comment then says "(edited)". Nobody may edit anyone else's.

Rita and Bob have accounts with confirmed addresses; "Charlie should have no access to
Alice's stuff", and neither should Bob to Rita's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import FormPage, as_nadia, make_article, post_comment

pytestmark = pytest.mark.django_db

ORIGINAL = "The libary will open on Sundays."
CORRECTED = "  The library will open on Sundays, from noon.\n"


@pytest.fixture
def article() -> Article:
    return make_article("Library opening hours extended")


@pytest.fixture
def ritas_comment(rita: Client, article: Article) -> Comment:
    post_comment(rita, article, body=ORIGINAL)
    return Comment.objects.get()


def edit_url(comment: Comment) -> str:
    return reverse("discussion:edit", args=[comment.pk])


def make_older(comment: Comment, minutes: float) -> None:
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_the_author_edits_within_the_window_and_the_comment_says_edited(
    rita: Client, article: Article, ritas_comment: Comment
) -> None:
    page = rita.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{edit_url(ritas_comment)}">Edit</a>' in page
    assert "(edited)" not in page
    form_page = rita.get(edit_url(ritas_comment))
    assert form_page.status_code == 200
    assert FormPage(form_page.content.decode()).values["body"] == ORIGINAL
    make_older(ritas_comment, 14)

    response = rita.post(edit_url(ritas_comment), {"body": CORRECTED}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == (
        f"{article.get_absolute_url()}#comment-{ritas_comment.pk}"
    )
    assert "Your comment has been updated." in html
    assert '<span class="edited">(edited)</span>' in html
    assert "from noon." in html
    assert "libary" not in html
    ritas_comment.refresh_from_db()
    assert ritas_comment.body_source == CORRECTED
    assert ritas_comment.edited_at is not None
    assert "(edited)" in Client().get(article.get_absolute_url()).content.decode()


def test_after_the_window_the_edit_is_refused(
    rita: Client, article: Article, ritas_comment: Comment
) -> None:
    make_older(ritas_comment, 16)
    page = rita.get(article.get_absolute_url()).content.decode()
    assert edit_url(ritas_comment) not in page  # no Edit link once the window has closed

    shown = rita.get(edit_url(ritas_comment), follow=True)
    response = rita.post(edit_url(ritas_comment), {"body": CORRECTED}, follow=True)

    for result in (shown, response):
        html = result.content.decode()
        assert (
            "This comment can no longer be edited: comments can be changed for 15 minutes" in html
        )
        assert result.redirect_chain[-1][0].endswith(f"#comment-{ritas_comment.pk}")
        assert "<h1>Edit your comment</h1>" not in html
    ritas_comment.refresh_from_db()
    assert ritas_comment.body_source == ORIGINAL
    assert ritas_comment.edited_at is None


def test_the_window_follows_the_setting(
    rita: Client, ritas_comment: Comment, settings: Any
) -> None:
    settings.COMMENT_EDIT_WINDOW_MINUTES = 60
    make_older(ritas_comment, 45)

    response = rita.post(edit_url(ritas_comment), {"body": CORRECTED})

    assert response.status_code == 302
    ritas_comment.refresh_from_db()
    assert ritas_comment.body_source == CORRECTED


def test_nobody_else_may_edit(
    bob: Client, editor_client: Client, article: Article, ritas_comment: Comment
) -> None:
    for other in (bob, editor_client):
        shown = other.get(edit_url(ritas_comment), follow=True)
        sent = other.post(edit_url(ritas_comment), {"body": "Hijacked."}, follow=True)

        for result in (shown, sent):
            assert result.redirect_chain[-1][0].endswith(f"#comment-{ritas_comment.pk}")
            assert "You can only edit your own comments." in result.content.decode()
    page = bob.get(article.get_absolute_url()).content.decode()
    assert f'href="{edit_url(ritas_comment)}"' not in page
    ritas_comment.refresh_from_db()
    assert ritas_comment.body_source == ORIGINAL


def test_a_visitors_comment_cannot_be_edited_by_anyone(
    rita: Client, article: Article, settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    post_comment(Client(), article, **as_nadia("Posted without an account."))
    nadias = Comment.objects.get()

    response = rita.post(edit_url(nadias), {"body": "Changed."})

    assert response.status_code == 302
    nadias.refresh_from_db()
    assert nadias.body_source == "Posted without an account."


def test_signed_out_visitors_are_sent_to_log_in(client: Client, ritas_comment: Comment) -> None:
    response = client.post(edit_url(ritas_comment), {"body": "Anonymous edit."})

    assert response.status_code == 302
    login = resolve_url(django_settings.LOGIN_URL)
    assert response["Location"] == f"{login}?next={edit_url(ritas_comment)}"
    ritas_comment.refresh_from_db()
    assert ritas_comment.body_source == ORIGINAL


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Please write a comment."),
        ("   \n  ", "Please write a comment."),
        ("x" * 10_001, "Please keep your comment to 10,000 characters (it has 10,001)."),
    ],
)
def test_a_bad_edit_is_shown_again_with_what_was_typed(
    rita: Client, ritas_comment: Comment, body: str, message: str
) -> None:
    response = rita.post(edit_url(ritas_comment), {"body": body})

    assert response.status_code == 400
    form = FormPage(response.content.decode())
    assert form.errors == {"body": [message]}
    assert form.values["body"] == body
    ritas_comment.refresh_from_db()
    assert ritas_comment.body_source == ORIGINAL
    assert ritas_comment.edited_at is None
