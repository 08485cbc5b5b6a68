"""Helpers for the API tests: requests sent as an API client or a staff member's script
would send them, and the shape of an error answer."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.utils import timezone

from broadsheet.publishing.models import Article


def post_json(client: Client, path: str, data: Any, **extra: Any) -> Any:
    """POST `data` as JSON, as an API client would."""
    return client.post(path, json.dumps(data), content_type="application/json", **extra)


def comments_path(article: Article) -> str:
    return f"/api/v1/articles/{article.slug}/comments"


def hours_ago(hours: float) -> Any:
    return timezone.now() - timezone.timedelta(hours=hours)


def token_of(user: Any, name: str = "script") -> str:
    """A fresh personal API token of `user`, as the profile page would show it."""
    from broadsheet.accounts.tokens import create_token

    return create_token(user, name)[1]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def send_json(client: Client, method: str, path: str, data: Any, token: str) -> Any:
    """Send `data` as JSON with a token, as a staff member's script would."""
    return client.generic(
        method, path, json.dumps(data), content_type="application/json", **bearer(token)
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    return error
