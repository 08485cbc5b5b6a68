"""Posting a comment through the API: the same rules, screening and moderation as the
form (one service, two doors), answered with what happened, and every refusal in the
API's error shape with nothing stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.lib.addresses import address_hash
from broadsheet.moderation.models import Ban
from broadsheet.publishing.models import Article
from tests.api.helpers import comments_path, hours_ago, post_json
from tests.helpers import make_article, make_comment, post_form

pytestmark = pytest.mark.django_db

COMMENT = {"name": "Morwenna Tate", "email": "morwenna@example.org", "body": "I was there."}


@pytest.fixture
def publish_anonymous(settings: Any) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False


def error_of(response: Any) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "field"}
    return error


def test_published_comment(client: Client, article: Article, publish_anonymous: None) -> None:
    response = post_json(client, comments_path(article), COMMENT)

    assert response.status_code == 201
    comment = Comment.objects.get()
    assert response.json() == {
        "status": "published",
        "id": comment.pk,
        "url": f"http://127.0.0.1:8000/comment/{comment.pk}/",
        "duplicate": False,
    }
    assert comment.status == Comment.Status.PUBLISHED
    assert (comment.name, comment.email, comment.body_source) == (
        "Morwenna Tate",
        "morwenna@example.org",
        "I was there.",
    )
    article.refresh_from_db()
    assert article.comment_count == 1


def test_held_by_the_moderation_policy(client: Client, article: Article) -> None:
    response = post_json(client, comments_path(article), COMMENT)

    assert response.status_code == 201
    assert response.json()["status"] == "held"
    assert response.json()["url"] is None
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    assert comment.held_reasons == ["moderation-policy"]


def test_the_form_and_the_api_reach_the_same_decision(
    client: Client, article: Article, publish_anonymous: None
) -> None:
    """A link-heavy comment is held by screening through either door, for the same reason;
    the API's post skips only the form's own signals (honeypot, time on the page)."""
    body = "See a.example.com and b.example.com and c.example.com"
    post_form(client, article, body=body, name="Via form")
    post_json(Client(), comments_path(article), {"name": "Via API", "body": body})

    by_form, by_api = Comment.objects.order_by("id")
    assert by_form.status == by_api.status == Comment.Status.HELD
    assert by_form.held_reasons == by_api.held_reasons == ["links"]


def test_a_reply_attaches_to_its_parent(
    client: Client, article: Article, publish_anonymous: None
) -> None:
    parent = make_comment(article)
    response = post_json(client, comments_path(article), {**COMMENT, "parent": parent.pk})
    reply = Comment.objects.get(pk=response.json()["id"])
    assert (reply.parent_id, reply.thread_id, reply.depth) == (parent.pk, parent.pk, 1)


def test_spam_is_stored_as_spam_and_answered_as_held(client: Client, article: Article) -> None:
    Ban.objects.create(kind=Ban.Kind.ADDRESS, value=address_hash("127.0.0.1"))

    response = post_json(client, comments_path(article), COMMENT)

    assert response.status_code == 201
    assert response.json()["status"] == "held"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert "banned" in comment.held_reasons


def test_a_repeat_returns_the_first_comment(
    client: Client, article: Article, publish_anonymous: None
) -> None:
    first = post_json(client, comments_path(article), COMMENT).json()
    again = post_json(client, comments_path(article), COMMENT)
    assert again.status_code == 200
    assert again.json() == {**first, "duplicate": True}
    assert Comment.objects.count() == 1


def test_too_many_posts_from_one_address_are_refused(
    client: Client, article: Article, settings: Any
) -> None:
    settings.API_COMMENT_RATE_LIMIT = (2, 600)
    for n in range(2):
        assert (
            post_json(client, comments_path(article), {**COMMENT, "body": f"{n}"}).status_code
            == 201
        )

    response = post_json(client, comments_path(article), {**COMMENT, "body": "third"})

    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 600
    assert Comment.objects.count() == 2


def test_screening_rate_limits_still_hold(client: Client, article: Article, settings: Any) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    settings.COMMENT_RATE_LIMIT_ADDRESS = (1, 600)
    post_json(client, comments_path(article), {**COMMENT, "body": "one"})
    second = post_json(client, comments_path(article), {**COMMENT, "body": "two"})
    assert second.json()["status"] == "held"
    assert "rate-limit-address" in Comment.objects.get(pk=second.json()["id"]).held_reasons


def test_closed_comments_are_a_conflict(client: Client, settings: Any) -> None:
    settings.COMMENTS_CLOSE_AFTER_DAYS = 7
    old = make_article("Old news", published_at=hours_ago(24 * 30))
    response = post_json(client, comments_path(old), COMMENT)
    assert response.status_code == 409
    assert error_of(response)["code"] == "comments_closed"

    closed = make_article("Closed by the editor", comments_mode=Article.Comments.CLOSED)
    assert post_json(client, comments_path(closed), COMMENT).status_code == 409
    assert not Comment.objects.exists()


def test_hidden_comments_and_missing_articles(client: Client) -> None:
    hidden = make_article("No comments", comments_mode=Article.Comments.HIDDEN)
    response = post_json(client, comments_path(hidden), COMMENT)
    assert response.status_code == 403
    assert error_of(response)["code"] == "comments_off"

    draft = make_article("Draft", status=Article.Status.DRAFT)
    assert post_json(client, comments_path(draft), COMMENT).status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"name": "Ann"}, "body", "required"),
        ({"name": "Ann", "body": "   "}, "body", "invalid"),
        ({"name": "Ann", "body": "x" * 10_001}, "body", "invalid"),
        ({"body": "Hello"}, "name", "required"),
        ({"name": "Ann", "body": "Hi", "email": "not-an-address"}, "email", "invalid"),
        ({"name": "Ann", "body": "Hi", "notify_replies": True}, "email", "invalid"),
        ({"name": "Ann", "body": "Hi", "website": "x"}, "website", "unknown_field"),
        ({"name": "Ann", "body": "Hi", "parent": "first"}, "parent", "invalid"),
        ({"name": "Ann", "body": "Hi", "parent": 999_999}, "parent", "unknown_parent"),
    ],
)
def test_invalid_fields_are_a_400_naming_the_field(
    client: Client, article: Article, data: dict[str, Any], field: str, code: str
) -> None:
    response = post_json(client, comments_path(article), data)

    assert response.status_code == 400
    error = error_of(response)
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]
    assert not Comment.objects.exists()


def test_staff_names_are_refused_as_on_the_form(
    client: Client, article: Article, editor: Any
) -> None:
    response = post_json(client, comments_path(article), {**COMMENT, "name": "Edith Okafor"})
    assert response.status_code == 400
    assert error_of(response)["field"] == "name"


def test_a_body_that_is_not_json(client: Client, article: Article) -> None:
    response = client.post(comments_path(article), "{nope", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_json"

    response = client.post(comments_path(article), COMMENT)  # a form post, multipart
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert not Comment.objects.exists()


def test_an_oversized_body_is_refused_unread(
    client: Client, article: Article, settings: Any
) -> None:
    settings.API_MAX_BODY_BYTES = 1000
    response = post_json(client, comments_path(article), {**COMMENT, "body": "x" * 2000})
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert not Comment.objects.exists()


def test_a_post_with_a_session_cookie_is_refused(
    rita: Client, article: Article, publish_anonymous: None
) -> None:
    response = post_json(rita, comments_path(article), COMMENT)
    assert response.status_code == 403
    assert error_of(response)["code"] == "session_not_accepted"
    assert not Comment.objects.exists()


def test_other_methods_and_addresses_answer_in_the_error_shape(
    client: Client, article: Article
) -> None:
    response = client.delete(comments_path(article))
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "POST" in response["Allow"]

    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_nothing_is_half_written_when_storing_fails(
    client: Client, article: Article, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the comment's insert (here: counting it) rolls the insert back."""
    settings.COMMENTS_HOLD_ANONYMOUS = False

    def broken(comment: Comment) -> None:
        raise RuntimeError("the count failed")

    monkeypatch.setattr("broadsheet.discussion.services.comment_posted", broken)
    client.raise_request_exception = False
    response = client.post(
        comments_path(article), json.dumps(COMMENT), content_type="application/json"
    )
    assert response.status_code == 500
    assert not Comment.objects.exists()
