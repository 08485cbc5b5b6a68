"""Logging in (by address or username) and out, and resetting a forgotten password without
telling anyone whether an address has an account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.test import Client

from broadsheet.accounts.models import User
from tests.accounts.helpers import NEW_PASSWORD, PASSWORD, link_in

pytestmark = pytest.mark.django_db

Deliver = Callable[[], list[EmailMessage]]


def logged_in_user_id(client: Client) -> Any:
    return client.session.get("_auth_user_id")


def test_the_login_page_shares_the_site_look(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "site.css" in html
    assert "<h1>Log in</h1>" in html
    assert 'href="/accounts/password-reset/"' in html


@pytest.mark.parametrize("login", ["rita@example.org", "Rita@Example.ORG", "rita"])
def test_a_reader_logs_in_with_address_or_username(
    client: Client, reader: User, login: str
) -> None:
    response = client.post("/accounts/login/", {"username": login, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == str(reader.pk)


def test_login_returns_to_the_page_asked_for(client: Client, reader: User) -> None:
    response = client.get("/accounts/profile/")
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"

    response = client.post(
        "/accounts/login/?next=/accounts/profile/",
        {"username": "rita@example.org", "password": PASSWORD, "next": "/accounts/profile/"},
    )
    assert response["Location"] == "/accounts/profile/"


def test_login_refuses_to_send_the_reader_to_another_site(client: Client, reader: User) -> None:
    response = client.post(
        "/accounts/login/",
        {"username": "rita", "password": PASSWORD, "next": "https://elsewhere.example/"},
    )
    assert response["Location"] == "/"


def test_a_wrong_password_keeps_the_address_but_not_the_password(
    client: Client, reader: User
) -> None:
    response = client.post(
        "/accounts/login/", {"username": "rita@example.org", "password": "wrong horse"}
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "That address (or username) and password don&#x27;t match an account." in html
    assert 'value="rita@example.org"' in html
    assert "wrong horse" not in html
    assert logged_in_user_id(client) is None


def test_a_deactivated_account_cannot_log_in(client: Client, reader: User) -> None:
    reader.is_active = False
    reader.save()
    response = client.post("/accounts/login/", {"username": "rita", "password": PASSWORD})
    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_logout_is_a_post(reader_client: Client, reader: User) -> None:
    assert reader_client.get("/accounts/logout/").status_code == 405
    assert logged_in_user_id(reader_client) == str(reader.pk)

    response = reader_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(reader_client) is None


def test_reset_for_known_and_unknown_addresses_looks_the_same(
    client: Client, reader: User, deliver: Deliver
) -> None:
    page = client.get("/accounts/password-reset/")
    assert page.status_code == 200
    assert "<h1>Reset your password</h1>" in page.content.decode()

    known = client.post("/accounts/password-reset/", {"email": "rita@example.org"}, follow=True)
    unknown = client.post("/accounts/password-reset/", {"email": "nobody@example.org"}, follow=True)

    assert (
        known.redirect_chain == unknown.redirect_chain == [("/accounts/password-reset/sent/", 302)]
    )
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert "If an account uses that address" in known.content.decode()
    [message] = deliver()
    assert message.to == ["rita@example.org"]
    assert message.subject == "Reset your password on Broadsheet"


def test_the_reset_link_sets_a_new_password_once(
    client: Client, reader: User, deliver: Deliver
) -> None:
    client.post("/accounts/password-reset/", {"email": "RITA@example.org"})
    link = link_in(deliver()[0])

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/accounts/password-reset/done/"
    assert "Your new password is set" in client.get(response["Location"]).content.decode()

    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    # The reset mail went to the address, so following it also confirms the address.
    assert reader.email_confirmed_at is not None

    again = client.get(link, follow=True)
    assert "The password reset link is not valid" in again.content.decode()
    assert client.login(username="rita", password=NEW_PASSWORD)
    assert not Client().login(username="rita", password=PASSWORD)


def test_a_mismatched_new_password_is_refused(
    client: Client, reader: User, deliver: Deliver
) -> None:
    client.post("/accounts/password-reset/", {"email": "rita@example.org"})
    form_page = client.get(link_in(deliver()[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": "not the same at all"},
    )
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)
