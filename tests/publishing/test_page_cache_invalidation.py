"""The page cache serves anonymous readers stored pages, and every change a page shows
makes it stale before the change's request returns: articles published, edited and
unpublished; comments published, edited, moderated and erased; bylines and topics renamed;
a scheduled article's time coming."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import edit_comment, refresh_comment_count
from broadsheet.moderation.services import ensure_moderators_group, moderate
from broadsheet.publishing.models import Article, Author, Topic
from broadsheet.publishing.services import publish_now, set_bylines, unpublish
from broadsheet.rights.services import erase_commenter
from tests.helpers import make_article, make_author, make_comment, make_topic, make_user

pytestmark = pytest.mark.django_db


def cached_get(client: Client, path: str) -> str:
    """GET a page twice and check the second came from the page cache; its HTML."""
    first = client.get(path)
    assert first.status_code == 200
    second = client.get(path)
    assert second.headers.get("X-Page-Cache") == "hit", f"{path} should be cached"
    assert second.content == first.content
    return second.content.decode()


def fresh(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.headers.get("X-Page-Cache") != "hit", f"{path} is stale"
    return response


@pytest.fixture
def author() -> Author:
    return make_author("Ada Reyes", slug="ada-reyes")


@pytest.fixture
def topic() -> Topic:
    return make_topic("Housing", slug="housing")


@pytest.fixture
def article(author: Author, topic: Topic) -> Article:
    return make_article("Tenants win repairs", authors=[author], topics=[topic], slug="repairs")


@pytest.fixture
def moderator() -> User:
    user = make_user("mo", display_name="Morgan Osei")
    user.groups.add(ensure_moderators_group())
    return user


PAGES = ["/", "/articles/repairs/", "/authors/ada-reyes/", "/topics/housing/", "/archive/"]


def test_an_edited_title_shows_on_every_page_at_once(client: Client, article: Article) -> None:
    for path in PAGES:
        assert "Tenants win repairs" in cached_get(client, path) or path == "/archive/"

    article.title = "Tenants win every repair"
    article.save()

    for path in ["/", "/articles/repairs/", "/authors/ada-reyes/", "/topics/housing/"]:
        assert "Tenants win every repair" in fresh(client, path).content.decode()


def test_publishing_and_unpublishing_change_the_lists(
    client: Client, article: Article, author: Author, topic: Topic, moderator: User
) -> None:
    draft = make_article(
        "Rent strike ends", status=Article.Status.DRAFT, authors=[author], topics=[topic]
    )
    for path in PAGES:
        assert "Rent strike ends" not in cached_get(client, path)

    publish_now(draft, moderator)
    for path in ["/", "/authors/ada-reyes/", "/topics/housing/"]:
        assert "Rent strike ends" in fresh(client, path).content.decode()
    cached_get(client, draft.get_absolute_url())

    unpublish(draft, moderator)
    assert client.get(draft.get_absolute_url()).status_code == 404
    for path in ["/", "/authors/ada-reyes/", "/topics/housing/"]:
        assert "Rent strike ends" not in fresh(client, path).content.decode()


def test_a_draft_edit_leaves_the_lists_cached(client: Client, article: Article) -> None:
    draft = make_article("Unfinished piece", status=Article.Status.DRAFT)
    cached_get(client, "/")

    draft.title = "Still unfinished"
    draft.save()

    assert client.get("/").headers.get("X-Page-Cache") == "hit"


def test_comments_published_edited_moderated_and_erased(
    client: Client, article: Article, moderator: User
) -> None:
    page = "/articles/repairs/"
    cached_get(client, page)
    cached_get(client, "/")

    rita = make_user("rita", display_name="Rita Campbell")
    comment = make_comment(article, user=rita, name="Rita Campbell", body="First words.")
    assert "First words." in fresh(client, page).content.decode()
    assert "1 comment" in fresh(client, "/").content.decode()

    cached_get(client, page)
    edit_comment(comment, "Second thoughts.")
    assert "Second thoughts." in fresh(client, page).content.decode()

    cached_get(client, page)
    moderate(comment, "unpublish", moderator)
    assert "Second thoughts." not in fresh(client, page).content.decode()

    moderate(comment, "approve", moderator)
    anonymous = make_comment(article, name="Sam Pike", email="sam@example.org", body="Mine.")
    assert "Mine." in cached_get(client, page)
    erase_commenter("sam@example.org", keep_bodies=False, actor=moderator)
    assert "Mine." not in fresh(client, page).content.decode()
    assert anonymous.pk in Comment.objects.values_list("pk", flat=True)


def test_a_comment_count_changed_in_bulk_still_invalidates(
    client: Client, article: Article
) -> None:
    comment = make_comment(article, body="Counted.")
    cached_get(client, "/")
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.SPAM)

    refresh_comment_count(article.pk)

    assert "1 comment" not in fresh(client, "/").content.decode()


def test_renamed_author_and_topic_show_at_once(
    client: Client, article: Article, author: Author, topic: Topic
) -> None:
    for path in PAGES[:4]:
        cached_get(client, path)

    author.name = "Ada Reyes-Lindqvist"
    author.save()
    for path in ["/", "/articles/repairs/", "/authors/ada-reyes/", "/topics/housing/"]:
        assert "Ada Reyes-Lindqvist" in fresh(client, path).content.decode()

    cached_get(client, "/articles/repairs/")
    topic.name = "Homes"
    topic.save()
    assert "Homes" in fresh(client, "/articles/repairs/").content.decode()
    assert "Homes" in fresh(client, "/topics/housing/").content.decode()


def test_a_changed_byline_shows_at_once(client: Client, article: Article) -> None:
    cached_get(client, "/articles/repairs/")

    set_bylines(article, [make_author("Bea Nakamura")])

    assert "Bea Nakamura" in fresh(client, "/articles/repairs/").content.decode()


def test_a_scheduled_article_appears_when_its_time_comes(client: Client, article: Article) -> None:
    make_article(
        "Embargoed results",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(minutes=5),
    )
    assert "Embargoed results" not in cached_get(client, "/")

    later = timezone.now() + dt.timedelta(minutes=6)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "Embargoed results" in fresh(client, "/").content.decode()


def test_a_change_during_a_render_keeps_that_render_out_of_the_cache(
    client: Client, article: Article
) -> None:
    from broadsheet import pagecache
    from broadsheet.publishing import views

    original = views.article_context

    def context_then_a_change(*args: Any, **kwargs: Any) -> Any:
        context = original(*args, **kwargs)
        pagecache.changed("something-else")  # another request's change, mid-render
        return context

    with mock.patch.object(views, "article_context", context_then_a_change):
        client.get("/articles/repairs/")

    assert client.get("/articles/repairs/").headers.get("X-Page-Cache") != "hit"


FEEDS = ["/feed/", "/feed/atom/", "/topics/housing/feed/", "/authors/ada-reyes/feed/atom/"]


def test_feeds_are_cached_and_follow_their_articles(
    client: Client, article: Article, topic: Topic
) -> None:
    for path in FEEDS:
        cached_get(client, path)
    cached_get(client, "/articles/repairs/comments/feed/")

    article.title = "Tenants win, again"
    article.save()
    topic.name = "Homes and rents"
    topic.save()
    make_comment(article, body="A reply for the feed.")

    for path in FEEDS:
        body = fresh(client, path).content.decode()
        assert "Tenants win, again" in body
        assert "Homes and rents" in body
    assert (
        "A reply for the feed."
        in fresh(client, "/articles/repairs/comments/feed/").content.decode()
    )


def test_the_form_goes_when_comments_close_by_age(
    client: Client, article: Article, settings: Any
) -> None:
    settings.COMMENTS_CLOSE_AFTER_DAYS = 1
    article.published_at = timezone.now() - dt.timedelta(hours=23)
    article.save()
    assert 'id="add-comment"' in cached_get(client, "/articles/repairs/")

    later = timezone.now() + dt.timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert 'id="add-comment"' not in fresh(client, "/articles/repairs/").content.decode()


def test_the_submitters_new_name_shows_but_a_sign_in_changes_nothing(
    client: Client, article: Article
) -> None:
    desk = article.submitted_by
    cached_get(client, "/articles/repairs/")

    desk.save(update_fields=["last_login"])
    assert client.get("/articles/repairs/").headers.get("X-Page-Cache") == "hit"

    desk.display_name = "The News Desk"
    desk.save()
    assert "Submitted by The News Desk" in fresh(client, "/articles/repairs/").content.decode()
