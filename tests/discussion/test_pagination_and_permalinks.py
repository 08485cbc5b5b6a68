"""Comment pages and permalinks: threads are paged whole, in the configured order, and a
comment's permalink always leads to the page and anchor where it is shown now."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import set_status
from broadsheet.moderation.services import ensure_moderators_group
from broadsheet.publishing.models import Article
from tests.helpers import (
    at,
    comments_section,
    make_article,
    make_comment,
    make_user,
    page_of,
    post_form,
    shown_ids,
)

pytestmark = pytest.mark.django_db

NAMES = ["Priya Castellanos", "Ossian Brandt", "Hedda Lindqvist", "Tomasz Wren", "Ines Ferro"]


@pytest.fixture
def two_per_page(settings: Any) -> None:
    settings.COMMENTS_PER_PAGE = 2


@pytest.fixture
def article() -> Article:
    return make_article("Ferry fares double overnight")


@pytest.fixture
def threads(article: Article, two_per_page: None) -> list[Comment]:
    """Five top-level comments, one a minute, oldest first."""
    return [make_comment(article, name=name, created_at=at(n)) for n, name in enumerate(NAMES)]


def _page(client: Client, article: Article, number: int | None = None) -> Any:
    query = f"?page={number}" if number is not None else ""
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return response


def _nav_text(response: Any) -> str:
    section = comments_section(response)
    assert section is not None
    nav = section.find("nav", "pagination")
    return nav.text if nav else ""


def _pks(comments: list[Comment]) -> list[int]:
    return [c.pk for c in comments]


# Pages ---------------------------------------------------------------------------------


def test_threads_are_paged_oldest_first(
    client: Client, article: Article, threads: list[Comment]
) -> None:
    assert shown_ids(_page(client, article)) == _pks(threads[0:2])
    assert shown_ids(_page(client, article, 2)) == _pks(threads[2:4])
    assert shown_ids(_page(client, article, 3)) == _pks(threads[4:5])


def test_page_navigation_names_the_pages(
    client: Client, article: Article, threads: list[Comment]
) -> None:
    first, middle, last = (_page(client, article, n) for n in (1, 2, 3))

    assert _nav_text(first) == "Comments page 1 of 3 Later comments"
    assert _nav_text(middle) == "Earlier comments Comments page 2 of 3 Later comments"
    assert _nav_text(last) == "Earlier comments Comments page 3 of 3"
    section = comments_section(middle)
    assert section is not None
    links = {a.attrs["rel"]: a.attrs["href"] for a in section.find_all("a") if "rel" in a.attrs}
    assert links == {"prev": "?page=1#comments", "next": "?page=3#comments"}


def test_one_page_of_comments_has_no_navigation(client: Client, article: Article) -> None:
    make_comment(article)

    assert _nav_text(_page(client, article)) == ""


def test_newest_first_setting_reverses_the_threads(
    client: Client, article: Article, threads: list[Comment], settings: Any
) -> None:
    settings.COMMENTS_NEWEST_FIRST = True

    assert shown_ids(_page(client, article)) == [threads[4].pk, threads[3].pk]
    assert shown_ids(_page(client, article, 3)) == [threads[0].pk]


def test_replies_stay_on_their_threads_page(
    client: Client, article: Article, threads: list[Comment], settings: Any
) -> None:
    late_reply = make_comment(article, parent=threads[0], name="Lars Oyelaran", created_at=at(90))
    nested = make_comment(article, parent=late_reply, name="Ines Ferro", created_at=at(95))

    assert shown_ids(_page(client, article)) == [
        threads[0].pk,
        late_reply.pk,
        nested.pk,
        threads[1].pk,
    ]
    assert shown_ids(_page(client, article, 3)) == [threads[4].pk]

    settings.COMMENTS_NEWEST_FIRST = True
    # Threads go newest first; the replies inside a thread still read in order.
    assert shown_ids(_page(client, article, 3)) == [threads[0].pk, late_reply.pk, nested.pk]


def test_hidden_threads_take_no_place_on_a_page(
    client: Client, article: Article, threads: list[Comment]
) -> None:
    set_status(threads[1], Comment.Status.SPAM)
    set_status(threads[2], Comment.Status.HELD)

    assert shown_ids(_page(client, article)) == [threads[0].pk, threads[3].pk]
    assert shown_ids(_page(client, article, 2)) == [threads[4].pk]


@pytest.mark.parametrize(
    ("asked", "shown_page"), [("99", 3), ("0", 3), ("-1", 3), ("last", 1), ("2.5", 1)]
)
def test_a_page_number_out_of_range_shows_the_nearest_page(
    client: Client, article: Article, threads: list[Comment], asked: str, shown_page: int
) -> None:
    """Comment pages are part of the article page, so a bad number must not hide the
    article: too high or too low gives the last page, a non-number the first."""
    response = client.get(article.get_absolute_url() + f"?page={asked}")

    assert response.status_code == 200
    expected = {1: threads[0:2], 3: threads[4:5]}[shown_page]
    assert shown_ids(response) == _pks(expected)


def test_after_posting_the_reader_lands_on_the_new_comments_page(
    client: Client, article: Article, threads: list[Comment], settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False

    response = post_form(client, article, name="Lars Oyelaran", body="A sixth thread.")

    new = Comment.objects.get(name="Lars Oyelaran")
    assert response["Location"] == f"{article.get_absolute_url()}?page=3#{new.anchor}"
    assert shown_ids(client.get(response["Location"]))[-1] == new.pk


# Permalinks ----------------------------------------------------------------------------


def test_permalink_of_a_reply_leads_to_its_threads_page(
    client: Client, article: Article, threads: list[Comment]
) -> None:
    reply = make_comment(article, parent=threads[4], name="Lars Oyelaran", created_at=at(9))

    response = client.get(f"/comment/{reply.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}?page=3#comment-{reply.pk}"
    assert reply.pk in shown_ids(client.get(response["Location"]))


def test_permalink_on_the_first_page_has_no_page_number(
    client: Client, article: Article, threads: list[Comment]
) -> None:
    response = client.get(threads[1].get_absolute_url())

    assert response["Location"] == f"{article.get_absolute_url()}#comment-{threads[1].pk}"


def test_permalink_follows_newest_first(
    client: Client, article: Article, threads: list[Comment], settings: Any
) -> None:
    settings.COMMENTS_NEWEST_FIRST = True

    assert client.get(threads[4].get_absolute_url())["Location"].endswith(
        f"/#comment-{threads[4].pk}"
    )
    assert client.get(threads[0].get_absolute_url())["Location"].endswith(
        f"/?page=3#comment-{threads[0].pk}"
    )


def test_permalink_moves_up_when_older_threads_are_removed(
    client: Client, article: Article, threads: list[Comment]
) -> None:
    reply = make_comment(article, parent=threads[4], name="Lars Oyelaran", created_at=at(9))
    url = article.get_absolute_url()

    set_status(threads[0], Comment.Status.DELETED)
    assert client.get(reply.get_absolute_url())["Location"] == f"{url}?page=2#{reply.anchor}"
    assert reply.pk in shown_ids(client.get(f"{url}?page=2"))

    Comment.objects.filter(thread__in=[threads[1], threads[2]]).delete()
    assert client.get(reply.get_absolute_url())["Location"] == f"{url}#{reply.anchor}"
    assert shown_ids(client.get(url)) == [threads[3].pk, threads[4].pk, reply.pk]


def test_a_removed_comment_with_replies_keeps_its_threads_place(
    client: Client, article: Article, threads: list[Comment]
) -> None:
    kept = make_comment(article, parent=threads[0], name="Lars Oyelaran", created_at=at(9))
    last = threads[4]

    set_status(threads[0], Comment.Status.DELETED)

    assert client.get(last.get_absolute_url())["Location"].endswith(f"?page=3#{last.anchor}")
    assert client.get(kept.get_absolute_url())["Location"].endswith(f"/#{kept.anchor}")


@pytest.mark.parametrize(
    "status", [Comment.Status.HELD, Comment.Status.SPAM, Comment.Status.DELETED]
)
def test_permalink_of_a_comment_readers_cannot_see_is_404(
    client: Client, reader_client: Client, article: Article, status: str
) -> None:
    comment = make_comment(article, status=status)

    assert client.get(comment.get_absolute_url()).status_code == 404
    assert reader_client.get(comment.get_absolute_url()).status_code == 404


def test_permalink_of_a_held_comment_works_for_its_author_only(
    client: Client, article: Article, threads: list[Comment]
) -> None:
    post_form(client, article, name="Lars Oyelaran", body="Waiting for approval.")
    held = Comment.objects.get(name="Lars Oyelaran")
    assert held.status == Comment.Status.HELD

    own = client.get(held.get_absolute_url())

    assert own.status_code == 302
    assert own["Location"] == f"{article.get_absolute_url()}?page=3#{held.anchor}"
    assert held.pk in shown_ids(client.get(own["Location"]))
    assert Client().get(held.get_absolute_url()).status_code == 404


def test_permalink_on_a_hidden_or_closed_article(client: Client) -> None:
    closed = make_article("Pier repairs", comments_mode=Article.Comments.CLOSED)
    hidden = make_article("Pier closure", comments_mode=Article.Comments.HIDDEN)
    on_closed, on_hidden = make_comment(closed), make_comment(hidden)

    assert client.get(on_closed.get_absolute_url())["Location"] == (
        f"{closed.get_absolute_url()}#{on_closed.anchor}"
    )
    assert client.get(on_hidden.get_absolute_url()).status_code == 404
    assert client.get("/comment/424242/").status_code == 404


def test_permalink_on_an_unpublished_article_is_404(client: Client) -> None:
    article = make_article(status=Article.Status.DRAFT)
    comment = make_comment(article)

    assert client.get(comment.get_absolute_url()).status_code == 404


def _shown_by_page(browser: Client, article: Article) -> dict[int, int]:
    """Each comment shown on the article's comment pages, with the page it is on."""
    first = _page(browser, article)
    nav = _nav_text(first)
    pages = int(nav.split(" of ")[1].split()[0]) if nav else 1
    shown = {pk: 1 for pk in shown_ids(first)}
    for number in range(2, pages + 1):
        shown.update((pk, number) for pk in shown_ids(_page(browser, article, number)))
    return shown


@pytest.mark.parametrize("visitor", ["reader", "its author", "moderator"])
def test_every_shown_comment_is_on_the_page_its_permalink_names(
    client: Client, article: Article, two_per_page: None, visitor: str
) -> None:
    """Which threads a page lists and which page a permalink names are asked separately
    (access.threads_page(), access.page_number_of()); both count the same threads: those
    with a first comment the visitor may see, or a reply they may see below a first
    comment they may not."""
    shown_whole = make_comment(article, name="Priya Castellanos", created_at=at(0))
    removed_root = make_comment(article, name="Ossian Brandt", created_at=at(1))
    kept_reply = make_comment(article, parent=removed_root, name="Tomasz Wren", created_at=at(2))
    set_status(removed_root, Comment.Status.DELETED)
    held_root = make_comment(article, name="Hedda Lindqvist", created_at=at(3))
    reply_to_held = make_comment(article, parent=held_root, name="Ines Ferro", created_at=at(4))
    set_status(held_root, Comment.Status.HELD)
    spam = make_comment(article, name="Cheap Watches", status=Comment.Status.SPAM, created_at=at(5))
    last = make_comment(article, name="Ines Ferro", created_at=at(90))
    post_form(client, article, name="Lars Oyelaran", body="Held, and mine.")  # now: after all
    own_held = Comment.objects.get(name="Lars Oyelaran")
    browser = {"reader": Client(), "its author": client, "moderator": Client()}[visitor]
    if visitor == "moderator":
        moderator = make_user("mo", display_name="Morgan Osei")
        moderator.groups.add(ensure_moderators_group())
        browser.force_login(moderator)

    shown = _shown_by_page(browser, article)

    expected = [shown_whole, kept_reply, reply_to_held, last, own_held]
    if visitor == "moderator":
        expected[2:2] = [held_root]
    elif visitor == "reader":
        expected.remove(own_held)
    assert list(shown) == _pks(expected)
    assert spam.pk not in shown and removed_root.pk not in shown
    for pk, number in shown.items():
        location = browser.get(f"/comment/{pk}/")["Location"]
        query = f"?page={number}" if number > 1 else ""
        assert location == f"{article.get_absolute_url()}{query}#comment-{pk}", pk


def test_own_comments_page_links_only_published_comments_by_permalink(
    reader: User, reader_client: Client, article: Article
) -> None:
    published = make_comment(article, user=reader, name=reader.public_name, created_at=at(0))
    held = make_comment(
        article, user=reader, name=reader.public_name, status=Comment.Status.HELD, created_at=at(1)
    )

    page = page_of(reader_client.get("/account/comments/"))

    headings = [h.find("a") for h in page.find_all("h2")]
    hrefs = [a.attrs["href"] for a in headings if a is not None]
    assert hrefs == [article.get_absolute_url(), published.get_absolute_url()]
    # The held comment's permalink would be a 404 in any browser it was not posted from.
    assert reader_client.get(held.get_absolute_url()).status_code == 404
