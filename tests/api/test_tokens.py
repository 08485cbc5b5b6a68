"""Personal API tokens at the API's door: 401 without a valid one (with WWW-Authenticate),
403 for an account without the permission (as it is now, not when the token was made),
429 beyond the per-token rate limit, and never the page cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.accounts.tokens import revoke_token
from broadsheet.publishing.services import EDITORS_GROUP
from tests.api.helpers import assert_error, bearer, send_json, token_of

pytestmark = pytest.mark.django_db

HELD = "/api/v1/moderation/held-comments"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer bst_00000000_nope", "Basic Zm9vOmJhcg==", "Bearer garbage"],
)
def test_without_a_valid_token_the_answer_is_401(client: Client, header: str | None) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(HELD, **extra)
    assert_error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Cache-Control"] == "no-store"


def test_a_revoked_token_is_401(client: Client, moderator: User) -> None:
    token = token_of(moderator)
    assert client.get(HELD, **bearer(token)).status_code == 200
    revoke_token(moderator, moderator.api_tokens.get().pk)
    assert_error(client.get(HELD, **bearer(token)), 401, "unauthenticated")


def test_a_closed_accounts_token_is_401(client: Client, moderator: User) -> None:
    token = token_of(moderator)
    moderator.is_active = False
    moderator.save()
    assert_error(client.get(HELD, **bearer(token)), 401, "unauthenticated")


def test_a_readers_token_is_403(client: Client, reader: User) -> None:
    token = token_of(reader)
    error = assert_error(client.get(HELD, **bearer(token)), 403, "forbidden")
    assert "moderate" in error["message"]
    body = {"title": "A new article"}
    assert_error(send_json(client, "POST", "/api/v1/articles", body, token), 403, "forbidden")


def test_losing_the_role_takes_the_tokens_power_at_once(client: Client, editor: User) -> None:
    token = token_of(editor)
    body = {"title": "First draft"}
    assert send_json(client, "POST", "/api/v1/articles", body, token).status_code == 201
    editor.groups.remove(Group.objects.get(name=EDITORS_GROUP))
    editor = User.objects.get(pk=editor.pk)
    body = {"title": "Second draft"}
    assert_error(send_json(client, "POST", "/api/v1/articles", body, token), 403, "forbidden")


def test_over_the_rate_limit_the_answer_is_429(
    client: Client,
    moderator: User,
    settings: Any,
) -> None:
    settings.API_TOKEN_RATE_LIMIT = (2, 600)
    token = token_of(moderator)
    other = token_of(moderator, "another script")
    assert client.get(HELD, **bearer(token)).status_code == 200
    assert client.get(HELD, **bearer(token)).status_code == 200
    response = client.get(HELD, **bearer(token))
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 600
    # Counted per token.
    assert client.get(HELD, **bearer(other)).status_code == 200


def test_token_answers_are_never_cached(
    client: Client,
    moderator: User,
    article: Any,
) -> None:
    token = token_of(moderator)
    response = client.get(HELD, **bearer(token))
    assert response["Cache-Control"] == "private, no-store"
    # A public GET with a token is rendered, neither served from nor stored in the cache.
    client.get("/api/v1/articles")
    assert client.get("/api/v1/articles").get("X-Page-Cache") == "hit"
    with_token = client.get("/api/v1/articles", **bearer(token))
    assert with_token.status_code == 200
    assert with_token.get("X-Page-Cache") is None
