"""Fixtures for the API tests: the newsroom the docs' examples name (the article
"tenants-organise" by Ada Reyes on Housing). The request helpers are in helpers.py."""

from __future__ import annotations

import pytest

from broadsheet.publishing.models import Article, Author, Topic
from tests.helpers import make_article, make_author, make_topic


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
