"""One dict per article, author and topic (publishing/serializers.py): the API, the JSON
export and webhook payloads name an article's facts alike, and each keeps to what its
readers may see."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.importers import export_json
from broadsheet.publishing.models import Article
from broadsheet.publishing.serializers import (
    article_data,
    article_payload,
    article_source_data,
)
from tests.helpers import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return make_article(
        "Ferry timetable cut again",
        slug="ferry-timetable",
        authors=[make_author("Ines Varga", slug="ines"), make_author("Kofi Mensah", slug="kofi")],
        topics=[make_topic("Transport", slug="transport")],
        body="The winter timetable drops the last sailing.",
    )


def test_the_api_the_export_and_webhooks_name_an_article_alike(
    client: Client, article: Article, settings: Any
) -> None:
    settings.SITE_URL = "https://news.example.org"
    api = client.get("/api/v1/articles/ferry-timetable").json()
    exported = export_json.article_data(article)
    payload = article_payload(article)
    url = "https://news.example.org/articles/ferry-timetable/"
    assert api["url"] == exported["url"] == payload["url"] == url
    assert api["title"] == exported["title"] == payload["title"] == "Ferry timetable cut again"
    assert [b["name"] for b in api["bylines"]] == ["Ines Varga", "Kofi Mensah"]
    assert [b["name"] for b in exported["bylines"]] == ["Ines Varga", "Kofi Mensah"]
    assert payload["bylines"] == ["Ines Varga", "Kofi Mensah"]
    assert api["bylines"][0]["url"] == "https://news.example.org/authors/ines/"
    assert api["topics"][0]["url"] == "https://news.example.org/topics/transport/"


def test_the_public_dict_leaves_out_the_source_and_the_submitter(article: Article) -> None:
    public = article_data(article)
    assert "body_source" not in public and "submitted_by" not in public
    assert "body_html" not in public  # a list of articles never reads the bodies
    source = article_source_data(article)
    assert source["body_source"] == "The winter timetable drops the last sailing."
    assert source["submitted_by"]["username"] == "newsdesk"
    assert [topic["slug"] for topic in source["topics"]] == ["transport"]


def test_webhooks_are_told_what_readers_see_not_what_the_row_says() -> None:
    later = timezone.now() + timedelta(days=2)
    scheduled = make_article(status=Article.Status.SCHEDULED, published_at=later)
    draft = make_article(status=Article.Status.DRAFT)
    assert article_payload(scheduled)["status"] == "scheduled"
    assert article_payload(scheduled)["published_at"] == later.isoformat()
    assert article_payload(draft)["status"] == "draft"
    assert article_payload(draft)["published_at"] is None


def test_the_export_writes_every_date_in_utc_with_a_z(article: Article) -> None:
    exported = export_json.article_data(article)
    for key in ("published_at", "created_at", "updated_at"):
        assert exported[key].endswith("Z"), key
