"""Registering: the form, the confirmation link and what it unlocks, and the names nobody
may take. Mail goes through the real queue and worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core import signing
from django.core.mail import EmailMessage
from django.test import Client

from broadsheet.accounts.models import User
from tests.accounts.helpers import PASSWORD, link_in
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

Deliver = Callable[[], list[EmailMessage]]


def register(client: Client, **overrides: str) -> Any:
    data = {
        "display_name": "Tomasz Wiśniewski",
        "email": "tomasz@example.net",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/accounts/register/", data)


def travel_days(monkeypatch: pytest.MonkeyPatch, days: float) -> None:
    """Move the clock the signing module reads forward by `days`."""
    later = time.time() + days * 86400
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: later))


def test_the_registration_page_shares_the_site_look(client: Client) -> None:
    response = client.get("/accounts/register/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<link rel="stylesheet"' in html and "site.css" in html  # base.html
    assert "<h1>Register</h1>" in html
    for name in ["display_name", "email", "password1", "password2"]:
        assert f'name="{name}"' in html


def test_registering_stores_an_account_that_cannot_yet_comment_as_registered(
    client: Client, deliver: Deliver
) -> None:
    response = register(client)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/sent/"
    assert "Check your inbox" in client.get(response["Location"]).content.decode()
    user = User.objects.get(email="tomasz@example.net")
    assert user.display_name == "Tomasz Wiśniewski"
    assert user.check_password(PASSWORD)
    assert user.is_active and user.email_confirmed_at is None
    assert not user.can_comment_as_registered
    assert not user.is_staff


def test_one_confirmation_mail_is_queued_and_its_link_confirms_the_address(
    client: Client, mailoutbox: list[EmailMessage], deliver: Deliver
) -> None:
    register(client)
    assert mailoutbox == []  # queued, not sent during the request

    [message] = deliver()
    assert message.to == ["tomasz@example.net"]
    assert message.subject == "Confirm your email address for Broadsheet"
    assert "Hello Tomasz Wiśniewski" in str(message.body)

    response = client.get(link_in(message))
    assert response.status_code == 200
    assert "Address confirmed" in response.content.decode()
    user = User.objects.get(email="tomasz@example.net")
    assert user.email_confirmed_at is not None
    assert user.can_comment_as_registered
    assert deliver() == [message]  # nothing else was queued


def test_following_the_link_twice_is_harmless(client: Client, deliver: Deliver) -> None:
    register(client)
    link = link_in(deliver()[0])
    client.get(link)
    confirmed_at = User.objects.get(email="tomasz@example.net").email_confirmed_at

    response = client.get(link)
    assert response.status_code == 200
    assert User.objects.get(email="tomasz@example.net").email_confirmed_at == confirmed_at


def test_a_tampered_link_is_refused_with_a_message(client: Client, deliver: Deliver) -> None:
    register(client)
    link = link_in(deliver()[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Sign a different account's number with a made-up key: the signature cannot match.
    forged = signing.dumps([1, "tomasz@example.net"], key="not the site key", salt="x")

    for bad in [link.replace(token, token[:-2] + "xx"), link.replace(token, forged)]:
        response = client.get(bad)
        assert response.status_code == 400
        assert "The confirmation link is not valid" in response.content.decode()
    assert User.objects.get(email="tomasz@example.net").email_confirmed_at is None


def test_a_link_for_another_purpose_is_refused(client: Client, reader: User) -> None:
    # Signed with the site's key, but not with the confirmation salt.
    token = signing.dumps([reader.pk, reader.email])
    response = client.get(f"/accounts/confirm-email/{token}/")
    assert response.status_code == 400
    reader.refresh_from_db()
    assert reader.email_confirmed_at is None


def test_an_expired_link_is_refused_and_a_new_one_can_be_sent(
    client: Client, deliver: Deliver, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ACCOUNT_CONFIRM_MAX_AGE_DAYS = 1
    register(client)
    old_link = link_in(deliver()[0])
    travel_days(monkeypatch, 1.5)

    response = client.get(old_link)
    html = response.content.decode()
    assert response.status_code == 400
    assert "The confirmation link has expired: links work for 1 day." in html
    assert "Log in</a> to get a new link" in html  # anonymous: no button, a way in

    user = User.objects.get(email="tomasz@example.net")
    assert user.email_confirmed_at is None
    client.force_login(user)
    html = client.get(old_link).content.decode()
    assert "Send a new link" in html
    assert "/accounts/confirm-email/resend/" in html

    response = client.post("/accounts/confirm-email/resend/", follow=True)
    assert "sent a new confirmation link to tomasz@example.net" in response.content.decode()
    new_message = deliver()[-1]
    assert new_message.to == ["tomasz@example.net"]
    assert client.get(link_in(new_message)).status_code == 200
    user.refresh_from_db()
    assert user.email_confirmed_at is not None


def test_the_link_lifetime_comes_from_the_setting(
    client: Client, deliver: Deliver, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ACCOUNT_CONFIRM_MAX_AGE_DAYS = 7
    register(client)
    link = link_in(deliver()[0])
    travel_days(monkeypatch, 6)
    assert client.get(link).status_code == 200


def test_form_errors_keep_what_was_typed_but_not_the_passwords(client: Client) -> None:
    response = register(client, password2="a different sentence entirely")
    html = response.content.decode()

    assert response.status_code == 200
    assert "The two password fields didn’t match." in html
    assert 'value="Tomasz Wiśniewski"' in html
    assert 'value="tomasz@example.net"' in html
    assert PASSWORD not in html
    assert not User.objects.filter(email="tomasz@example.net").exists()


def test_a_weak_password_is_refused(client: Client) -> None:
    response = register(client, password1="password", password2="password")
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(email="tomasz@example.net").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("rita campbell", "Someone already uses this name"),
        ("Rit\u0430 Campbell", "Someone already uses this name"),  # Cyrillic а
        ("R1ta Campbell", "Someone already uses this name"),
        ("Rita\u200b Campbell", "Remove the invisible characters"),
        ("Rita Camp\u202ebell", "change the direction of the text"),
    ],
)
def test_a_name_like_an_existing_one_is_refused(
    client: Client, reader: User, deliver: Deliver, name: str, message: str
) -> None:
    response = register(client, display_name=name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="tomasz@example.net").exists()
    assert deliver() == []


@pytest.mark.parametrize(
    "name",
    [
        "Edith Okafor",  # the editor's display name
        "EDITH  OKAFOR",
        "\u0415dith \u041ekafor",  # Cyrillic Е and О
        "Edith",  # her username
        "Ed1th",
    ],
)
def test_nobody_can_register_as_a_member_of_staff(client: Client, editor: User, name: str) -> None:
    response = register(client, display_name=name)

    assert response.status_code == 200
    assert "too close to the name of a member of our staff" in response.content.decode()
    assert not User.objects.filter(email="tomasz@example.net").exists()


def test_nobody_can_register_as_a_moderator(client: Client) -> None:
    moderator = make_user("moana", display_name="Moana Keller")
    moderator.groups.add(Group.objects.get(name="Moderators"))

    response = register(client, display_name="Moana Kel1er")
    assert "too close to the name of a member of our staff" in response.content.decode()


def test_an_address_with_an_account_gets_a_note_and_the_visitor_sees_the_same_page(
    client: Client, reader: User, deliver: Deliver
) -> None:
    fresh = register(client)
    taken = register(client, display_name="Someone Else", email="RITA@example.org")

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert User.objects.filter(email__iexact="rita@example.org").count() == 1
    assert not User.objects.filter(display_name="Someone Else").exists()
    confirm, note = deliver()
    assert confirm.to == ["tomasz@example.net"]
    assert note.to == ["rita@example.org"]
    assert note.subject == "You already have an account on Broadsheet"
    assert "/accounts/password-reset/" in str(note.body)


def test_a_logged_in_reader_is_sent_to_the_profile(reader_client: Client) -> None:
    response = reader_client.get("/accounts/register/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
