"""The published comments of an article through the API: whole threads, replies nested,
the verified flag, placeholders for removed comments with replies, cursor pages stable
while comments arrive, and the cached answer thrown away when a comment is published."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import set_status
from broadsheet.publishing.models import Article
from tests.api.helpers import comments_path, post_json
from tests.helpers import at, make_comment, make_user, post_form

pytestmark = pytest.mark.django_db


def ids(threads: list[dict[str, Any]]) -> list[int]:
    return [comment["id"] for comment in threads]


def test_threads_are_nested_with_the_verified_flag(client: Client, article: Article) -> None:
    rita = make_user("rita", display_name="Rita Campbell")
    first = make_comment(article, created_at=at(1), user=rita, name="Rita Campbell")
    reply = make_comment(article, parent=first, created_at=at(2), email_confirmed=True)
    make_comment(article, parent=first, created_at=at(3), status=Comment.Status.HELD)
    second = make_comment(article, created_at=at(4), homepage="https://example.org/")

    response = client.get(comments_path(article))

    assert response.status_code == 200
    data = response.json()
    assert ids(data["threads"]) == [first.pk, second.pk]
    top = data["threads"][0]
    assert top["verified"] is True
    assert top["name"] == "Rita Campbell"
    assert ids(top["replies"]) == [reply.pk]
    assert top["replies"][0]["verified"] is True
    assert top["replies"][0]["parent"] == first.pk
    assert data["threads"][1]["verified"] is False
    assert data["threads"][1]["homepage"] == "https://example.org/"
    assert data["comment_count"] == 3
    assert data["next"] is None
    # Nothing of what readers never see.
    assert "email" not in response.content.decode()


def test_a_removed_comment_with_replies_is_a_placeholder(client: Client, article: Article) -> None:
    gone = make_comment(article, created_at=at(1), status=Comment.Status.DELETED)
    reply = make_comment(article, parent=gone, created_at=at(2))
    make_comment(article, created_at=at(3), status=Comment.Status.SPAM)

    threads = client.get(comments_path(article)).json()["threads"]

    assert len(threads) == 1
    assert threads[0]["removed"] is True
    assert threads[0]["name"] is None and threads[0]["body_html"] is None
    assert ids(threads[0]["replies"]) == [reply.pk]


def test_held_comments_are_not_shown_to_their_author_either(
    client: Client, article: Article
) -> None:
    post_form(client, article, body="My held words")  # anonymous comments are held
    assert Comment.objects.get().status == Comment.Status.HELD
    assert client.get(comments_path(article)).json()["threads"] == []


def test_cursor_pages_are_stable_while_comments_arrive(client: Client, article: Article) -> None:
    originals = [make_comment(article, created_at=at(n)) for n in range(7)]
    url: str | None = comments_path(article) + "?limit=3"
    seen: list[int] = []
    while url:
        data = client.get(url).json()
        seen.extend(ids(data["threads"]))
        url = data["next"]
        # A new thread, and a reply to the first one (threads are paged whole).
        make_comment(article)
        make_comment(article, parent=originals[0])

    assert seen[: len(originals)] == [comment.pk for comment in originals]
    assert len(seen) == len(set(seen))


def test_comments_of_unknown_or_hidden_articles_are_not_found(
    client: Client, article: Article
) -> None:
    assert client.get("/api/v1/articles/nothing/comments").status_code == 404
    article.comments_mode = Article.Comments.HIDDEN
    article.save()
    response = client.get(comments_path(article))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "comments_off"


def test_queries_are_bounded(
    client: Client, article: Article, django_assert_max_num_queries: Any, no_page_cache: None
) -> None:
    for n in range(10):
        root = make_comment(article, created_at=at(n))
        make_comment(article, parent=make_comment(article, parent=root))

    with django_assert_max_num_queries(3):
        data = client.get(comments_path(article)).json()
    assert len(data["threads"]) == 10


def test_cached_comments_are_replaced_when_a_comment_is_published(
    client: Client, article: Article, settings: Any
) -> None:
    make_comment(article, created_at=at(1))
    client.get(comments_path(article))
    cached = client.get(comments_path(article))
    assert cached["X-Page-Cache"] == "hit"

    held = make_comment(article, created_at=at(2), status=Comment.Status.HELD)
    set_status(held, Comment.Status.PUBLISHED)

    fresh = client.get(comments_path(article))
    assert "X-Page-Cache" not in fresh
    assert held.pk in ids(fresh.json()["threads"])


def test_a_comment_posted_through_the_api_replaces_the_cached_list(
    client: Client, article: Article, settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    client.get(comments_path(article))
    assert client.get(comments_path(article))["X-Page-Cache"] == "hit"

    posted = post_json(Client(), comments_path(article), {"name": "Ann", "body": "Hello"}).json()

    fresh = client.get(comments_path(article))
    assert "X-Page-Cache" not in fresh
    assert ids(fresh.json()["threads"]) == [posted["id"]]
