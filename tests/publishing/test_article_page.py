"""The article page: the reference page's header lines, body and visibility rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from broadsheet.publishing.models import Article
from tests.helpers import make_article, make_author, make_topic, make_user

pytestmark = pytest.mark.django_db


def test_submitted_and_author_lines_match_the_reference_format(client: Client) -> None:
    newsdesk = make_user("newsdesk", display_name="Newsdesk")
    article = make_article(
        "Rent strike enters its third week",
        submitted_by=newsdesk,
        authors=[make_author("Ada Reyes")],
        published_at=dt.datetime(2019, 12, 4, 4, 46, tzinfo=dt.UTC),
    )

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Submitted by Newsdesk on" in html
    assert ">4 December, 2019 - 4:46</time>" in html
    assert 'Author: <a href="/authors/' in html
    assert ">Ada Reyes</a>" in html


def test_several_authors_are_joined_naturally(client: Client) -> None:
    authors = [make_author(name) for name in ("Ada Reyes", "Tomasz Wren", "Lin Abara")]
    article = make_article(authors=authors)

    html = client.get(article.get_absolute_url()).content.decode()

    byline = html.split('<p class="byline">')[1].split("</p>")[0]
    names = [a.name for a in authors]
    assert byline.index(names[0]) < byline.index(names[1]) < byline.index(names[2])
    assert "</a>, <a" in byline and "</a> and <a" in byline


def test_body_keeps_headings_quotations_and_links(client: Client) -> None:
    article = make_article(
        body="Opening.\n\n## What happened next\n\n> A quoted line.\n\n[see the minutes](https://example.org/minutes)"
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<h2>What happened next</h2>" in html
    assert "<blockquote>\n<p>A quoted line.</p>\n</blockquote>" in html
    assert '<a href="https://example.org/minutes" rel="noopener">see the minutes</a>' in html


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.SCHEDULED])
def test_drafts_and_future_articles_are_404_to_readers(
    client: Client, reader_client: Client, status: str
) -> None:
    future = timezone.now() + dt.timedelta(days=2) if status == Article.Status.SCHEDULED else None
    article = make_article(status=status, published_at=future)

    assert client.get(article.get_absolute_url()).status_code == 404
    assert reader_client.get(article.get_absolute_url()).status_code == 404


def test_editors_see_drafts_as_previews(editor_client: Client) -> None:
    article = make_article("Draft on the bus routes", status=Article.Status.DRAFT)

    response = editor_client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Preview: this article is draft" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


def test_scheduled_article_goes_live_when_its_time_comes(client: Client, settings: Any) -> None:
    publish_at = timezone.now() + dt.timedelta(minutes=5)
    article = make_article(status=Article.Status.SCHEDULED, published_at=publish_at)
    assert client.get(article.get_absolute_url()).status_code == 404

    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert client.get(article.get_absolute_url()).status_code == 200


def test_article_page_queries_do_not_grow_with_authors_and_topics(
    client: Client, no_page_cache: None
) -> None:
    small = make_article("One writer", authors=[make_author("Solo")], topics=[make_topic("One")])
    large = make_article(
        "Many writers",
        authors=[make_author(f"Writer {i}") for i in range(8)],
        topics=[make_topic(f"Topic {i}") for i in range(6)],
    )
    client.get(small.get_absolute_url())  # warm the site-wide caches (policy version)

    counts = []
    for article in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 8


def test_missing_article_gets_the_sites_404_page(client: Client) -> None:
    response = client.get("/articles/no-such-thing/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
