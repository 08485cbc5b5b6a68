"""Bans at posting time: a banned commenter's comment is stored as spam, and they are told
only what anyone with a held comment is told.

Nadia is an anonymous visitor, Rita a reader with a confirmed account, Morgan ("mo", from
conftest) the moderator who bans.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.access import OWN_HELD_SESSION_KEY
from broadsheet.discussion.models import Comment
from broadsheet.lib.addresses import address_hash
from broadsheet.moderation.models import Ban
from broadsheet.moderation.services import ban_commenter, lift_ban
from broadsheet.publishing.models import Article
from tests.helpers import TOMASZ, as_nadia, confirm_account, make_article, post_comment
from tests.moderation.helpers import HELD_MESSAGE, what_the_sender_sees

pytestmark = pytest.mark.django_db

NADIAS_ADDRESS = "203.0.113.50"


@pytest.fixture
def article() -> Article:
    return make_article("Residents object to the car park plan")


@pytest.fixture
def publish_anonymous(settings: Any) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False


def stored(body: str) -> Comment:
    return Comment.objects.get(body_source=body)


def own_held(client: Client) -> list[int]:
    return list(client.session.get(OWN_HELD_SESSION_KEY, []))


def test_a_banned_commenter_is_told_only_that_the_comment_was_received(
    article: Article, moderator: User
) -> None:
    nadia = Client(REMOTE_ADDR=NADIAS_ADDRESS)
    first = post_comment(nadia, article, **as_nadia("Scrap the car park."))
    told_first, first_shown = what_the_sender_sees(nadia, first)
    ban_commenter(stored("Scrap the car park."), moderator, reason="Abuse in earlier threads")

    again = post_comment(nadia, article, **as_nadia("Scrap it, I said."))

    comment = stored("Scrap it, I said.")
    assert comment.status == Comment.Status.SPAM
    assert comment.held_reasons == ["moderation-policy", "banned"]
    told_again, again_shown = what_the_sender_sees(nadia, again)
    assert told_again == told_first == [HELD_MESSAGE]
    assert first_shown and not again_shown
    assert comment.pk not in own_held(nadia)
    article.refresh_from_db()
    assert article.comment_count == 0


def test_a_ban_by_email_matches_whatever_the_case_and_wherever_they_post_from(
    article: Article, publish_anonymous: None
) -> None:
    Ban.objects.create(kind=Ban.Kind.EMAIL, value="nadia.holm@example.net")

    post_comment(Client(), article, **as_nadia("From home.", email="Nadia.Holm@Example.NET"))
    post_comment(Client(REMOTE_ADDR="198.51.100.7"), article, **as_nadia("From work."))
    post_comment(Client(), article, **TOMASZ, body="Same address, other person.")

    for body in ("From home.", "From work."):
        comment = stored(body)
        assert (comment.status, comment.held_reasons) == (Comment.Status.SPAM, ["banned"])
    assert stored("Same address, other person.").status == Comment.Status.PUBLISHED


def test_a_ban_by_address_hash_matches_any_name_and_email_from_that_address(
    article: Article, publish_anonymous: None
) -> None:
    Ban.objects.create(kind=Ban.Kind.ADDRESS, value=address_hash(NADIAS_ADDRESS))

    post_comment(Client(REMOTE_ADDR=NADIAS_ADDRESS), article, **TOMASZ, body="New name.")
    post_comment(Client(REMOTE_ADDR="198.51.100.7"), article, **as_nadia("Other address."))

    new_name = stored("New name.")
    assert (new_name.status, new_name.held_reasons) == (Comment.Status.SPAM, ["banned"])
    assert stored("Other address.").status == Comment.Status.PUBLISHED


@pytest.mark.parametrize(
    ("expires_in", "banned"),
    [
        (None, True),
        (dt.timedelta(days=1), True),
        (-dt.timedelta(minutes=1), False),
    ],
)
def test_a_ban_applies_until_it_expires(
    article: Article, publish_anonymous: None, expires_in: dt.timedelta | None, banned: bool
) -> None:
    expires_at = timezone.now() + expires_in if expires_in is not None else None
    Ban.objects.create(kind=Ban.Kind.EMAIL, value="nadia.holm@example.net", expires_at=expires_at)

    post_comment(Client(), article, **as_nadia("Am I still banned?"))

    comment = stored("Am I still banned?")
    if banned:
        assert (comment.status, comment.held_reasons) == (Comment.Status.SPAM, ["banned"])
    else:
        assert (comment.status, comment.held_reasons) == (Comment.Status.PUBLISHED, [])


def test_a_ban_made_after_a_post_applies_to_the_next(
    article: Article, publish_anonymous: None, moderator: User
) -> None:
    post_comment(Client(), article, **as_nadia("Before."))  # screening has read the bans
    Ban.objects.create(kind=Ban.Kind.EMAIL, value="nadia.holm@example.net")
    post_comment(Client(), article, **as_nadia("After."))

    assert stored("Before.").status == Comment.Status.PUBLISHED
    assert (stored("After.").status, stored("After.").held_reasons) == (
        Comment.Status.SPAM,
        ["banned"],
    )


def test_a_lifted_ban_no_longer_applies(
    article: Article, publish_anonymous: None, moderator: User
) -> None:
    ban = Ban.objects.create(kind=Ban.Kind.EMAIL, value="nadia.holm@example.net")
    post_comment(Client(), article, **as_nadia("Before."))
    lift_ban(ban, moderator, reason="Appealed")
    post_comment(Client(), article, **as_nadia("After."))

    assert stored("Before.").status == Comment.Status.SPAM
    assert (stored("After.").status, stored("After.").held_reasons) == (
        Comment.Status.PUBLISHED,
        [],
    )


def test_a_banned_reader_with_a_confirmed_account_is_stored_as_spam(
    article: Article, reader: User
) -> None:
    rita = Client()
    rita.force_login(confirm_account(reader))
    Ban.objects.create(kind=Ban.Kind.EMAIL, value=reader.email)

    response = post_comment(rita, article, body="I have an account, you know.")

    comment = stored("I have an account, you know.")
    assert (comment.status, comment.held_reasons) == (Comment.Status.SPAM, ["banned"])
    told, shown = what_the_sender_sees(rita, response)
    assert told == [HELD_MESSAGE]
    assert not shown
