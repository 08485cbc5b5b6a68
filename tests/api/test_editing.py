"""Editing articles through the API with an editor's token: creating and changing them
through the admin's service, so bylines, topics, a revision and the webhook follow; every
refusal leaves the database as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.publishing import services
from broadsheet.publishing.models import Article, ArticleRevision, Author, Topic
from tests.api.helpers import assert_error, bearer, send_json, token_of

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles"


@pytest.fixture
def token(editor: User) -> str:
    return token_of(editor)


@pytest.fixture
def revised(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """The articles record_revision() told the webhooks about."""
    calls: list[tuple[str, Any]] = []
    original = services.article_revised

    def record(article: Article, previous: Any) -> None:
        calls.append((article.slug, previous))
        original(article, previous)

    monkeypatch.setattr(services, "article_revised", record)
    return calls


def test_an_editor_creates_an_article(
    client: Client, editor: User, token: str, ada: Author, housing: Topic, revised: Any
) -> None:
    body = {
        "title": "Rents rise again",
        "standfirst": "A third year running.",
        "body": "Rents rose by **8%**.",
        "status": "published",
        "bylines": ["ada-reyes"],
        "topics": ["housing"],
    }
    response = send_json(client, "POST", ARTICLES, body, token)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["slug"] == "rents-rise-again"
    assert data["bylines"] == ["ada-reyes"]
    assert data["topics"] == ["housing"]
    assert data["status"] == "published"
    assert response["Cache-Control"] == "private, no-store"
    article = Article.objects.get(slug="rents-rise-again")
    assert article.submitted_by == editor
    assert "<strong>8%</strong>" in article.body_html
    assert article.is_live
    revision = ArticleRevision.objects.get(article=article)
    assert (revision.pk, revision.edited_by) == (data["revision"], editor)
    assert revised == [("rents-rise-again", None)]
    assert client.get(f"{ARTICLES}/rents-rise-again").status_code == 200


def test_a_draft_is_not_live(client: Client, token: str) -> None:
    response = send_json(client, "POST", ARTICLES, {"title": "Notes", "slug": "notes"}, token)
    assert response.json()["status"] == "draft"
    assert client.get(f"{ARTICLES}/notes").status_code == 404


def test_a_scheduled_article_needs_a_future_time(client: Client, token: str) -> None:
    later = (timezone.now() + dt.timedelta(days=1)).isoformat()
    body = {"title": "Tomorrow", "status": "scheduled", "published_at": later}
    assert send_json(client, "POST", ARTICLES, body, token).status_code == 201
    body = {"title": "Never", "status": "scheduled"}
    error = assert_error(send_json(client, "POST", ARTICLES, body, token), 400, "invalid")
    assert error["field"] == "published_at"
    body = {"title": "Naive", "published_at": "2030-01-01T09:00:00"}
    error = assert_error(send_json(client, "POST", ARTICLES, body, token), 400, "invalid")
    assert error["field"] == "published_at"
    assert list(Article.objects.values_list("slug", flat=True)) == ["tomorrow"]


def test_a_taken_slug_is_409(client: Client, token: str, article: Article) -> None:
    body = {"title": "Tenants organise", "slug": "tenants-organise"}
    error = assert_error(send_json(client, "POST", ARTICLES, body, token), 409, "slug_taken")
    assert error["field"] == "slug"
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"title": "x", "bylines": ["nobody"]}, "unknown_author", "bylines"),
        ({"title": "x", "topics": ["nowhere"]}, "unknown_topic", "topics"),
        ({"title": "  "}, "required", "title"),
        ({}, "required", "title"),
        ({"title": "x", "slug": "not a slug"}, "invalid", "slug"),
        ({"title": "x", "standfirst": "y" * 601}, "invalid", "standfirst"),
        ({"title": "x", "status": "live"}, "invalid", "status"),
        ({"title": "x", "colour": "red"}, "unknown_field", "colour"),
    ],
)
def test_a_bad_article_is_400_and_nothing_is_written(
    client: Client, token: str, body: dict[str, Any], code: str, field: str, revised: Any
) -> None:
    error = assert_error(send_json(client, "POST", ARTICLES, body, token), 400, code)
    assert error["field"] == field
    assert not Article.objects.exists()
    assert not ArticleRevision.objects.exists()
    assert revised == []


def test_a_failure_after_the_save_writes_nothing(
    client: Client, token: str, ada: Author, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(article: Article, edited_by: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "record_revision", broken)
    client.raise_request_exception = False
    body = {"title": "Half written", "bylines": ["ada-reyes"]}
    assert send_json(client, "POST", ARTICLES, body, token).status_code == 500
    assert not Article.objects.exists()


def test_an_editor_changes_an_article(
    client: Client, editor: User, token: str, article: Article, revised: Any
) -> None:
    services.record_revision(article, editor)
    other = Author.objects.create(name="Ben Ortiz", slug="ben-ortiz")
    body = {"title": "Tenants win", "bylines": ["ben-ortiz", "ada-reyes"], "topics": []}
    response = send_json(client, "PATCH", f"{ARTICLES}/tenants-organise", body, token)
    assert response.status_code == 200, response.content
    assert response.json()["bylines"] == ["ben-ortiz", "ada-reyes"]
    article.refresh_from_db()
    assert article.title == "Tenants win"
    assert [author.slug for author in article.byline_authors()] == [other.slug, "ada-reyes"]
    assert list(article.topics.all()) == []
    assert "residents" in article.body_source
    assert article.revisions.count() == 2
    assert [slug for slug, previous in revised][-1] == "tenants-organise"
    assert client.get(f"{ARTICLES}/tenants-organise").json()["title"] == "Tenants win"


def test_changing_the_slug_to_a_taken_one_is_409(
    client: Client, token: str, article: Article
) -> None:
    Article.objects.create(title="Other", slug="other", submitted_by=article.submitted_by)
    body = {"slug": "other", "title": "Renamed"}
    response = send_json(client, "PATCH", f"{ARTICLES}/tenants-organise", body, token)
    assert_error(response, 409, "slug_taken")
    article.refresh_from_db()
    assert article.title == "Tenants organise on the estate"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"bylines": ["nobody"]}, "unknown_author", "bylines"),
        ({"title": None}, "invalid", "title"),
        ({"status": "scheduled"}, "invalid", "published_at"),
    ],
)
def test_a_bad_change_is_400_and_changes_nothing(
    client: Client, token: str, article: Article, body: dict[str, Any], code: str, field: str
) -> None:
    response = send_json(client, "PATCH", f"{ARTICLES}/tenants-organise", body, token)
    assert assert_error(response, 400, code)["field"] == field
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert [author.slug for author in article.byline_authors()] == ["ada-reyes"]


def test_changing_an_unknown_article_is_404(client: Client, token: str) -> None:
    response = send_json(client, "PATCH", f"{ARTICLES}/no-such", {"title": "x"}, token)
    assert_error(response, 404, "not_found")


def test_editing_needs_an_editors_token(
    client: Client, reader: User, moderator: User, article: Article
) -> None:
    for user in (reader, moderator):
        token = token_of(user)
        response = send_json(client, "POST", ARTICLES, {"title": "x"}, token)
        assert_error(response, 403, "forbidden")
        response = send_json(client, "PATCH", f"{ARTICLES}/tenants-organise", {"title": "x"}, token)
        assert_error(response, 403, "forbidden")
    response = send_json(client, "POST", ARTICLES, {"title": "x"}, "")
    assert_error(response, 401, "unauthenticated")
    assert Article.objects.count() == 1


def test_editing_needs_json_and_a_small_body(client: Client, token: str, settings: Any) -> None:
    response = client.post(ARTICLES, "title=x", content_type="text/plain", **bearer(token))
    assert_error(response, 415, "unsupported_media_type")
    settings.API_MAX_BODY_BYTES = 10
    response = send_json(client, "POST", ARTICLES, {"title": "A long title"}, token)
    assert_error(response, 413, "too_large")
    response = send_json(client, "PATCH", f"{ARTICLES}/x", {"title": "A long title"}, token)
    assert_error(response, 413, "too_large")
    assert not Article.objects.exists()
