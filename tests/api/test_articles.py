"""Articles, authors and topics through the API: lists with filters, details with the
rendered body and bylines, cursor pages that stay stable while articles are published,
and bounded queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.publishing.models import Article, Author, Topic
from tests.api.helpers import hours_ago
from tests.helpers import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db


def titles(response: Any) -> list[str]:
    return [item["title"] for item in response.json()["items"]]


def test_lists_live_articles_newest_first(client: Client, article: Article) -> None:
    make_article("Older news", published_at=hours_ago(5))
    make_article("A draft", status=Article.Status.DRAFT)
    make_article("Next week", status=Article.Status.SCHEDULED, published_at=hours_ago(-48))

    response = client.get("/api/v1/articles")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert titles(response) == ["Tenants organise on the estate", "Older news"]
    first = response.json()["items"][0]
    assert first["bylines"] == [
        {
            "name": "Ada Reyes",
            "slug": "ada-reyes",
            "url": "http://127.0.0.1:8000/authors/ada-reyes/",
            "api_url": "/api/v1/authors/ada-reyes",
        }
    ]
    assert first["api_url"] == "/api/v1/articles/tenants-organise"
    assert response.json()["next"] is None
    assert "public" in response["Cache-Control"]


def test_filters_by_topic_author_and_date(
    client: Client, article: Article, ada: Author, housing: Topic
) -> None:
    transport = make_topic("Transport", slug="transport")
    bea = make_author("Bea Lund", slug="bea-lund")
    make_article("Bus cuts", authors=[bea], topics=[transport], published_at=hours_ago(30 * 24))

    assert titles(client.get("/api/v1/articles?topic=transport")) == ["Bus cuts"]
    assert titles(client.get("/api/v1/articles?author=ada-reyes")) == [article.title]
    before = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    assert titles(client.get(f"/api/v1/articles?published_before={before}")) == ["Bus cuts"]
    since = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    assert titles(client.get(f"/api/v1/articles?published_since={since}")) == [article.title]


def test_unknown_filter_values_are_a_400_naming_the_field(client: Client, article: Article) -> None:
    response = client.get("/api/v1/articles?topic=gardening")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "topic"

    response = client.get("/api/v1/articles?published_since=last-tuesday")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "published_since"

    response = client.get("/api/v1/articles?limit=1000")
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "limit must be between 1 and 100.",
        "field": "limit",
    }


def test_detail_has_rendered_body_bylines_and_topics(client: Client, article: Article) -> None:
    response = client.get("/api/v1/articles/tenants-organise")

    assert response.status_code == 200
    data = response.json()
    assert "<strong>Tuesday</strong>" in data["body_html"]
    assert [person["name"] for person in data["bylines"]] == ["Ada Reyes"]
    assert [topic["slug"] for topic in data["topics"]] == ["housing"]
    assert data["comments_open"] is True
    assert data["comments_url"] == "/api/v1/articles/tenants-organise/comments"


def test_drafts_are_not_found_even_for_editors(client: Client, editor_client: Client) -> None:
    make_article("Not yet", slug="not-yet", status=Article.Status.DRAFT)
    for someone in (client, editor_client):
        response = someone.get("/api/v1/articles/not-yet")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_authors_and_topics(client: Client, article: Article) -> None:
    assert [a["slug"] for a in client.get("/api/v1/authors").json()["items"]] == ["ada-reyes"]
    assert client.get("/api/v1/authors/ada-reyes").json()["bio"] == "Covers housing."
    assert [t["slug"] for t in client.get("/api/v1/topics").json()["items"]] == ["housing"]
    assert client.get("/api/v1/topics/housing").json()["name"] == "Housing"
    assert client.get("/api/v1/topics/gardening").status_code == 404
    assert client.get("/api/v1/authors/nobody").json()["error"]["code"] == "not_found"


def walk(
    client: Client, first: str, between: Callable[[int], None] = lambda page: None
) -> list[str]:
    """Every title on every page, following `next`; `between(n)` runs after page n."""
    seen: list[str] = []
    url: str | None = first
    page = 0
    while url:
        data = client.get(url).json()
        seen.extend(item["title"] for item in data["items"])
        url = data["next"]
        page += 1
        between(page)
    return seen


def test_cursor_pages_are_stable_while_articles_are_published(client: Client) -> None:
    for n in range(7):
        make_article(f"Story {n}", published_at=hours_ago(10 - n))

    def publish_more(page: int) -> None:
        # A new article on top, and one published with a time between pages already read.
        make_article(f"Breaking {page}")
        make_article(f"Backdated {page}", published_at=hours_ago(9.5))

    seen = walk(client, "/api/v1/articles?limit=3", publish_more)

    originals = [f"Story {n}" for n in range(6, -1, -1)]
    assert [title for title in seen if title.startswith("Story")] == originals
    assert len(seen) == len(set(seen))


def test_cursor_keeps_the_filters(client: Client, article: Article, housing: Topic) -> None:
    for n in range(3):
        make_article(f"Housing {n}", topics=[housing], published_at=hours_ago(2 + n))
    make_article("Elsewhere")

    seen = walk(client, "/api/v1/articles?topic=housing&limit=2")

    assert seen == [article.title, "Housing 0", "Housing 1", "Housing 2"]


def test_a_forged_cursor_is_a_400(client: Client, article: Article) -> None:
    response = client.get("/api/v1/articles?cursor=not-a-cursor")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_queries_are_bounded(
    client: Client, django_assert_max_num_queries: Any, no_page_cache: None, housing: Topic
) -> None:
    for n in range(15):
        author = make_author(f"Writer {n}")
        make_article(f"Story {n}", authors=[author], topics=[housing])

    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/articles?topic=housing").json()["items"]) == 15
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/articles").status_code == 200
    slug = Article.objects.first().slug  # type: ignore[union-attr]
    with django_assert_max_num_queries(4):
        assert client.get(f"/api/v1/articles/{slug}").status_code == 200


def test_article_is_cached_and_invalidated_like_the_page(client: Client, article: Article) -> None:
    first = client.get("/api/v1/articles/tenants-organise")
    second = client.get("/api/v1/articles/tenants-organise")
    assert "X-Page-Cache" not in first
    assert second["X-Page-Cache"] == "hit"
    assert second.json() == first.json()

    article.title = "Tenants win on the estate"
    article.save()

    third = client.get("/api/v1/articles/tenants-organise")
    assert "X-Page-Cache" not in third
    assert third.json()["title"] == "Tenants win on the estate"


def test_filtered_lists_are_rendered_each_time(client: Client, article: Article) -> None:
    client.get("/api/v1/articles?topic=housing")
    assert "X-Page-Cache" not in client.get("/api/v1/articles?topic=housing")
    client.get("/api/v1/articles")
    assert client.get("/api/v1/articles")["X-Page-Cache"] == "hit"
