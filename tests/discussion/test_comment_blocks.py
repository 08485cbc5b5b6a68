"""Comment blocks (discussion/comment_blocks.py): each comment's HTML is rendered once and
reused by every page and visitor that shows it, and a block is never shown once its
comment has changed, whichever way it changed: an edit, a new status, a new name, a
confirmed address, a raw UPDATE. What belongs to the visitor or the moment (the Edit link,
the Reply link, the held mark, the moderator's bar) is never stored with it.

The page cache is off where a test reads a page twice, so each read renders it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.discussion.access import ShownComment
from broadsheet.discussion.comment_blocks import BLOCKS, BlockStore, CommentBlock
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import confirmation_token, set_status
from broadsheet.publishing.models import Article
from broadsheet.rights.services import erase_comments
from tests.helpers import (
    body_of,
    make_article,
    make_comment,
    post_comment,
    shown_comments,
    shown_ids,
    submitted_lines,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_store(no_page_cache: None) -> Iterator[None]:
    BLOCKS.clear()
    yield
    BLOCKS.clear()


@pytest.fixture
def article() -> Article:
    return make_article("Ferry timetable changes from May")


@pytest.fixture
def three(article: Article) -> list[Comment]:
    first = make_comment(article, name="Ossian Brandt", body_source="The 7:40 is gone.")
    reply = make_comment(article, parent=first, name="Ines Ferro", body_source="And the 8:10.")
    last = make_comment(article, name="Tomasz Wren", body_source="Buses then.")
    return [first, reply, last]


def rendered_by(client: Client, url: str) -> tuple[Any, int]:
    """The response to `url`, and how many blocks rendering it made."""
    before = BLOCKS.rendered
    response = client.get(url)
    assert response.status_code == 200
    return response, BLOCKS.rendered - before


def threads_html(response: Any) -> str:
    """The comment list as sent (the form around it carries a new timestamp each time)."""
    page = response.content.decode()
    return page[page.index('<ol class="comment-list">') : page.index('<p class="feeds">')]


def test_a_second_render_uses_the_stored_blocks(
    client: Client, article: Article, three: list[Comment]
) -> None:
    url = article.get_absolute_url()
    first, made = rendered_by(client, url)
    assert made == 3
    again, made = rendered_by(client, url)
    assert made == 0
    assert threads_html(again) == threads_html(first)


def test_a_new_comment_costs_one_block(
    client: Client, article: Article, three: list[Comment]
) -> None:
    url = article.get_absolute_url()
    rendered_by(client, url)
    new = make_comment(article, parent=three[1], name="Hedda Lindqvist", body_source="Trains!")

    response, made = rendered_by(client, url)

    assert made == 1
    assert shown_ids(response) == [three[0].pk, three[1].pk, new.pk, three[2].pk]
    assert body_of(response, new).text.strip() == "Trains!"


def test_readers_with_other_rights_share_the_blocks_and_see_their_own_links(
    rita: Client, tomasz: Client, moderator_client: Client, article: Article, reader: Any
) -> None:
    ritas = make_comment(article, name="Rita Campbell", user=reader, body_source="Mine.")
    url = article.get_absolute_url()
    edit = f'<a href="{reverse("discussion:edit", args=[ritas.pk])}">Edit</a>'

    own, made = rendered_by(rita, url)
    others, made_again = rendered_by(tomasz, url)
    moderated, made_for_moderator = rendered_by(moderator_client, url)

    assert (made, made_again, made_for_moderator) == (1, 0, 0)
    assert edit in own.content.decode()
    assert edit not in others.content.decode()
    assert 'class="moderation-bar"' in moderated.content.decode()
    assert 'class="moderation-bar"' not in own.content.decode() + others.content.decode()


def test_an_edited_comment_is_shown_as_edited(
    rita: Client, tomasz: Client, article: Article
) -> None:
    post_comment(rita, article, body="The libary opens on Sundays.")
    comment = Comment.objects.get()
    url = article.get_absolute_url()
    rendered_by(tomasz, url)

    edit = rita.post(reverse("discussion:edit", args=[comment.pk]), {"body": "The library."})
    assert edit.status_code == 302

    response, made = rendered_by(tomasz, url)
    assert made == 1
    assert body_of(response, comment).text.strip() == "The library."
    assert submitted_lines(response)[0].endswith("(edited)")


@pytest.mark.parametrize("status", [Comment.Status.DELETED, Comment.Status.SPAM])
def test_a_comment_taken_down_is_not_shown_from_its_block(
    client: Client, article: Article, three: list[Comment], status: str
) -> None:
    url = article.get_absolute_url()
    rendered_by(client, url)

    set_status(three[0], status)

    response = client.get(url)
    assert shown_ids(response) == [three[1].pk, three[2].pk]
    assert "This comment has been removed." in response.content.decode()


def test_a_held_comment_leaves_readers_and_is_marked_for_moderators(
    client: Client, moderator_client: Client, article: Article, three: list[Comment]
) -> None:
    url = article.get_absolute_url()
    rendered_by(client, url)
    rendered_by(moderator_client, url)

    set_status(three[2], Comment.Status.HELD)

    assert shown_ids(client.get(url)) == [three[0].pk, three[1].pk]
    moderated = shown_comments(moderator_client.get(url))
    assert [c.attrs["class"] for c in moderated] == ["comment", "comment", "comment comment-held"]
    # Published again: the held mark goes, and readers see it once more.
    set_status(Comment.objects.get(pk=three[2].pk), Comment.Status.PUBLISHED)
    assert shown_ids(client.get(url)) == [c.pk for c in three]
    assert "comment-held" not in moderator_client.get(url).content.decode()


def test_an_erased_commenter_is_shown_under_the_new_name(
    client: Client, article: Article, three: list[Comment]
) -> None:
    Comment.objects.filter(pk=three[1].pk).update(homepage="https://ines.example.org/")
    url = article.get_absolute_url()
    assert "Ines Ferro" in client.get(url).content.decode()

    erase_comments(Comment.objects.filter(pk=three[1].pk), keep_bodies=True, actor=None)

    page = client.get(url).content.decode()
    assert "Ines Ferro" not in page and "ines.example.org" not in page
    assert body_of(client.get(url), three[1]).text.strip() == "And the 8:10."


def test_a_change_no_service_announced_still_replaces_the_block(
    client: Client, article: Article, three: list[Comment]
) -> None:
    """A raw UPDATE (a shell, a data migration): the block is checked against the row
    itself, not told of changes."""
    url = article.get_absolute_url()
    rendered_by(client, url)

    Comment.objects.filter(pk=three[0].pk).update(name="Ossian B.", body_html="<p>Changed.</p>")

    response, made = rendered_by(client, url)
    assert made == 1
    assert submitted_lines(response)[0].startswith("Submitted by Ossian B. (not verified)")
    assert body_of(response, three[0]).text.strip() == "Changed."


def test_a_confirmed_address_drops_the_not_verified_mark(client: Client, article: Article) -> None:
    comment = make_comment(article, name="Priya Castellanos", email="priya@example.net")
    url = article.get_absolute_url()
    assert "(not verified)" in submitted_lines(client.get(url))[0]

    client.get(reverse("discussion:confirm", args=[confirmation_token(comment)]))

    assert "(not verified)" not in submitted_lines(client.get(url))[0]


def test_the_reply_link_follows_the_comments_closing(
    client: Client, article: Article, three: list[Comment]
) -> None:
    url = article.get_absolute_url()
    assert client.get(url).content.decode().count('class="reply-link"') == 3

    Article.objects.filter(pk=article.pk).update(comments_mode=Article.Comments.CLOSED)

    response, made = rendered_by(client, url)
    assert made == 0
    assert 'class="reply-link"' not in response.content.decode()


def test_a_new_date_format_or_time_zone_renders_the_blocks_again(
    client: Client, article: Article, three: list[Comment], settings: Any
) -> None:
    url = article.get_absolute_url()
    rendered_by(client, url)

    settings.COMMENT_DATE_FORMAT = "Y-m-d"
    response, made = rendered_by(client, url)
    assert made == 3
    date = three[0].created_at.strftime("%Y-%m-%d")
    assert submitted_lines(response)[0].endswith(f"on {date}")

    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: no UTC hour shows the same time
    settings.COMMENT_DATE_FORMAT = "H:i"
    response, made = rendered_by(client, url)
    assert made == 3
    assert not submitted_lines(response)[0].endswith(f"on {three[0].created_at:%H:%M}")


# The store itself ----------------------------------------------------------------------


def _row(pk: int, name: str) -> ShownComment:
    return ShownComment(pk, pk, None, 0, "published", None, (pk, name), "default")


def _block(comment: ShownComment) -> CommentBlock:
    return CommentBlock("x" * 100, str(comment.values), "", "")


def test_the_store_keeps_blocks_up_to_its_size_dropping_the_least_recently_used() -> None:
    store = BlockStore(size=3 * 1100)  # room for three entries of about 1,000
    store.blocks("f", [_row(1, "a"), _row(2, "b"), _row(3, "c")], _block)
    store.blocks("f", [_row(1, "a")], _block)  # 1 is now the most recently used

    store.blocks("f", [_row(4, "d")], _block)

    assert len(store) == 3
    assert store.rendered == 4
    store.blocks("f", [_row(1, "a"), _row(3, "c"), _row(4, "d")], _block)
    assert store.rendered == 4  # 2 went, the others stayed
    store.blocks("f", [_row(2, "b")], _block)
    assert store.rendered == 5


def test_the_store_renders_again_for_a_changed_row_or_another_fingerprint() -> None:
    store = BlockStore()
    first = store.blocks("f", [_row(1, "a")], _block)[1]

    assert store.blocks("f", [_row(1, "a")], _block)[1] is first
    assert store.blocks("f", [_row(1, "A")], _block)[1].byline == str((1, "A"))
    assert store.blocks("g", [_row(1, "A")], _block)[1] is not first
    assert store.rendered == 3
    assert len(store) == 2  # the old row's block was replaced, not kept beside the new
