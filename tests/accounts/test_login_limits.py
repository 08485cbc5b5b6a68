"""Sign-in rate limits: failed attempts per login typed, attempts per client address, on the
readers' login page and the admin's alike. Over a limit the password is not checked, the
page answers 429 and says the same whether or not the account exists."""

from __future__ import annotations

import logging
import re
import time
from types import SimpleNamespace
from typing import Any
from unittest import mock

import django_ratelimit.core
import pytest
from django.test import Client, override_settings

from broadsheet.accounts.models import User
from tests.accounts.helpers import PASSWORD
from tests.helpers import UNREACHABLE_CACHE, make_user

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many sign-in attempts. Please wait a few minutes and try again."
WRONG = "That address (or username) and password don&#x27;t match an account."


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # One instant for the whole test, so no attempt falls into the next counting window.
    moment = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: moment))


def log_in(client: Client, login: str, password: str, path: str = "/accounts/login/") -> Any:
    return client.post(path, {"username": login, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@override_settings(LOGIN_RATE_LIMIT_ACCOUNT=(5, 600), LOGIN_RATE_LIMIT_ADDRESS=None)
def test_after_five_failures_even_the_right_password_is_refused(
    reader: User, caplog: pytest.LogCaptureFixture
) -> None:
    rita = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(5):
        response = log_in(rita, "rita@example.org", f"guess number {n}")
        assert response.status_code == 200
        assert WRONG in response.content.decode()

    with (
        mock.patch("django.contrib.auth.forms.authenticate") as authenticate,
        caplog.at_level(logging.WARNING, logger="broadsheet.accounts"),
    ):
        response = log_in(rita, "rita@example.org", PASSWORD)
    html = response.content.decode()

    assert response.status_code == 429
    assert TOO_MANY in html
    assert WRONG not in html
    assert "<h1>Log in</h1>" in html
    assert 'value="rita@example.org"' in html  # the typed login is kept, the password not
    assert PASSWORD not in html
    authenticate.assert_not_called()
    assert not signed_in(rita)
    [warning] = [r.getMessage() for r in caplog.records if r.name == "broadsheet.accounts.services"]
    assert warning.startswith("Sign-in refused at /accounts/login/: over the account limit")
    assert PASSWORD not in warning
    assert "rita" not in warning
    assert "203.0.113.5" not in warning


@override_settings(LOGIN_RATE_LIMIT_ACCOUNT=(5, 600), LOGIN_RATE_LIMIT_ADDRESS=None)
def test_the_login_is_counted_however_it_is_typed(reader: User) -> None:
    for login in ["rita@example.org", " Rita@Example.org", "RITA@EXAMPLE.ORG ", "rita@example.ORG"]:
        log_in(Client(), login, "wrong horse")
    log_in(Client(), "rita@example.org", "wrong horse")

    assert log_in(Client(), "Rita@example.org", PASSWORD).status_code == 429


@override_settings(LOGIN_RATE_LIMIT_ACCOUNT=(5, 600), LOGIN_RATE_LIMIT_ADDRESS=None)
def test_a_successful_login_does_not_count(reader: User) -> None:
    for _ in range(6):
        assert log_in(Client(), "rita", PASSWORD).status_code == 302
    for _ in range(4):
        log_in(Client(), "rita", "wrong horse")

    assert log_in(Client(), "rita", PASSWORD).status_code == 302


@override_settings(LOGIN_RATE_LIMIT_ACCOUNT=(5, 600), LOGIN_RATE_LIMIT_ADDRESS=(20, 600))
def test_another_account_from_another_address_still_signs_in(reader: User) -> None:
    make_user("bob", display_name="Bob Arkwright")
    guesser = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(5):
        log_in(guesser, "rita@example.org", "wrong horse")
    assert log_in(guesser, "rita@example.org", PASSWORD).status_code == 429

    bob = Client(REMOTE_ADDR="198.51.100.7")
    response = log_in(bob, "bob@example.org", PASSWORD)
    assert response.status_code == 302
    assert signed_in(bob)
    # The account's limit holds from every address, Rita's own included.
    assert log_in(Client(REMOTE_ADDR="192.0.2.44"), "rita", "wrong").status_code == 200
    assert log_in(Client(REMOTE_ADDR="192.0.2.44"), "rita@example.org", PASSWORD).status_code == (
        429
    )


@override_settings(LOGIN_RATE_LIMIT_ACCOUNT=None, LOGIN_RATE_LIMIT_ADDRESS=(3, 600))
def test_the_address_limit_counts_attempts_for_any_login(reader: User) -> None:
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for login in ["alice@example.org", "bob@example.org", "charlie"]:
        assert log_in(guesser, login, "password1").status_code == 200

    refused = log_in(guesser, "rita", PASSWORD)
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert not signed_in(guesser)
    # Rita, from her own address, is not held up by the guesser.
    rita = Client(REMOTE_ADDR="198.51.100.20")
    assert log_in(rita, "rita", PASSWORD).status_code == 302


@override_settings(
    LOGIN_RATE_LIMIT_ACCOUNT=None, LOGIN_RATE_LIMIT_ADDRESS=(2, 600), TRUSTED_PROXY_COUNT=1
)
def test_behind_a_proxy_the_forwarded_address_is_counted(reader: User) -> None:
    def via_proxy(client_address: str) -> Client:
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_address)

    for _ in range(2):
        log_in(via_proxy("203.0.113.9"), "rita", "wrong horse")

    assert log_in(via_proxy("203.0.113.9"), "rita", PASSWORD).status_code == 429
    assert log_in(via_proxy("198.51.100.20"), "rita", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "limits",
    [
        {"LOGIN_RATE_LIMIT_ACCOUNT": None, "LOGIN_RATE_LIMIT_ADDRESS": (50, 600)},
        {"LOGIN_RATE_LIMIT_ACCOUNT": (50, 600), "LOGIN_RATE_LIMIT_ADDRESS": None},
    ],
    ids=["account limit off", "address limit off"],
)
def test_an_empty_limit_is_no_limit(reader: User, limits: dict[str, Any]) -> None:
    # settings._rate() reads an empty LOGIN_RATE_LIMIT_* as None.
    client = Client(REMOTE_ADDR="203.0.113.5")
    with override_settings(**limits):
        for _ in range(8):
            assert log_in(client, "rita", "wrong horse").status_code == 200
    with override_settings(LOGIN_RATE_LIMIT_ACCOUNT=None, LOGIN_RATE_LIMIT_ADDRESS=None):
        assert log_in(client, "rita", PASSWORD).status_code == 302


@override_settings(LOGIN_RATE_LIMIT_ACCOUNT=(5, 600), LOGIN_RATE_LIMIT_ADDRESS=None)
def test_the_admin_login_is_limited_too(editor: User, caplog: pytest.LogCaptureFixture) -> None:
    edith = Client()
    for _ in range(5):
        response = log_in(edith, "edith", "wrong horse", path="/admin/login/")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    with caplog.at_level(logging.WARNING, logger="broadsheet.accounts"):
        response = log_in(edith, "edith", PASSWORD, path="/admin/login/?next=/admin/")
    html = response.content.decode()

    assert response.status_code == 429
    assert re.search(rf'<p class="errornote">\s*{re.escape(TOO_MANY)}\s*</p>', html)
    assert "Broadsheet admin" in html  # the admin's own login page
    assert 'value="edith"' in html
    assert not signed_in(edith)
    assert any(
        r.getMessage().startswith("Sign-in refused at /admin/login/") for r in caplog.records
    )


@override_settings(LOGIN_RATE_LIMIT_ACCOUNT=(5, 600), LOGIN_RATE_LIMIT_ADDRESS=None)
def test_both_login_pages_share_one_count(editor: User) -> None:
    for _ in range(3):
        log_in(Client(), "edith", "wrong horse")
    for _ in range(2):
        log_in(Client(), "edith", "wrong horse", path="/admin/login/")

    assert log_in(Client(), "edith", PASSWORD, path="/admin/login/").status_code == 429
    assert log_in(Client(), "edith", PASSWORD).status_code == 429


@override_settings(LOGIN_RATE_LIMIT_ACCOUNT=(5, 600), LOGIN_RATE_LIMIT_ADDRESS=(8, 600))
def test_the_refusal_is_the_same_for_existing_and_unknown_accounts(reader: User) -> None:
    def refusal(login: str, address: str) -> tuple[int, str]:
        client = Client(REMOTE_ADDR=address)
        for _ in range(5):
            log_in(client, login, "wrong horse")
        response = log_in(client, login, PASSWORD)
        html = response.content.decode().replace(login, "LOGIN")
        return response.status_code, re.sub(r'value="[^"]{64}"', 'value="CSRF"', html)

    existing = refusal("rita@example.org", "203.0.113.5")
    unknown = refusal("nobody@example.org", "198.51.100.7")

    assert existing[0] == unknown[0] == 429
    assert TOO_MANY in existing[1]
    assert existing == unknown


@override_settings(LOGIN_RATE_LIMIT_ACCOUNT=(1, 600), LOGIN_RATE_LIMIT_ADDRESS=(1, 600))
def test_signing_in_goes_on_when_the_cache_is_unreachable(
    reader: User, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        override_settings(CACHES=UNREACHABLE_CACHE),
        caplog.at_level(logging.WARNING, logger="broadsheet.accounts"),
    ):
        log_in(Client(), "rita", "wrong horse")
        response = log_in(Client(), "rita", PASSWORD)

    assert response.status_code == 302
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "Sign-in rate limit by address skipped: the cache failed." in warnings
