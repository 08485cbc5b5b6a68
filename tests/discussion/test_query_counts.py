"""The comments under an article cost the same few queries on every comments page.

Threads are paged whole. Whichever comments page a reader asks for (the first, a middle
one, the last, a number out of range, or none on an article without comments), the
article page takes at most eight queries, and pages in range take the same number however
many replies their threads hold. The whole-site measurements are in
tests/publishing/test_query_counts.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import at, make_article, make_comment, shown_ids

pytestmark = pytest.mark.django_db

MOST_QUERIES = 8


@pytest.fixture
def three_per_page(settings: Any) -> None:
    settings.COMMENTS_PER_PAGE = 3


@pytest.fixture
def article() -> Article:
    return make_article("Night buses cut back to hourly")


@pytest.fixture
def threads(article: Article, three_per_page: None) -> list[list[Comment]]:
    """Ten threads, one an hour, oldest first: thread n is a comment with n % 4 replies,
    each answering the one before."""
    made = []
    for n in range(10):
        thread = [make_comment(article, name=f"Rider {n}", created_at=at(60 * n))]
        for _ in range(n % 4):
            created = thread[-1].created_at + dt.timedelta(minutes=1)
            thread.append(make_comment(article, parent=thread[-1], created_at=created))
        made.append(thread)
    return made


def _shown(threads: list[list[Comment]]) -> list[int]:
    return [comment.pk for thread in threads for comment in thread]


def test_every_comments_page_takes_the_same_queries(
    client: Client,
    article: Article,
    threads: list[list[Comment]],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    counts = []
    for number, expected in [(1, threads[0:3]), (2, threads[3:6]), (4, threads[9:10])]:
        with django_assert_max_num_queries(MOST_QUERIES) as captured:
            response = client.get(f"{article.get_absolute_url()}?page={number}")
        assert response.status_code == 200
        assert shown_ids(response) == _shown(expected)
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1] == counts[2]


@pytest.mark.parametrize(
    ("asked", "shown_page"),
    [("99", 4), ("0", 4), ("-3", 4), ("99999999999999999999", 4), ("two", 1), ("2.0", 1)],
)
def test_a_page_out_of_range_takes_at_most_eight_queries_too(
    client: Client,
    article: Article,
    threads: list[list[Comment]],
    asked: str,
    shown_page: int,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    with django_assert_max_num_queries(MOST_QUERIES):
        response = client.get(f"{article.get_absolute_url()}?page={asked}")

    assert response.status_code == 200
    assert shown_ids(response) == _shown({1: threads[0:3], 4: threads[9:10]}[shown_page])


def test_an_article_without_comments_takes_at_most_eight_queries(
    client: Client, article: Article, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    with django_assert_max_num_queries(MOST_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert shown_ids(response) == []
    assert "Add new comment" in response.content.decode()
