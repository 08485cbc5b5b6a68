"""Another site can neither give nor withdraw a reader's consent.

The consent forms carry no CSRF token (pages with the notice stay shareable), so each
consent POST must show it comes from this site: by its Origin header, else Sec-Fetch-Site,
else the Referer (broadsheet/lib/origin.py). Anything else is refused with 403, and nothing
is recorded or set. Nadia is the reader (the plain `client`); the forger is evil.example.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.consent.models import ConsentRecord

from .helpers import CONSENT_COOKIE, choose, notice_of, set_cookie_headers

pytestmark = pytest.mark.django_db

ACTIONS = ["accept-all", "reject-all", "preferences"]
FORGED = {
    "other-origin": {"Origin": "https://evil.example"},
    "other-origin-with-our-referer": {
        "Origin": "https://evil.example",
        "Referer": "http://testserver/",
    },
    "no-origin-no-referer": {},
    "null-origin": {"Origin": "null"},
    "cross-site-fetch": {"Sec-Fetch-Site": "cross-site"},
    "same-site-sibling-fetch": {"Sec-Fetch-Site": "same-site"},
    "referer-from-elsewhere": {"Referer": "https://evil.example/page"},
    "referer-lookalike": {"Referer": "http://testserver.evil.example/"},
}
GENUINE = {
    "origin": {"Origin": "http://testserver"},
    "sec-fetch-site": {"Sec-Fetch-Site": "same-origin"},
    "referer": {"Referer": "http://testserver/articles/rents/"},
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("headers", FORGED.values(), ids=FORGED.keys())
def test_a_forged_choice_is_refused_and_leaves_nothing(
    client: Client, action: str, headers: dict[str, str]
) -> None:
    response = choose(client, action, {"statistics": "on"}, headers=headers)

    assert response.status_code == 403
    assert set_cookie_headers(response) == {}
    assert ConsentRecord.objects.count() == 0
    assert CONSENT_COOKIE not in client.cookies
    assert notice_of(client.get(reverse("publishing:home"))) is not None


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("headers", GENUINE.values(), ids=GENUINE.keys())
def test_a_choice_from_this_sites_pages_is_accepted(
    client: Client, action: str, headers: dict[str, str]
) -> None:
    response = choose(client, action, headers=headers)

    assert response.status_code == 302
    assert CONSENT_COOKIE in set_cookie_headers(response)
    assert ConsentRecord.objects.count() == 1


@pytest.mark.parametrize("action", ["reject-all", "preferences"])
@pytest.mark.parametrize("headers", FORGED.values(), ids=FORGED.keys())
def test_another_site_cannot_withdraw_a_readers_consent(
    client: Client, action: str, headers: dict[str, str]
) -> None:
    choose(client, "accept-all")
    client.get(reverse("publishing:home"))  # following the redirect shows the thank-you
    cookie_before = client.cookies[CONSENT_COOKIE].value

    response = choose(client, action, headers=headers)

    assert response.status_code == 403
    assert set_cookie_headers(response) == {}
    assert ConsentRecord.objects.count() == 1
    assert client.cookies[CONSENT_COOKIE].value == cookie_before
    assert notice_of(client.get(reverse("publishing:home"))) is None


def test_the_origin_must_match_the_scheme_of_the_request(client: Client) -> None:
    # A page served over HTTPS posting to the HTTP site is another origin.
    response = choose(client, "accept-all", headers={"Origin": "http://testserver"}, secure=True)

    assert response.status_code == 403
    assert ConsentRecord.objects.count() == 0


@pytest.mark.parametrize("action", ["accept-all", "reject-all"])
def test_a_link_or_an_image_cannot_give_consent(client: Client, action: str) -> None:
    response = client.get(reverse(f"consent:{action}"), headers={"Origin": "http://testserver"})

    assert response.status_code == 405
    assert set_cookie_headers(response) == {}
    assert ConsentRecord.objects.count() == 0


def test_the_json_path_is_guarded_too(client: Client) -> None:
    response = choose(
        client,
        "accept-all",
        headers={"Origin": "https://evil.example"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 403
    assert set_cookie_headers(response) == {}
    assert ConsentRecord.objects.count() == 0
