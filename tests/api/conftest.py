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
