"""Moderating through the API with a moderator's token: the held comments, approve,
reject (the queue's delete), spam and bans, each through the queue's services and in the
audit log; every refusal leaves the comment as it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.moderation.models import Ban, ModerationLogEntry
from broadsheet.publishing.models import Article
from tests.api.helpers import assert_error, bearer, send_json, token_of
from tests.helpers import held_comment

pytestmark = pytest.mark.django_db

HELD = "/api/v1/moderation/held-comments"


@pytest.fixture
def token(moderator: User) -> str:
    return token_of(moderator)


def act(client: Client, comment_id: int, name: str, token: str, reason: str = "") -> Any:
    query = f"?reason={reason}" if reason else ""
    return client.post(f"/api/v1/moderation/comments/{comment_id}/{name}{query}", **bearer(token))


def test_held_comments_are_listed_newest_first_with_reasons(
    client: Client, article: Article, token: str
) -> None:
    older = held_comment(article)
    newer = held_comment(article, body_source="Second thoughts.", abuse_score=0.31)
    Comment.objects.filter(pk=older.pk).update(created_at=older.created_at.replace(year=2020))
    published = Comment.objects.create(
        article=article, name="Ada", body_source="Shown.", status=Comment.Status.PUBLISHED
    )
    body = client.get(HELD, **bearer(token)).json()
    ids = [item["id"] for item in body["items"]]
    assert ids == [newer.pk, older.pk]
    assert published.pk not in ids
    first = body["items"][0]
    assert first["article"] == {"slug": "tenants-organise", "title": article.title}
    assert first["held_reasons"] == newer.held_reasons
    assert (first["spam_score"], first["abuse_score"]) == (newer.spam_score, 0.31)
    assert first["email"] == newer.email
    assert body["next"] is None


def test_held_comments_are_paged_by_cursor(client: Client, article: Article, token: str) -> None:
    made = [held_comment(article, body_source=f"Comment {n}.") for n in range(3)]
    first = client.get(f"{HELD}?limit=2", **bearer(token)).json()
    assert len(first["items"]) == 2
    second = client.get(first["next"], **bearer(token)).json()
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(seen) == sorted(comment.pk for comment in made)
    assert second["next"] is None
    bad = client.get(f"{HELD}?cursor=forged", **bearer(token))
    assert_error(bad, 400, "invalid_cursor")
    assert_error(client.get(f"{HELD}?limit=0", **bearer(token)), 400, "invalid")


@pytest.mark.parametrize(
    ("name", "status", "action"),
    [
        ("approve", Comment.Status.PUBLISHED, ModerationLogEntry.Action.APPROVE),
        ("reject", Comment.Status.DELETED, ModerationLogEntry.Action.DELETE),
        ("spam", Comment.Status.SPAM, ModerationLogEntry.Action.SPAM),
    ],
)
def test_an_action_changes_the_comment_and_is_logged(
    client: Client, article: Article, moderator: User, token: str, name: str, status: str,
    action: str,
) -> None:  # fmt: skip
    comment = held_comment(article)
    response = act(client, comment.pk, name, token, reason="checked")
    assert response.status_code == 200, response.content
    assert response.json() == {"id": comment.pk, "status": status}
    comment.refresh_from_db()
    assert comment.status == status
    entry = ModerationLogEntry.objects.get(comment=comment)
    assert (entry.actor, entry.action, entry.reason) == (moderator, action, "checked")
    # The same again is a conflict, and changes nothing.
    assert_error(act(client, comment.pk, name, token), 409, f"already_{status}")
    assert ModerationLogEntry.objects.filter(comment=comment).count() == 1


def test_approving_publishes_and_counts(client: Client, article: Article, token: str) -> None:
    comment = held_comment(article)
    act(client, comment.pk, "approve", token)
    article.refresh_from_db()
    assert article.comment_count == 1


def test_an_unknown_comment_is_404(client: Client, token: str) -> None:
    for name in ("approve", "reject", "spam"):
        assert_error(act(client, 999999, name, token), 404, "not_found")


def test_a_reason_over_500_characters_is_400(client: Client, article: Article, token: str) -> None:
    comment = held_comment(article)
    error = assert_error(act(client, comment.pk, "approve", token, "x" * 501), 400, "invalid")
    assert error["field"] == "reason"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


@pytest.mark.parametrize("name", ["approve", "reject", "spam"])
def test_actions_need_a_moderators_token(
    client: Client, article: Article, editor: User, name: str
) -> None:
    comment = held_comment(article)
    assert_error(act(client, comment.pk, name, "bst_00000000_x"), 401, "unauthenticated")
    assert_error(act(client, comment.pk, name, token_of(editor)), 403, "forbidden")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert not ModerationLogEntry.objects.exists()


BANS = "/api/v1/moderation/bans"


def test_banning_by_comment_bans_its_author_and_deletes_it(
    client: Client, article: Article, moderator: User, token: str
) -> None:
    comment = held_comment(article)
    response = send_json(client, "POST", BANS, {"comment": comment.pk, "days": 30}, token)
    assert response.status_code == 201, response.content
    kinds = sorted(item["kind"] for item in response.json()["items"])
    assert kinds == ["address", "email"]
    assert {ban.value for ban in Ban.objects.active()} == {
        comment.email.lower(),
        comment.address_hash,
    }
    comment.refresh_from_db()
    assert comment.status == Comment.Status.DELETED
    assert ModerationLogEntry.objects.filter(
        action=ModerationLogEntry.Action.BAN, actor=moderator
    ).exists()


def test_banning_an_address_for_good(client: Client, token: str) -> None:
    body = {"email": "Troll@Example.org", "days": None, "reason": "abuse"}
    response = send_json(client, "POST", BANS, body, token)
    assert response.status_code == 201
    assert response.json()["items"][0]["expires_at"] is None
    ban = Ban.objects.get()
    assert (ban.kind, ban.value, ban.reason) == (Ban.Kind.EMAIL, "troll@example.org", "abuse")
    assert ModerationLogEntry.objects.get().action == ModerationLogEntry.Action.BAN


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "required", "email"),
        ({"email": "not an address"}, "invalid", "email"),
        ({"comment": 999999}, "unknown_comment", "comment"),
        ({"email": "a@example.org", "days": 0}, "invalid", "days"),
        ({"email": "a@example.org", "surprise": 1}, "unknown_field", "surprise"),
    ],
)
def test_a_bad_ban_is_400_and_bans_nobody(
    client: Client, token: str, body: dict[str, Any], code: str, field: str
) -> None:
    error = assert_error(send_json(client, "POST", BANS, body, token), 400, code)
    assert error["field"] == field
    assert not Ban.objects.exists()
    assert not ModerationLogEntry.objects.exists()


def test_a_comment_with_nothing_to_ban_is_400(client: Client, article: Article, token: str) -> None:
    comment = held_comment(article, email="", address_hash="")
    response = send_json(client, "POST", BANS, {"comment": comment.pk}, token)
    assert_error(response, 400, "nothing_to_ban")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


def test_bans_need_json_a_small_body_and_a_moderator(
    client: Client, editor: User, token: str, settings: Any
) -> None:
    body = {"email": "troll@example.org"}
    response = client.post(BANS, "email=x", content_type="text/plain", **bearer(token))
    assert_error(response, 415, "unsupported_media_type")
    settings.API_MAX_BODY_BYTES = 10
    assert_error(send_json(client, "POST", BANS, body, token), 413, "too_large")
    settings.API_MAX_BODY_BYTES = 64 * 1024
    assert_error(send_json(client, "POST", BANS, body, token_of(editor)), 403, "forbidden")
    assert_error(send_json(client, "POST", BANS, body, "nope"), 401, "unauthenticated")
    assert not Ban.objects.exists()
