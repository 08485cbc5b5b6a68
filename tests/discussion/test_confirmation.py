"""Confirmed commenters: a visitor ticks "Confirm my address", follows the link we mail,
and from then on their comments from that browser with that address are verified.

Nadia confirms her address in her own browser; Tomasz is another visitor; "Nadia's phone"
is Nadia in a second browser, which has not been told anything.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import (
    NADIA,
    TOMASZ,
    FormPage,
    as_nadia,
    deliver_mail,
    make_article,
    post_comment,
)

# The mail worker commits each task and closes its database connection between tasks,
# as in production, which a test wrapped in one transaction cannot survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True)

COOKIE = "broadsheet_commenter"


def confirmation_path(message: mail.EmailMessage, site_url: str) -> str:
    match = re.search(re.escape(site_url) + r"(/comment/confirm/\S+/)", str(message.body))
    assert match, message.body
    return match.group(1)


@pytest.fixture
def article() -> Article:
    return make_article("Allotment waiting list reaches ten years")


def post_and_confirm(client: Client, article: Article, body: str, settings: Any) -> Comment:
    post_comment(client, article, **as_nadia(body, confirm_address="on"))
    deliver_mail()
    message = mail.outbox[-1]
    response = client.get(confirmation_path(message, settings.SITE_URL))
    assert response.status_code == 200
    return Comment.objects.get(body_source=body)


def test_ticking_confirm_mails_a_signed_link_that_verifies_and_publishes_the_comment(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    response = post_comment(
        client,
        article,
        **as_nadia("Ten years for a plot is absurd.", confirm_address="on"),
        follow=True,
    )
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    assert not comment.email_confirmed
    assert "We have e-mailed you a link to confirm your address." in response.content.decode()

    # Queued with the comment, sent only by the worker.
    assert mailoutbox == []
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    deliver_mail()
    [message] = mailoutbox
    assert message.to == [NADIA["email"]]
    assert message.subject == (
        "Confirm your address for your comment on “Allotment waiting list reaches ten years”"
    )
    assert message.body.startswith("Hello Nadia Holm,")
    path = confirmation_path(message, settings.SITE_URL)

    confirmed = client.get(path)

    assert confirmed.status_code == 200
    html = confirmed.content.decode()
    assert "Thank you: your address is confirmed" in html
    assert "now shows as verified and is published" in html
    comment.refresh_from_db()
    assert comment.email_confirmed
    assert comment.status == Comment.Status.PUBLISHED
    cookie = confirmed.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie.value != NADIA["email"]  # signed, not the bare address
    article.refresh_from_db()
    assert article.comment_count == 1

    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Ten years for a plot is absurd." in page
    assert "Submitted by Nadia Holm on" in page
    assert "(not verified)" not in page


def test_a_later_comment_from_the_same_browser_and_address_is_verified_at_once(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    post_and_confirm(client, article, "First, confirmed.", settings)
    mailoutbox.clear()

    response = post_comment(
        client, article, **as_nadia("Second, no link needed.", email="Nadia.Holm@Example.net")
    )

    second = Comment.objects.get(body_source="Second, no link needed.")
    assert second.email_confirmed
    assert second.status == Comment.Status.PUBLISHED
    assert "Your comment has been published." in client.get(response["Location"]).content.decode()
    deliver_mail()
    assert mailoutbox == []


def test_preview_in_the_confirmed_browser_shows_the_comment_as_verified(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    post_and_confirm(client, article, "First, confirmed.", settings)

    response = post_comment(client, article, preview="1", **as_nadia("How will it look?"))

    assert "Submitted by Nadia Holm</p>" in response.content.decode()


def test_another_address_in_the_confirmed_browser_is_not_verified(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    post_and_confirm(client, article, "First, confirmed.", settings)

    post_comment(client, article, **TOMASZ, body="Borrowing Nadia's laptop.")

    borrowed = Comment.objects.get(body_source="Borrowing Nadia's laptop.")
    assert not borrowed.email_confirmed
    assert borrowed.status == Comment.Status.HELD


def test_the_same_address_typed_in_another_browser_is_not_verified(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    post_and_confirm(client, article, "First, confirmed.", settings)
    nadias_phone = Client()

    post_comment(nadias_phone, article, **as_nadia("From my phone."))

    from_phone = Comment.objects.get(body_source="From my phone.")
    assert not from_phone.email_confirmed
    assert from_phone.status == Comment.Status.HELD


def test_a_forged_cookie_verifies_nothing(client: Client, article: Article) -> None:
    client.cookies[COOKIE] = NADIA["email"]

    post_comment(client, article, **as_nadia("Trust me."))

    comment = Comment.objects.get()
    assert not comment.email_confirmed
    assert comment.status == Comment.Status.HELD


def test_confirming_does_not_publish_when_the_site_holds_verified_commenters(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    settings.COMMENTS_PUBLISH_VERIFIED = False

    comment = post_and_confirm(client, article, "Hold me anyway.", settings)

    assert comment.email_confirmed
    assert comment.status == Comment.Status.HELD


def test_confirming_does_not_bring_back_a_comment_marked_as_spam(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    post_comment(client, article, **as_nadia("Cheap allotments here!", confirm_address="on"))
    Comment.objects.update(status=Comment.Status.SPAM)
    deliver_mail()

    client.get(confirmation_path(mailoutbox[0], settings.SITE_URL))

    assert Comment.objects.get().status == Comment.Status.SPAM


def test_confirm_needs_an_address(client: Client, article: Article) -> None:
    response = post_comment(
        client, article, **as_nadia("No address.", email="", confirm_address="on")
    )

    assert response.status_code == 400
    form = FormPage(response.content.decode())
    assert form.errors["email"] == ["Give your e-mail address to receive e-mail from us."]
    assert "confirm_address" in form.checked
    assert Comment.objects.count() == 0


def test_without_the_box_ticked_no_mail_is_queued(client: Client, article: Article) -> None:
    post_comment(client, article, **as_nadia("Just a comment."))

    assert DBTaskResult.objects.count() == 0


def test_a_comment_taken_for_spam_sends_no_confirmation_mail(
    client: Client, article: Article
) -> None:
    # Otherwise a bot could use the form to make the site mail any address it likes.
    post_comment(
        client, article, **as_nadia("Cheap watches here.", confirm_address="on", website="x")
    )

    assert Comment.objects.get().status == Comment.Status.SPAM
    assert DBTaskResult.objects.count() == 0


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda path: path.replace("/confirm/", "/confirm/x"), id="prefixed"),
        pytest.param(
            lambda path: path[:-2] + ("A" if path[-2] != "A" else "B") + "/",
            id="signature-changed",
        ),
        pytest.param(lambda path: "/comment/confirm/not-a-token/", id="made-up"),
    ],
)
def test_a_tampered_link_shows_a_friendly_400_page(
    client: Client,
    article: Article,
    mailoutbox: list[mail.EmailMessage],
    settings: Any,
    tamper: Any,
) -> None:
    post_comment(client, article, **as_nadia("Tamper with me.", confirm_address="on"))
    deliver_mail()

    response = client.get(tamper(confirmation_path(mailoutbox[0], settings.SITE_URL)))

    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>This link does not work</h1>" in html
    assert "Check that you copied the whole address from the e-mail." in html
    assert COOKIE not in response.cookies
    comment = Comment.objects.get()
    assert not comment.email_confirmed
    assert comment.status == Comment.Status.HELD


def test_a_link_for_another_comment_id_does_not_work(
    client: Client, article: Article, settings: Any
) -> None:
    post_comment(client, article, **as_nadia("Mine."))
    post_comment(Client(), article, **TOMASZ, body="Tomasz's.", confirm_address="on")
    nadias = Comment.objects.get(body_source="Mine.")
    # A link signed with some other key, naming Nadia's comment and address.
    forged = signing.dumps(
        {"c": nadias.pk, "e": NADIA["email"]},
        key="not-the-site-key",
        salt="broadsheet.discussion.confirm",
    )

    response = client.get(f"/comment/confirm/{forged}/")

    assert response.status_code == 400
    nadias.refresh_from_db()
    assert not nadias.email_confirmed


def test_an_expired_link_says_so(
    client: Client,
    article: Article,
    mailoutbox: list[mail.EmailMessage],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.COMMENT_CONFIRM_MAX_AGE_DAYS = 3
    post_comment(client, article, **as_nadia("Slow to read my mail.", confirm_address="on"))
    deliver_mail()
    path = confirmation_path(mailoutbox[0], settings.SITE_URL)
    real_time = time.time

    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 3 * 86400 + 60)
    late = client.get(path)
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 3 * 86400 - 60)
    in_time = Client().get(path)

    assert late.status_code == 400
    html = late.content.decode()
    assert "The confirmation link has expired." in html
    assert "Tick “Confirm my address” on your next comment to get a new one." in html
    assert COOKIE not in late.cookies
    assert in_time.status_code == 200


def test_the_message_mentions_the_link_only_when_one_was_sent(
    client: Client, article: Article, mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    first = post_comment(client, article, **as_nadia("Out at once.", confirm_address="on"))
    assert (
        "Your comment has been published. We have e-mailed you a link to confirm your address."
        in client.get(first["Location"]).content.decode()
    )
    deliver_mail()
    client.get(confirmation_path(mailoutbox[0], settings.SITE_URL))
    settings.COMMENTS_PUBLISH_VERIFIED = False

    second = post_comment(client, article, **as_nadia("Already proven.", confirm_address="on"))

    html = client.get(second["Location"]).content.decode()
    assert "will appear once a moderator has reviewed it." in html
    assert "We have e-mailed you a link" not in html
    deliver_mail()
    assert len(mailoutbox) == 1
