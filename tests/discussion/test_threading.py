"""Replies: the Reply link, the reply page that works without JavaScript, nesting on the
article page and the depth limit, where a reply to the deepest level joins that level."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import (
    SPAM_EVIDENCE,
    Element,
    at,
    comments_section,
    make_article,
    make_comment,
    page_of,
    post_form,
    reply_depth,
    shown_comments,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish_anonymous(settings: Any) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False


def _chain(article: Article, length: int) -> list[Comment]:
    """A top-level comment and replies below it, each answering the one before."""
    names = ["Priya Castellanos", "Ossian Brandt", "Hedda Lindqvist", "Tomasz Wren", "Ines Ferro"]
    chain = [
        make_comment(article, name=names[0], body="Where does the money go?", created_at=at(0))
    ]
    for depth in range(1, length):
        chain.append(
            make_comment(
                article,
                parent=chain[-1],
                name=names[depth],
                body=f"Answer number {depth}.",
                created_at=at(depth),
            )
        )
    return chain


def _reply_form(page: Element) -> Element:
    form = page.find("form", "comment-form")
    assert form is not None
    return form


def _input(form: Element, name: str) -> Element:
    found = [e for e in form.find_all("input") if e.attrs.get("name") == name]
    assert len(found) == 1, f"expected one input named {name}"
    return found[0]


# The Reply link and the reply page -----------------------------------------------------


def test_each_published_comment_links_to_its_reply_page(client: Client) -> None:
    article = make_article()
    chain = _chain(article, 2)

    response = client.get(article.get_absolute_url())

    links = [c.find("a", "reply-link") for c in shown_comments(response)]
    assert [link.attrs["href"] if link else None for link in links] == [
        f"/comment/{chain[0].pk}/reply/",
        f"/comment/{chain[1].pk}/reply/",
    ]


def test_reply_page_quotes_the_parent_and_carries_its_id(client: Client) -> None:
    article = make_article("Allotment waiting list reaches ten years")
    parent = make_comment(
        article, name="Priya Castellanos", body="Ten years is *optimistic*.", created_at=at(0)
    )

    response = client.get(f"/comment/{parent.pk}/reply/")

    assert response.status_code == 200
    page = page_of(response)
    h1 = page.find("h1")
    assert h1 is not None and h1.text == "Reply to Priya Castellanos"
    quote = page.find("blockquote", "quoted-comment")
    assert quote is not None
    submitted = quote.find("p", "submitted")
    assert submitted is not None
    assert (
        submitted.text == "Submitted by Priya Castellanos (not verified) on Mon, 11/03/2024 - 09:00"
    )
    body = quote.find("div", "comment-body")
    assert body is not None and body.text == "Ten years is optimistic."
    form = _reply_form(page)
    assert form.attrs["action"] == f"/articles/{article.slug}/comment/"
    parent_input = _input(form, "parent")
    assert parent_input.attrs["type"] == "hidden"
    assert parent_input.attrs["value"] == str(parent.pk)
    for field in ("name", "email", "homepage", "body"):
        assert [e for e in form.iter() if e.attrs.get("name") == field]
    assert article.get_absolute_url() in [a.attrs.get("href") for a in page.find_all("a")]


def test_reply_page_for_a_signed_in_reader_asks_only_for_the_comment(
    reader: User, reader_client: Client
) -> None:
    reader.email_confirmed_at = timezone.now()
    reader.save()
    article = make_article()
    parent = make_comment(article)

    form = _reply_form(page_of(reader_client.get(f"/comment/{parent.pk}/reply/")))

    names = {e.attrs.get("name") for e in form.iter() if e.tag in {"input", "textarea"}}
    assert names == {"csrfmiddlewaretoken", "parent", "body", "notify_replies", *SPAM_EVIDENCE}


def test_reply_page_tells_an_unconfirmed_account_to_confirm_first(
    reader_client: Client,
) -> None:
    article = make_article()
    parent = make_comment(article)

    response = reader_client.get(f"/comment/{parent.pk}/reply/")

    assert response.status_code == 200
    page = page_of(response)
    assert page.find("form", "comment-form") is None
    assert "Please confirm your e-mail address" in page.text


def test_replying_from_the_reply_page_without_javascript(
    client: Client, publish_anonymous: None
) -> None:
    article = make_article()
    parent = make_comment(article, name="Priya Castellanos", created_at=at(0))
    form = _reply_form(page_of(client.get(f"/comment/{parent.pk}/reply/")))

    response = post_form(
        client,
        article,
        name="Ossian Brandt",
        body="The council said the same in 2019.",
        parent=_input(form, "parent").attrs["value"],
    )

    reply = Comment.objects.get(name="Ossian Brandt")
    assert (reply.parent_id, reply.thread_id, reply.depth) == (parent.pk, parent.pk, 1)
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#{reply.anchor}"
    page = client.get(article.get_absolute_url())
    assert reply_depth(page, reply) == 1
    section = comments_section(page)
    assert section is not None
    parent_article = section.by_id(parent.anchor)
    assert parent_article is not None and parent_article.parent is not None
    replies = parent_article.parent.find("ol", "replies")
    assert replies is not None and replies.by_id(reply.anchor) is not None


@pytest.mark.parametrize(
    "status", [Comment.Status.HELD, Comment.Status.SPAM, Comment.Status.DELETED]
)
def test_no_reply_page_for_comments_readers_cannot_see(client: Client, status: str) -> None:
    article = make_article()
    hidden = make_comment(article, status=status)

    assert client.get(f"/comment/{hidden.pk}/reply/").status_code == 404
    assert client.get("/comment/999999/reply/").status_code == 404


def test_reply_page_of_a_closed_article_says_so(client: Client) -> None:
    article = make_article(comments_mode=Article.Comments.CLOSED)
    parent = make_comment(article)

    response = client.get(f"/comment/{parent.pk}/reply/")

    assert response.status_code == 403
    assert "Comments on this article are closed." in page_of(response).text
    assert page_of(response).find("form", "comment-form") is None


def test_replying_to_a_hidden_comment_is_refused(client: Client) -> None:
    article = make_article()
    spam = make_comment(article, status=Comment.Status.SPAM)

    response = post_form(client, article, parent=str(spam.pk))

    assert response.status_code == 404
    assert Comment.objects.filter(parent=spam).count() == 0


def test_no_reply_links_on_a_closed_article(client: Client) -> None:
    article = make_article(comments_mode=Article.Comments.CLOSED)
    _chain(article, 2)

    response = client.get(article.get_absolute_url())

    assert len(shown_comments(response)) == 2
    assert [c.find("a", "reply-link") for c in shown_comments(response)] == [None, None]


def test_reply_script_is_an_optional_enhancement(client: Client) -> None:
    article = make_article()
    make_comment(article)

    page = page_of(client.get(article.get_absolute_url()))

    scripts = [s for s in page.find_all("script") if "discussion/" in s.attrs.get("src", "")]
    assert [s.attrs["src"] for s in scripts] == ["/static/discussion/comments.js"]
    assert "defer" in scripts[0].attrs
    assert finders.find("discussion/comments.js") is not None
    # Without the script the link is an ordinary link to a working page.
    link = page.find("a", "reply-link")
    assert link is not None
    assert client.get(link.attrs["href"]).status_code == 200


# Nesting and the depth limit -----------------------------------------------------------


def test_replies_nest_in_reply_lists(client: Client) -> None:
    article = make_article()
    chain = _chain(article, 4)
    sibling = make_comment(article, parent=chain[0], name="Ines Ferro", created_at=at(10))
    other_thread = make_comment(article, name="Lars Oyelaran", created_at=at(20))

    response = client.get(article.get_absolute_url())

    assert [reply_depth(response, c) for c in chain] == [0, 1, 2, 3]
    assert reply_depth(response, sibling) == 1
    assert reply_depth(response, other_thread) == 0
    # Page order: the thread's replies in time order under their parents, then the next thread.
    assert [int(c.attrs["id"].split("-")[1]) for c in shown_comments(response)] == [
        chain[0].pk,
        chain[1].pk,
        chain[2].pk,
        chain[3].pk,
        sibling.pk,
        other_thread.pk,
    ]


@pytest.mark.parametrize(("max_depth", "chain_length"), [(4, 4), (2, 2), (3, 3)])
def test_reply_at_the_depth_limit_joins_its_parents_level(
    client: Client, settings: Any, publish_anonymous: None, max_depth: int, chain_length: int
) -> None:
    settings.COMMENT_MAX_DEPTH = max_depth
    article = make_article()
    chain = _chain(article, chain_length)
    deepest = chain[-1]
    assert deepest.depth == max_depth - 1

    post_form(client, article, name="Ines Ferro", body="Late to this.", parent=str(deepest.pk))

    reply = Comment.objects.get(name="Ines Ferro")
    assert reply.depth == max_depth - 1
    assert reply.parent_id == deepest.parent_id
    assert reply.thread_id == chain[0].pk
    response = client.get(article.get_absolute_url())
    assert reply_depth(response, reply) == reply_depth(response, deepest) == max_depth - 1


def test_reply_below_the_limit_goes_one_level_deeper(
    client: Client, publish_anonymous: None
) -> None:
    article = make_article()
    chain = _chain(article, 3)

    post_form(client, article, name="Ines Ferro", parent=str(chain[2].pk))

    reply = Comment.objects.get(name="Ines Ferro")
    assert (reply.parent_id, reply.depth, reply.thread_id) == (chain[2].pk, 3, chain[0].pk)


def test_held_reply_shows_nested_only_to_its_author(client: Client) -> None:
    article = make_article()
    parent = make_comment(article, name="Priya Castellanos", created_at=at(0))

    post_form(client, article, name="Ossian Brandt", body="Pending reply.", parent=str(parent.pk))

    reply = Comment.objects.get(name="Ossian Brandt")
    assert reply.status == Comment.Status.HELD
    own = client.get(article.get_absolute_url())
    assert reply_depth(own, reply) == 1
    assert len(shown_comments(Client().get(article.get_absolute_url()))) == 1
