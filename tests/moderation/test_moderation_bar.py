"""Moderating on the article page: Morgan sees a compact bar under each comment and the
held comments inline, marked "Held"; Rita the reader, Edith the editor and anonymous
visitors see neither.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from broadsheet.discussion.models import Comment
from broadsheet.moderation.models import Ban, ModerationLogEntry
from broadsheet.publishing.models import Article
from tests.helpers import (
    Element,
    at,
    comments_section,
    held_comment,
    make_article,
    make_comment,
    page_of,
    shown_ids,
)

pytestmark = pytest.mark.django_db


def bar_of(response: HttpResponse, comment: Comment) -> Element | None:
    section = comments_section(response)
    assert section is not None
    shown = section.by_id(comment.anchor)
    assert shown is not None, f"comment {comment.pk} is not on the page"
    return shown.find("form", "moderation-bar")


def bar_buttons(response: HttpResponse, comment: Comment) -> list[str]:
    bar = bar_of(response, comment)
    assert bar is not None
    return [button.text for button in bar.find_all("button")]


def press(client: Client, response: HttpResponse, comment: Comment, action: str) -> HttpResponse:
    """Press a button of the comment's bar, sending the bar's fields as a browser would."""
    bar = bar_of(response, comment)
    assert bar is not None
    data = {i.attrs["name"]: i.attrs.get("value", "") for i in bar.find_all("input")}
    values = [button.attrs["value"] for button in bar.find_all("button")]
    assert action in values
    result: HttpResponse = client.post(bar.attrs["action"], {**data, "action": action})
    return result


def held_marks(response: HttpResponse) -> list[str]:
    section = comments_section(response)
    assert section is not None
    return [note.text for note in section.find_all("p", "held-mark")]


@pytest.fixture
def article() -> Article:
    return make_article()


def test_moderators_get_a_bar_on_each_comment(moderator_client: Client, article: Article) -> None:
    first = make_comment(article, created_at=at(1))
    reply = make_comment(article, parent=first, name="Quentin Adeyemi", created_at=at(2))

    response = moderator_client.get(article.get_absolute_url())

    for comment in (first, reply):
        assert bar_buttons(response, comment) == [
            f"Unpublish the comment by {comment.name}",
            f"Spam: mark the comment by {comment.name} as spam",
            f"Delete the comment by {comment.name}",
        ]
        bar = bar_of(response, comment)
        assert bar is not None
        assert bar.attrs["action"] == reverse("moderation:act")
        names = {i.attrs["name"] for i in bar.find_all("input")}
        assert names == {"csrfmiddlewaretoken", "next", "comments", "reason"}
        ban = [a for a in bar.find_all("a") if a.text.startswith("Ban…")]
        assert len(ban) == 1
        assert ban[0].attrs["href"].startswith(reverse("moderation:ban", args=[comment.pk]))
        # The reason box has a label, for people who cannot see the placeholder.
        labels = [label.attrs.get("for") for label in bar.find_all("label")]
        assert labels == [f"moderation-reason-{comment.pk}"]


@pytest.mark.parametrize("who", ["reader_client", "editor_client", "client"])
def test_no_bar_and_no_held_comments_for_anyone_else(
    request: pytest.FixtureRequest, article: Article, who: str
) -> None:
    published = make_comment(article, created_at=at(1))
    held = held_comment(article, created_at=at(2))
    browser: Client = request.getfixturevalue(who)

    response = browser.get(article.get_absolute_url())

    assert shown_ids(response) == [published.pk]
    assert bar_of(response, published) is None
    assert b"moderation-bar" not in response.content
    assert held_marks(response) == []
    assert browser.get(reverse("discussion:permalink", args=[held.pk])).status_code == 404


def test_moderators_see_held_comments_inline_marked_held(
    moderator_client: Client, article: Article
) -> None:
    published = make_comment(article, created_at=at(1))
    held_reply = held_comment(article, parent=published, name="Pavel Spamsky", created_at=at(2))
    held_alone = held_comment(article, created_at=at(3))
    make_comment(article, status=Comment.Status.SPAM, created_at=at(4))

    response = moderator_client.get(article.get_absolute_url())

    assert shown_ids(response) == [published.pk, held_reply.pk, held_alone.pk]
    assert held_marks(response) == ["Held for review: readers cannot see this comment."] * 2
    section = comments_section(response)
    assert section is not None
    for comment, held in ((published, False), (held_reply, True), (held_alone, True)):
        shown = section.by_id(comment.anchor)
        assert shown is not None
        assert ("comment-held" in shown.classes) is held
    # A held comment's bar approves instead of unpublishing.
    assert bar_buttons(response, held_reply)[0] == "Approve the comment by Pavel Spamsky"
    # The count is of published comments: what readers see.
    heading = section.by_id("comments-heading")
    assert heading is not None and heading.text == "Comments (1)"
    # Moderators can follow a held comment's permalink to where it is shown.
    permalink = moderator_client.get(reverse("discussion:permalink", args=[held_alone.pk]))
    assert permalink["Location"] == f"{article.get_absolute_url()}#{held_alone.anchor}"


def test_the_author_of_a_held_comment_who_moderates_sees_their_own_note(
    moderator_client: Client, article: Article
) -> None:
    # Posted from this browser: the author's note, not the moderators' mark.
    held = held_comment(article)
    session = moderator_client.session
    session["own_held_comments"] = [held.pk]
    session.save()
    response = moderator_client.get(article.get_absolute_url())
    section = comments_section(response)
    assert section is not None
    assert [p.text for p in section.find_all("p", "held-note")] == [
        "Your comment is waiting for a moderator. Only you can see it."
    ]


def test_marking_spam_from_the_bar_goes_back_to_the_article(
    moderator_client: Client, article: Article, client: Client
) -> None:
    comment = make_comment(article, body="Buy cheap watches at my shop.")
    page = moderator_client.get(article.get_absolute_url())

    response = press(moderator_client, page, comment, "spam")

    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#{comment.anchor}"
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM
    assert ModerationLogEntry.objects.filter(comment=comment, action="spam").exists()
    assert shown_ids(client.get(article.get_absolute_url())) == []
    after = moderator_client.get(response["Location"])
    assert [p.text for p in page_of(after).find_all("p", "message")] == [
        "Marked 1 comment as spam."
    ]


def test_approving_a_held_comment_from_the_bar_publishes_it(
    moderator_client: Client, article: Article, client: Client
) -> None:
    comment = held_comment(article)
    page = moderator_client.get(article.get_absolute_url())

    press(moderator_client, page, comment, "approve")

    assert shown_ids(client.get(article.get_absolute_url())) == [comment.pk]
    assert held_marks(moderator_client.get(article.get_absolute_url())) == []


def test_banning_from_the_bar_returns_to_the_article(
    moderator_client: Client, article: Article
) -> None:
    comment = make_comment(article, email="pavel@example.com")
    page = moderator_client.get(article.get_absolute_url())
    bar = bar_of(page, comment)
    assert bar is not None
    ban_link = next(a for a in bar.find_all("a") if a.text.startswith("Ban…"))

    form_page = moderator_client.get(ban_link.attrs["href"])
    assert form_page.status_code == 200
    form = page_of(form_page).find("form", "account-form")
    assert form is not None
    hidden = {
        i.attrs["name"]: i.attrs["value"]
        for i in form.find_all("input")
        if i.attrs.get("type") == "hidden"
    }
    response = moderator_client.post(form.attrs["action"], {**hidden, "expires": "30"})

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert Ban.objects.active().filter(kind=Ban.Kind.EMAIL, value="pavel@example.com").exists()


def test_the_article_page_takes_the_same_queries_with_the_bar_for_3_or_15_comments(
    moderator_client: Client, article: Article, django_assert_max_num_queries: Any
) -> None:
    for count in (3, 15):
        while Comment.objects.count() < count:
            n = Comment.objects.count()
            if n % 2:
                held_comment(article, created_at=at(n))
            else:
                make_comment(article, created_at=at(n))
        with django_assert_max_num_queries(14):
            response = moderator_client.get(article.get_absolute_url())
        assert len(shown_ids(response)) == count
