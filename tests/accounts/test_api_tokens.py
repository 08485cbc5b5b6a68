"""Personal API tokens on the profile page: made with a name, shown once, listed by
prefix, stored hashed, revoked with a POST."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client

from broadsheet.accounts.models import ApiToken, User
from broadsheet.accounts.tokens import token_for
from tests.helpers import make_user

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'<code class="new-api-token">(bst_[0-9a-f]{8}_[\w-]+)</code>')


def create(client: Client, name: str = "Newsroom script") -> str:
    response = client.post("/accounts/tokens/", {"name": name})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = TOKEN.search(response.content.decode())
    assert match is not None
    return match.group(1)


def test_a_token_is_shown_once_and_stored_hashed(reader_client: Client, reader: User) -> None:
    raw = create(reader_client)
    token = ApiToken.objects.get(user=reader)
    assert token.name == "Newsroom script"
    assert raw.startswith(f"bst_{token.prefix}_")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    page = reader_client.get("/accounts/profile/").content.decode()
    assert raw not in page
    assert "Newsroom script" in page
    assert f"bst_{token.prefix}_…" in page
    assert "Never" in page


def test_a_token_needs_a_name(reader_client: Client) -> None:
    response = reader_client.post("/accounts/tokens/", {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_making_a_token_needs_a_login_and_a_post(client: Client, reader_client: Client) -> None:
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 302
    assert reader_client.get("/accounts/tokens/").status_code == 405
    assert not ApiToken.objects.exists()


def test_making_a_token_needs_the_csrf_token(reader: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_revoked_token_no_longer_works(reader_client: Client, reader: User) -> None:
    raw = create(reader_client)
    token = ApiToken.objects.get()
    assert token_for(raw) == token
    response = reader_client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "The token has been revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_for(raw) is None
    assert "Revoked" in reader_client.get("/accounts/profile/").content.decode()


def test_charlie_cannot_revoke_ritas_token(reader_client: Client) -> None:
    create(reader_client)
    token = ApiToken.objects.get()
    charlie = Client()
    charlie.force_login(make_user("charlie"))
    response = charlie.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "There is no such token to revoke." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Newsroom script" not in charlie.get("/accounts/profile/").content.decode()


def test_a_wrong_secret_with_a_real_prefix_is_refused(reader_client: Client) -> None:
    raw = create(reader_client)
    assert token_for(raw[:-2] + ("aa" if not raw.endswith("aa") else "bb")) is None
    assert token_for("bst_nothing") is None
    assert token_for("") is None


def test_last_used_is_written_at_most_once_a_minute(reader_client: Client) -> None:
    raw = create(reader_client)
    first = token_for(raw)
    assert first is not None and first.last_used_at is not None
    second = token_for(raw)
    assert second is not None and second.last_used_at == first.last_used_at
