"""Reader pages cost a few queries, however much is on them.

Every reader page (home, an article with its comments, author, topic, the archive, the
feeds and search) is measured for three visitors: Nadia, who sends no cookies; Tomasz, who
has made a cookie choice; and Rita, signed in. Each page must take at most eight queries,
and exactly as many on a small site (one author, five comments) as on a big one (four
bylines, three topics, sixty comments four deep, twelve articles), so a query per comment,
byline, topic or article (an N+1) fails here.

The cache is emptied before each measured request: what is counted is building the page,
not serving a cached copy, and Tomasz's count includes looking up the cookie policy
version his consent cookie is checked against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article, Author, Topic
from tests.helpers import (
    confirm_account,
    make_article,
    make_author,
    make_comment,
    make_topic,
    make_user,
    shown_comments,
)

pytestmark = pytest.mark.django_db

MOST_QUERIES = 8
PUBLISHED = dt.datetime(2024, 5, 10, 9, 0, tzinfo=dt.UTC)
COMMENTED = dt.datetime(2024, 5, 20, 9, 0, tzinfo=dt.UTC)
VISITORS = ["Nadia, no cookies", "Tomasz, cookie choice made", "Rita, signed in"]


@dataclass(frozen=True)
class Site:
    article: Article  # the one with the comments
    author: Author  # on every article's byline
    topic: Topic  # on every article
    articles: int
    published_comments: int  # what a reader sees of them


@dataclass(frozen=True)
class ReaderPage:
    name: str
    url: str
    shows: str  # text the response must contain, so a page cannot get cheap by going blank


def build_site(*, articles: int, bylines: int, topics: int, comments: int, commenter: User) -> Site:
    """`articles` live articles in May 2024, each with `bylines` authors and `topics` topics
    (the first of each shared by all), the newest with `comments` comments in threads of
    four (a comment and replies three deep): some held, some by `commenter`, some edited."""
    author_pool = [make_author("Ada Reyes")] + [make_author(f"Writer {n}") for n in range(6)]
    topic_pool = [make_topic("Harbours")] + [make_topic(f"Subject {n}") for n in range(4)]
    made = []
    for n in range(articles):
        others = [author_pool[1 + (n + k) % 6] for k in range(bylines - 1)]
        extra_topics = [topic_pool[1 + (n + k) % 4] for k in range(topics - 1)]
        made.append(
            make_article(
                f"Harbour story {n}",
                authors=[author_pool[0], *others],
                topics=[topic_pool[0], *extra_topics],
                published_at=PUBLISHED - dt.timedelta(hours=n),
                body=f"The harbour board met for the {n + 1}th time.",
            )
        )
    article = made[0]
    thread: list[Comment] = []
    for n in range(comments):
        depth = n % 4
        fields: dict[str, Any] = {"created_at": COMMENTED + dt.timedelta(minutes=n)}
        if n % 5 == 1:
            fields.update(user=commenter, name=commenter.public_name)
        if n % 7 == 3:
            # Held at every depth over the site: a leaf is left out, one with replies is
            # shown to readers as a placeholder.
            fields["status"] = Comment.Status.HELD
        if n % 6 == 2:
            fields["edited_at"] = fields["created_at"] + dt.timedelta(minutes=2)
        parent = thread[-1] if depth else None
        comment = make_comment(article, parent=parent, body=f"Comment number {n}.", **fields)
        thread = [*thread, comment] if depth else [comment]
    assert Comment.objects.filter(article=article).count() == comments
    published = article.comments.published().count()
    return Site(article, author_pool[0], topic_pool[0], articles, published)


def reader_pages(site: Site) -> list[ReaderPage]:
    article, author, topic = site.article, site.author, site.topic
    title, byline = article.title, author.name
    newest = article.comments.published().latest("created_at")
    return [
        ReaderPage("home", reverse("publishing:home"), title),
        ReaderPage("article", article.get_absolute_url(), "Comment number 0."),
        ReaderPage("author", author.get_absolute_url(), title),
        ReaderPage("topic", topic.get_absolute_url(), title),
        ReaderPage("archive", reverse("publishing:archive"), "May"),
        ReaderPage("archive year", reverse("publishing:archive-year", args=[2024]), title),
        ReaderPage("archive month", reverse("publishing:archive-month", args=[2024, 5]), title),
        ReaderPage("rss", reverse("publishing:rss"), byline),
        ReaderPage("atom", reverse("publishing:atom"), byline),
        ReaderPage("topic rss", reverse("publishing:topic-rss", args=[topic.slug]), byline),
        ReaderPage("topic atom", reverse("publishing:topic-atom", args=[topic.slug]), byline),
        ReaderPage("author rss", reverse("publishing:author-rss", args=[author.slug]), byline),
        ReaderPage("author atom", reverse("publishing:author-atom", args=[author.slug]), byline),
        ReaderPage(
            "comments feed", reverse("discussion:feed", args=[article.slug]), newest.body_source
        ),
        ReaderPage(
            "search", reverse("publishing:search") + "?q=harbour", f"{site.articles} result"
        ),
    ]


@pytest.fixture
def commenter() -> User:
    return make_user("carol", display_name="Carol Mbeki")


@pytest.fixture(params=VISITORS)
def browser(request: pytest.FixtureRequest, reader: User) -> Client:
    client = Client()
    if request.param.startswith("Tomasz"):
        client.post(
            reverse("consent:reject-all"), {"next": "/"}, headers={"Origin": "http://testserver"}
        )
        assert "broadsheet_consent" in client.cookies
        client.get("/")  # shows the one-off "choice saved" message, so it is not counted
    elif request.param.startswith("Rita"):
        client.force_login(confirm_account(reader))
    return client


def visit(browser: Client, page: ReaderPage, site: Site) -> Any:
    cache.clear()
    response = browser.get(page.url)
    assert response.status_code == 200, page.name
    assert page.shows in response.content.decode(), page.name
    if page.name == "article":
        assert len(shown_comments(response)) == site.published_comments
    return response


def queries_per_page(browser: Client, site: Site) -> dict[str, int]:
    counts = {}
    for page in reader_pages(site):
        with CaptureQueriesContext(connection) as queries:
            visit(browser, page, site)
        counts[page.name] = len(queries)
    return counts


def test_every_reader_page_takes_at_most_eight_queries(
    browser: Client, commenter: User, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    site = build_site(articles=12, bylines=4, topics=3, comments=60, commenter=commenter)

    for page in reader_pages(site):
        with django_assert_max_num_queries(MOST_QUERIES, info=page.url):
            visit(browser, page, site)


def test_pages_take_as_many_queries_on_a_small_site_as_on_a_big_one(
    browser: Client, commenter: User
) -> None:
    small = build_site(articles=1, bylines=1, topics=1, comments=5, commenter=commenter)
    few = queries_per_page(browser, small)
    Article.objects.all().delete()
    Author.objects.all().delete()
    Topic.objects.all().delete()

    big = build_site(articles=12, bylines=4, topics=3, comments=60, commenter=commenter)
    many = queries_per_page(browser, big)

    assert few == many
