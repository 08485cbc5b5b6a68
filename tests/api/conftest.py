"""Helpers for the API tests: the newsroom the docs' examples name (the article
"tenants-organise" by Ada Reyes on Housing) and a JSON poster."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.publishing.models import Article, Author, Topic
from tests.conftest import make_article, make_author, make_topic


@pytest.fixture
def ada(db: None) -> Author:
    return make_author("Ada Reyes", slug="ada-reyes", bio="Covers housing.")


@pytest.fixture
def housing(db: None) -> Topic:
    return make_topic("Housing", slug="housing")


@pytest.fixture
def article(ada: Author, housing: Topic) -> Article:
    return make_article(
        "Tenants organise on the estate",
        slug="tenants-organise",
        authors=[ada],
        topics=[housing],
        body="The residents' association met on **Tuesday** evening.",
    )


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


@pytest.fixture
def moderator(db: None) -> Any:
    """Morgan Osei, a moderator (not staff), as in tests/moderation."""
    from broadsheet.moderation.services import ensure_moderators_group
    from tests.conftest import make_user

    user = make_user("mo", display_name="Morgan Osei")
    user.groups.add(ensure_moderators_group())
    return user
