"""The consent notice on a first visit: what it offers, what the page stores and loads
before any choice, and when a choice stops counting (expiry, tampering).

Nadia is an anonymous visitor arriving for the first time (the plain `client`).
"""

from __future__ import annotations

import re
import time
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from broadsheet.consent.models import ConsentRecord, PolicyPage
from tests.helpers import make_article

from .helpers import (
    CONSENT_COOKIE,
    NECESSARY_COOKIES,
    choose,
    footer_of,
    notice_of,
    set_cookie_headers,
    stored_cookies,
)

pytestmark = pytest.mark.django_db


def test_a_first_visit_to_the_home_page_stores_nothing_optional_and_shows_the_notice(
    client: Client,
) -> None:
    make_article()

    response = client.get(reverse("publishing:home"))

    assert response.status_code == 200
    assert set(set_cookie_headers(response)) <= NECESSARY_COOKIES
    assert CONSENT_COOKIE not in set_cookie_headers(response)
    notice = notice_of(response)
    assert notice is not None
    assert notice.buttons == ["Accept all", "Reject all"]
    assert notice.form_actions == [reverse("consent:accept-all"), reverse("consent:reject-all")]
    assert notice.form_nexts == ["/", "/"]
    # "Choose" is the third control, a link to the preferences page styled like the buttons.
    assert notice.links["Choose"] == "/cookies/?next=%2F"
    assert re.search(r'<a class="[^"]*consent-button[^"]*" href="/cookies/', notice.html)
    assert notice.links["Cookie Policy"] == reverse("consent:cookie-policy")
    assert ConsentRecord.objects.count() == 0


def test_a_first_visit_to_an_article_stores_nothing_optional_and_comes_back_to_it(
    client: Client,
) -> None:
    article = make_article("Rents rise again on the estate")

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert set(set_cookie_headers(response)) <= NECESSARY_COOKIES
    notice = notice_of(response)
    assert notice is not None
    assert notice.buttons == ["Accept all", "Reject all"]
    assert notice.form_nexts == [article.get_absolute_url()] * 2
    assert notice.links["Choose"].startswith("/cookies/?next=%2Farticles%2F")


def test_the_notice_sits_in_the_page_after_the_content_and_closes_in_place_with_javascript(
    client: Client,
) -> None:
    page = client.get(reverse("publishing:home")).content.decode()

    # In the normal flow, after the main content and the footer: a reader (or a screen
    # reader) meets the article first, and nothing covers it or takes focus.
    assert page.index('<main id="main"') < page.index("data-consent-notice")
    assert page.index("</footer>") < page.index("data-consent-notice")
    assert 'role="dialog"' not in page and "aria-modal" not in page
    assert '<script src="/static/consent/notice.js" defer></script>' in page


def test_the_notice_returns_a_reader_to_the_same_page_with_its_query(client: Client) -> None:
    response = client.get(
        reverse("publishing:search"),
        {"q": "rent", "utm_source": "newsletter", "page": "2", "fbclid": "IwAR0"},
    )

    notice = notice_of(response)
    assert notice is not None
    # Search terms and page number kept; campaign and click identifiers not repeated.
    assert notice.form_nexts == ["/search/?q=rent&page=2"] * 2
    assert notice.links["Choose"] == "/cookies/?next=%2Fsearch%2F%3Fq%3Drent%26page%3D2"
    assert "utm_source" not in response.content.decode()
    assert "IwAR0" not in response.content.decode()

    answer = choose(client, "reject-all", {"next": notice.form_nexts[0]})
    assert answer.status_code == 302
    assert answer["Location"] == "/search/?q=rent&page=2"


def test_before_a_choice_pages_load_nothing_from_another_host(client: Client) -> None:
    article = make_article()
    fetched = r"<(?:script|img|iframe|source|video|audio|embed|object)\b[^>]*>"
    fetched_links = (
        r'<link\b[^>]*rel="(?:stylesheet|icon|preload|prefetch|preconnect|dns-prefetch'
        r'|modulepreload|manifest)"[^>]*>'
    )

    for url in [reverse("publishing:home"), article.get_absolute_url(), "/cookies/"]:
        page = client.get(url).content.decode()
        tags = re.findall(fetched, page) + re.findall(fetched_links, page)
        assert any("site.css" in tag for tag in tags)  # the check does see the page's loads
        for tag in tags:
            for address in re.findall(r'\s(?:src|href|data|srcset|poster)="([^"]*)"', tag):
                host = urlsplit(address).netloc
                assert host in {"", "testserver"}, f"{url} makes the browser fetch {tag}"


def test_ignoring_the_notice_is_no_consent(client: Client) -> None:
    article = make_article()

    for url in [reverse("publishing:home"), article.get_absolute_url(), "/cookies/"]:
        response = client.get(url)
        assert notice_of(response) is not None
        assert CONSENT_COOKIE not in set_cookie_headers(response)
    assert ConsentRecord.objects.count() == 0


def test_after_a_choice_the_notice_is_gone_from_every_page(client: Client) -> None:
    article = make_article()
    choose(client, "reject-all")

    for url in [reverse("publishing:home"), article.get_absolute_url(), "/cookies/"]:
        assert notice_of(client.get(url)) is None


def test_every_page_links_to_the_cookie_preferences_and_the_policies(client: Client) -> None:
    article = make_article()
    PolicyPage.objects.create(
        kind=PolicyPage.Kind.TERMS, version=1, title="Terms", body_source="Be kind.",
        published_at=timezone.now(),
    )  # fmt: skip
    pages = [
        reverse("publishing:home"),
        article.get_absolute_url(),
        reverse("consent:preferences"),
        reverse("consent:terms"),
        "/no-such-page/",
    ]

    for url in pages:
        footer = footer_of(client.get(url))
        assert '<a href="/cookies/">Cookie preferences</a>' in footer, url
        assert '<a href="/privacy/">Privacy Policy</a>' in footer, url
        assert '<a href="/terms/">Terms &amp; Conditions</a>' in footer, url
        assert '<a href="/cookie-policy/">Cookie Policy</a>' in footer, url


def _choice_given_days_ago(client: Client, days: int) -> None:
    then = int(time.time()) - days * 24 * 60 * 60
    with mock.patch.object(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(then)
    ):
        choose(client, "accept-all")


@pytest.mark.parametrize(("days", "asked_again"), [(29, False), (31, True)])
def test_a_choice_older_than_the_maximum_age_counts_as_none(
    client: Client, settings: Any, days: int, asked_again: bool
) -> None:
    settings.CONSENT_MAX_AGE_DAYS = 30
    settings.ANALYTICS_SCRIPT_URL = "/static/analytics/count.js"
    _choice_given_days_ago(client, days)

    page = client.get(reverse("publishing:home"))

    assert (notice_of(page) is not None) is asked_again
    assert ("/static/analytics/count.js" in page.content.decode()) is not asked_again


def test_the_consent_cookie_lasts_as_long_as_the_choice(client: Client, settings: Any) -> None:
    settings.CONSENT_MAX_AGE_DAYS = 30

    cookie = set_cookie_headers(choose(client, "reject-all"))[CONSENT_COOKIE]

    assert cookie["max-age"] == str(30 * 24 * 60 * 60)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda value: value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), id="bad-signature"
        ),
        pytest.param(
            lambda value: signing.dumps(
                {"id": "x", "c": ["preferences", "statistics"], "v": 0, "t": time.time()},
                salt="another.purpose",
            ),
            id="signed-for-another-purpose",
        ),
        pytest.param(lambda value: '{"c": ["statistics"]}', id="unsigned"),
    ],
)
def test_a_tampered_consent_cookie_counts_as_none(
    client: Client, settings: Any, forge: Any
) -> None:
    settings.ANALYTICS_SCRIPT_URL = "/static/analytics/count.js"
    choose(client, "accept-all")
    client.cookies[CONSENT_COOKIE] = forge(client.cookies[CONSENT_COOKIE].value)

    page = client.get(reverse("publishing:home"))

    assert notice_of(page) is not None
    assert "/static/analytics/count.js" not in page.content.decode()
    assert stored_cookies(page) <= NECESSARY_COOKIES
