"""Comment counts (kept on the article by the discussion services) as readers see them, in
the comments heading and on article lists, and the per-article comments feed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree.ElementTree import Element as XmlElement

import pytest
from defusedxml import ElementTree
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.feeds import FEED_LENGTH
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import set_status
from broadsheet.publishing.models import Article
from tests.helpers import at, make_article, make_comment, make_topic, page_of, post_form

pytestmark = pytest.mark.django_db


def _heading(client: Client, article: Article) -> str:
    heading = page_of(client.get(article.get_absolute_url())).by_id("comments-heading")
    assert heading is not None
    return heading.text


def _count_links(client: Client, url: str) -> dict[str, str]:
    """Each article summary's title mapped to the text of its comment-count link."""
    page = page_of(client.get(url))
    links = {}
    for summary in page.find_all("article", "summary"):
        title = summary.find("h2")
        link = summary.find("a", "comment-count")
        assert title is not None
        if link is not None:
            links[title.text] = f"{link.text} -> {link.attrs['href']}"
    return links


@pytest.fixture
def confirmed_reader_client(reader: User, reader_client: Client) -> Client:
    reader.email_confirmed_at = timezone.now()
    reader.save()
    return reader_client


# Counts --------------------------------------------------------------------------------


def test_heading_counts_published_comments_as_they_come_and_go(
    client: Client, confirmed_reader_client: Client
) -> None:
    article = make_article("Swimming pool to reopen in spring")
    assert _heading(client, article) == "Comments"

    post_form(confirmed_reader_client, article, body="About time too.")
    assert Comment.objects.get(user__username="rita").status == Comment.Status.PUBLISHED
    assert _heading(client, article) == "Comments (1)"

    post_form(client, article, name="Hedda Lindqvist", body="Will it be heated?")
    held = Comment.objects.get(name="Hedda Lindqvist")
    assert held.status == Comment.Status.HELD
    assert _heading(client, article) == "Comments (1)"

    set_status(held, Comment.Status.PUBLISHED)
    assert _heading(client, article) == "Comments (2)"

    set_status(held, Comment.Status.DELETED)
    assert _heading(client, article) == "Comments (1)"
    article.refresh_from_db()
    assert article.comment_count == 1


def test_replies_count_and_spam_does_not(client: Client) -> None:
    article = make_article()
    root = make_comment(article, created_at=at(0))
    make_comment(article, parent=root, created_at=at(1))
    make_comment(article, status=Comment.Status.SPAM, created_at=at(2))

    assert _heading(client, article) == "Comments (2)"


def test_article_lists_link_to_the_comments(client: Client) -> None:
    now = timezone.now()
    lively = make_article("Market stalls move indoors", published_at=now - dt.timedelta(hours=1))
    single = make_article("Tram line survey", published_at=now - dt.timedelta(hours=2))
    quiet = make_article("Bridge painting finished", published_at=now - dt.timedelta(hours=3))
    hidden = make_article(
        "Court report",
        comments_mode=Article.Comments.HIDDEN,
        published_at=now - dt.timedelta(hours=4),
    )
    for n in range(3):
        make_comment(lively, created_at=at(n))
    make_comment(single)
    make_comment(quiet, status=Comment.Status.HELD)
    make_comment(hidden)

    assert _count_links(client, "/") == {
        "Market stalls move indoors": (
            f"3 comments on “Market stalls move indoors” -> {lively.get_absolute_url()}#comments"
        ),
        "Tram line survey": (
            f"1 comment on “Tram line survey” -> {single.get_absolute_url()}#comments"
        ),
    }
    assert quiet.title in page_of(client.get("/")).text


def test_topic_pages_show_counts_too(client: Client) -> None:
    topic = make_topic("Transport")
    article = make_article("Cycle lane consultation", topics=[topic])
    make_comment(article)
    make_comment(article)

    links = _count_links(client, topic.get_absolute_url())

    assert links == {
        article.title: f"2 comments on “{article.title}” -> {article.get_absolute_url()}#comments"
    }


def test_counts_cost_the_home_page_no_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    quiet = [make_article(f"Quiet story {n}") for n in range(5)]
    with django_assert_max_num_queries(10) as without_comments:
        client.get("/")
    for article in quiet:
        make_comment(article)

    with django_assert_max_num_queries(len(without_comments.captured_queries)):
        response = client.get("/")

    assert len(_count_links(client, "/")) == 5
    assert response.status_code == 200


# The feed ------------------------------------------------------------------------------


def _feed(client: Client, article: Article) -> XmlElement:
    response = client.get(f"/articles/{article.slug}/comments/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root: XmlElement = ElementTree.fromstring(response.content)
    assert root.tag == "rss"
    return root


def _items(root: XmlElement) -> list[dict[str, str]]:
    return [{child.tag: child.text or "" for child in item} for item in root.iter("item")]


def test_feed_lists_the_latest_published_comments_newest_first(client: Client) -> None:
    article = make_article("Harbour wall gives way")
    other = make_article("Harbour master retires")
    first = make_comment(
        article,
        name="Priya Castellanos",
        body="Saw it *go*.",
        created_at=dt.datetime(2024, 1, 5, 8, 0, tzinfo=dt.UTC),
    )
    second = make_comment(
        article,
        name="Ossian Brandt",
        parent=first,
        created_at=dt.datetime(2024, 1, 6, 9, 0, tzinfo=dt.UTC),
    )
    for status in (Comment.Status.HELD, Comment.Status.SPAM, Comment.Status.DELETED):
        make_comment(article, name=f"Not shown {status}", status=status, created_at=at(0))
    make_comment(other, name="Elsewhere", created_at=at(0))

    root = _feed(client, article)

    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Comments on “Harbour wall gives way”"
    assert channel.findtext("link") == f"http://testserver{article.get_absolute_url()}#comments"
    items = _items(root)
    assert [item["title"] for item in items] == [
        "Ossian Brandt on 6 January 2024",
        "Priya Castellanos on 5 January 2024",
    ]
    assert [item["link"] for item in items] == [
        f"http://testserver/comment/{second.pk}/",
        f"http://testserver/comment/{first.pk}/",
    ]
    assert items[1]["description"].strip() == "<p>Saw it <em>go</em>.</p>"
    assert "Not shown" not in str([i.values() for i in items])


def test_feed_days_are_in_the_sites_time_zone(client: Client, settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Tokyo"
    article = make_article()
    make_comment(
        article, name="Ines Ferro", created_at=dt.datetime(2024, 1, 5, 20, 0, tzinfo=dt.UTC)
    )

    assert [i["title"] for i in _items(_feed(client, article))] == ["Ines Ferro on 6 January 2024"]


def test_feed_keeps_to_its_length(client: Client) -> None:
    article = make_article()
    Comment.objects.bulk_create(
        Comment(article=article, name=f"Reader {n}", body_source="Hm.", body_html="<p>Hm.</p>",
                status=Comment.Status.PUBLISHED, created_at=at(n))
        for n in range(FEED_LENGTH + 5)
    )  # fmt: skip

    items = _items(_feed(client, article))

    assert len(items) == FEED_LENGTH
    assert items[0]["title"].startswith(f"Reader {FEED_LENGTH + 4} on")


def test_feed_of_a_closed_article_still_lists_its_comments(client: Client) -> None:
    article = make_article(comments_mode=Article.Comments.CLOSED)
    make_comment(article, name="Tomasz Wren")

    assert [i["title"].split(" on ")[0] for i in _items(_feed(client, article))] == ["Tomasz Wren"]


def test_no_feed_for_hidden_comments_or_unpublished_articles(client: Client) -> None:
    hidden = make_article("Hidden discussion", comments_mode=Article.Comments.HIDDEN)
    draft = make_article("Draft piece", status=Article.Status.DRAFT)
    make_comment(hidden)
    make_comment(draft)

    for article in (hidden, draft):
        assert client.get(f"/articles/{article.slug}/comments/feed/").status_code == 404
    assert client.get("/articles/no-such-article/comments/feed/").status_code == 404


def test_article_page_links_its_comments_feed(client: Client) -> None:
    article = make_article()

    page = page_of(client.get(article.get_absolute_url()))

    assert f"/articles/{article.slug}/comments/feed/" in [
        a.attrs.get("href") for a in page.find_all("a")
    ]
