"""Reply notifications: a commenter who asked to hear about replies, and whose address is
proven, gets one e-mail when a reply to their comment is published, with a one-click
unsubscribe link. Mail goes through the queue, so a broken mail server loses nothing.

Rita has an account with a confirmed address; Nadia and Tomasz are visitors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.accounts.models import User
from broadsheet.discussion import services
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import TOMASZ, as_nadia, deliver_mail, make_article, post_comment

# The mail worker commits each task and closes its database connection between tasks,
# as in production, which a test wrapped in one transaction cannot survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Swimming pool to reopen in spring"


def queued_to() -> list[str]:
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    return [row.args_kwargs["kwargs"]["to"] for row in ready]


def link_in(message: mail.EmailMessage, site_url: str, kind: str) -> str:
    match = re.search(re.escape(site_url) + rf"(/comment/{kind}\S*)", str(message.body))
    assert match, message.body
    return match.group(1)


@pytest.fixture
def article() -> Article:
    return make_article(TITLE)


@pytest.fixture
def ritas_comment(rita: Client, article: Article) -> Comment:
    post_comment(rita, article, body="Will the learner pool open too?", notify_replies="on")
    comment = Comment.objects.get()
    assert comment.notify_replies and comment.is_published
    return comment


def reply_from_tomasz(article: Article, parent: Comment, body: str = "Yes, in May.") -> Comment:
    response = post_comment(Client(), article, **TOMASZ, body=body, parent=parent.pk)
    assert response.status_code == 302
    return Comment.objects.get(body_source=body)


def test_a_held_reply_sends_nothing_until_it_is_approved(
    article: Article, ritas_comment: Comment, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    reply = reply_from_tomasz(article, ritas_comment)
    assert reply.status == Comment.Status.HELD
    deliver_mail()
    assert mailoutbox == []

    services.set_status(reply, Comment.Status.PUBLISHED)
    deliver_mail()

    [message] = mailoutbox
    assert message.to == [ritas_comment.email]
    assert message.subject == f"Tomasz Wierzba replied to your comment on “{TITLE}”"
    assert message.body.startswith("Hello Rita Campbell,")
    assert "Yes, in May." in message.body
    permalink = link_in(message, settings.SITE_URL, str(reply.pk))
    assert permalink == f"/comment/{reply.pk}/"
    landing = Client().get(permalink)
    assert landing["Location"] == f"{article.get_absolute_url()}#comment-{reply.pk}"

    # Approving again (it is already published) sends nothing more.
    services.set_status(reply, Comment.Status.PUBLISHED)
    deliver_mail()
    assert len(mailoutbox) == 1

    # Nor does unpublishing it and approving it once more: one notice per reply.
    services.set_status(reply, Comment.Status.HELD)
    services.set_status(reply, Comment.Status.PUBLISHED)
    deliver_mail()
    assert len(mailoutbox) == 1


def test_a_reply_published_at_once_sends_one_mail(
    article: Article,
    ritas_comment: Comment,
    mailoutbox: list[mail.EmailMessage],
    settings: Any,
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False

    reply_from_tomasz(article, ritas_comment)
    deliver_mail()
    deliver_mail()

    assert [message.to for message in mailoutbox] == [[ritas_comment.email]]


def test_the_unsubscribe_link_works_in_one_click_and_stops_further_mail(
    article: Article,
    ritas_comment: Comment,
    mailoutbox: list[mail.EmailMessage],
    settings: Any,
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    reply_from_tomasz(article, ritas_comment)
    deliver_mail()
    [message] = mailoutbox
    unsubscribe = link_in(message, settings.SITE_URL, "unsubscribe")

    response = Client().get(unsubscribe)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>You are unsubscribed</h1>" in html
    assert TITLE in html
    ritas_comment.refresh_from_db()
    assert not ritas_comment.notify_replies

    reply_from_tomasz(article, ritas_comment, body="And the sauna in June.")
    deliver_mail()
    assert len(mailoutbox) == 1
    # Following the link again is harmless.
    assert Client().get(unsubscribe).status_code == 200


def test_a_made_up_unsubscribe_link_is_404(client: Client, ritas_comment: Comment) -> None:
    response = client.get(f"/comment/unsubscribe/{ritas_comment.pk}/")

    assert response.status_code == 404
    ritas_comment.refresh_from_db()
    assert ritas_comment.notify_replies


def test_no_mail_to_an_address_nobody_has_confirmed(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    # Anyone could type anyone's address into the form.
    post_comment(client, article, **as_nadia("Pool times, please.", notify_replies="on"))
    nadias = Comment.objects.get()
    assert nadias.notify_replies and not nadias.email_confirmed

    reply_from_tomasz(article, nadias)
    deliver_mail()

    assert mailoutbox == []


def test_a_visitor_who_confirmed_their_address_is_told_of_replies(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    post_comment(
        client,
        article,
        **as_nadia("Pool times, please.", notify_replies="on", confirm_address="on"),
    )
    deliver_mail()
    [confirmation] = mailoutbox
    assert client.get(link_in(confirmation, settings.SITE_URL, "confirm")).status_code == 200
    nadias = Comment.objects.get()

    reply_from_tomasz(article, nadias, body="Timetable is on the council site.")
    deliver_mail()

    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == [nadias.email]
    assert "Timetable is on the council site." in mailoutbox[1].body


def test_no_mail_without_asking(
    rita: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    post_comment(rita, article, body="Just saying.")

    reply_from_tomasz(article, Comment.objects.get())
    deliver_mail()

    assert mailoutbox == []


def test_no_mail_about_your_own_reply(
    rita: Client, article: Article, ritas_comment: Comment, mailoutbox: list[mail.EmailMessage]
) -> None:
    post_comment(rita, article, body="Answering myself: yes.", parent=ritas_comment.pk)

    assert Comment.objects.get(body_source="Answering myself: yes.").is_published
    deliver_mail()
    assert mailoutbox == []


def test_no_mail_about_your_own_reply_after_changing_your_address(
    rita: Client,
    reader: User,
    article: Article,
    ritas_comment: Comment,
    mailoutbox: list[mail.EmailMessage],
) -> None:
    reader.email = "rita.campbell@example.net"
    reader.save(update_fields=["email"])

    post_comment(rita, article, body="From my new address.", parent=ritas_comment.pk)

    reply = Comment.objects.get(body_source="From my new address.")
    assert reply.is_published and reply.email != ritas_comment.email
    deliver_mail()
    assert mailoutbox == []


def test_no_mail_about_a_reply_to_a_comment_that_is_no_longer_published(
    article: Article, ritas_comment: Comment, mailoutbox: list[mail.EmailMessage]
) -> None:
    reply = reply_from_tomasz(article, ritas_comment)
    services.set_status(ritas_comment, Comment.Status.DELETED)

    services.set_status(reply, Comment.Status.PUBLISHED)
    deliver_mail()

    assert mailoutbox == []


class DisconnectingServer(BaseEmailBackend):
    """A mail server that hangs up on every message."""

    def send_messages(self, email_messages: Sequence[mail.EmailMessage]) -> int:
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_that_is_down_loses_neither_the_comment_nor_the_mail(
    rita: Client,
    article: Article,
    ritas_comment: Comment,
    mailoutbox: list[mail.EmailMessage],
    settings: Any,
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    settings.EMAIL_BACKEND = f"{__name__}.DisconnectingServer"

    response = post_comment(
        Client(), article, **TOMASZ, body="Mail is down, the pool is not.", parent=ritas_comment.pk
    )

    reply = Comment.objects.get(body_source="Mail is down, the pool is not.")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    assert reply.is_published
    assert queued_to() == [ritas_comment.email]

    deliver_mail()

    assert mailoutbox == []
    [retry] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert retry.args_kwargs["kwargs"]["to"] == ritas_comment.email
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert "Mail is down, the pool is not." in retry.args_kwargs["kwargs"]["body"]
    assert (
        "Mail is down, the pool is not."
        in Client().get(article.get_absolute_url()).content.decode()
    )
