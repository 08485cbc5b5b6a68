"""The profile: changing the display name (under the same rules as registering), the
address (confirmed again, the old link dead) and the password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.accounts.names import name_key
from broadsheet.accounts.services import confirmation_token
from tests.accounts.helpers import NEW_PASSWORD, PASSWORD, link_in
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

Deliver = Callable[[], list[EmailMessage]]


def save_profile(client: Client, **data: str) -> Any:
    fields = {"display_name": "Rita Campbell", "email": "rita@example.org", **data}
    return client.post("/accounts/profile/", fields)


def test_the_profile_needs_a_login(client: Client) -> None:
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"


def test_the_profile_shows_the_account_and_its_state(
    reader_client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):
        response = reader_client.get("/accounts/profile/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "site.css" in html
    assert 'value="Rita Campbell"' in html
    assert 'value="rita@example.org"' in html
    assert "is not confirmed yet" in html
    assert "Send a new link" in html


def test_a_reader_changes_their_display_name(reader_client: Client, reader: User) -> None:
    response = save_profile(reader_client, display_name="  Rita   C. ")
    assert response["Location"] == "/accounts/profile/"
    assert (
        "Your profile has been saved." in reader_client.get("/accounts/profile/").content.decode()
    )

    reader.refresh_from_db()
    assert reader.display_name == "Rita C."
    assert reader.display_name_key == name_key("Rita C.")


def test_saving_an_unchanged_profile_sends_nothing(
    reader_client: Client, reader: User, deliver: Deliver
) -> None:
    reader.email_confirmed_at = reader.date_joined
    reader.save()
    save_profile(reader_client)
    reader.refresh_from_db()
    assert reader.email_confirmed_at == reader.date_joined
    assert deliver() == []


@pytest.mark.parametrize("name", ["OSCAR NWOSU", "0scar Nwosu", "Osc\u0430r Nwosu"])
def test_a_rename_to_another_readers_name_is_refused(
    reader_client: Client, reader: User, name: str
) -> None:
    make_user("oscar", display_name="Oscar Nwosu")
    response = save_profile(reader_client, display_name=name)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone already uses this name" in html
    assert f'value="{name}"' in html
    reader.refresh_from_db()
    assert reader.display_name == "Rita Campbell"


@pytest.mark.parametrize("name", ["Edith Okafor", "Ed\u0456th Okafor", "EDITH"])
def test_a_rename_to_a_staff_name_is_refused(
    reader_client: Client, reader: User, editor: User, name: str
) -> None:
    response = save_profile(reader_client, display_name=name)

    html = response.content.decode()
    assert "too close to the name of a member of our staff" in html
    # The refused name is not shown as if it were saved anywhere else on the page.
    assert html.count(name) == 1
    reader.refresh_from_db()
    assert reader.display_name == "Rita Campbell"


def test_staff_keep_their_own_name(editor_client: Client, editor: User) -> None:
    response = save_profile(editor_client, display_name="EDITH OKAFOR", email="edith@example.org")
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.display_name == "EDITH OKAFOR"


def test_a_bidi_override_in_a_new_name_is_refused(reader_client: Client, reader: User) -> None:
    response = save_profile(reader_client, display_name="Rita \u202elleb")
    assert "change the direction of the text" in response.content.decode()


def test_changing_the_address_needs_the_current_password(
    reader_client: Client, reader: User, deliver: Deliver
) -> None:
    missing = save_profile(reader_client, email="rita.c@example.net")
    wrong = save_profile(reader_client, email="rita.c@example.net", current_password="guess")

    assert "Enter your password to change the address." in missing.content.decode()
    assert "That is not your current password." in wrong.content.decode()
    assert 'value="rita.c@example.net"' in wrong.content.decode()
    assert "guess" not in wrong.content.decode()
    reader.refresh_from_db()
    assert reader.email == "rita@example.org"
    assert deliver() == []


def test_changing_the_address_asks_for_confirmation_again(
    reader_client: Client, reader: User, deliver: Deliver
) -> None:
    old_link = f"/accounts/confirm-email/{confirmation_token(reader)}/"
    reader.email_confirmed_at = reader.date_joined
    reader.save()

    response = save_profile(reader_client, email="rita.c@example.net", current_password=PASSWORD)
    assert response["Location"] == "/accounts/profile/"
    html = reader_client.get("/accounts/profile/").content.decode()
    assert "sent a confirmation link to rita.c@example.net" in html
    assert "is not confirmed yet" in html

    reader.refresh_from_db()
    assert reader.email == "rita.c@example.net"
    assert reader.email_confirmed_at is None
    assert not reader.can_comment_as_registered

    confirm, notice = deliver()
    assert confirm.to == ["rita.c@example.net"]
    assert notice.to == ["rita@example.org"]
    assert "changed from rita@example.org to rita.c@example.net" in str(notice.body)

    stale = reader_client.get(old_link)
    assert stale.status_code == 400
    assert "no longer on the account" in stale.content.decode()
    reader.refresh_from_db()
    assert reader.email_confirmed_at is None

    assert reader_client.get(link_in(confirm)).status_code == 200
    reader.refresh_from_db()
    assert reader.can_comment_as_registered


def test_an_address_of_another_account_is_refused(
    reader_client: Client, reader: User, editor: User
) -> None:
    response = save_profile(reader_client, email="EDITH@example.org", current_password=PASSWORD)
    assert "This address belongs to another account." in response.content.decode()
    reader.refresh_from_db()
    assert reader.email == "rita@example.org"


def test_resending_for_a_confirmed_address_sends_nothing(
    reader_client: Client, reader: User, deliver: Deliver
) -> None:
    reader.email_confirmed_at = reader.date_joined
    reader.save()
    response = reader_client.post("/accounts/confirm-email/resend/", follow=True)
    assert "already confirmed" in response.content.decode()
    assert deliver() == []


def test_resending_needs_a_login_and_a_post(client: Client, reader_client: Client) -> None:
    assert client.post("/accounts/confirm-email/resend/")["Location"].startswith("/accounts/login/")
    assert reader_client.get("/accounts/confirm-email/resend/").status_code == 405


def test_a_reader_changes_their_password(reader_client: Client, reader: User) -> None:
    page = reader_client.get("/accounts/password/")
    assert "<h1>Change your password</h1>" in page.content.decode()

    wrong = reader_client.post(
        "/accounts/password/",
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Your old password was entered incorrectly" in wrong.content.decode()

    response = reader_client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [("/accounts/profile/", 302)]
    assert "Your password has been changed." in response.content.decode()
    # Still logged in on this device, and only the new password works.
    assert response.context["user"] == reader
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    assert not reader.check_password(PASSWORD)


def test_the_password_page_needs_a_login(client: Client) -> None:
    response = client.get("/accounts/password/")
    assert response["Location"] == "/accounts/login/?next=/accounts/password/"
