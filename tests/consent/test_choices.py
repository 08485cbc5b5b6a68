"""Giving, changing and withdrawing consent: "Accept all", "Reject all", the preferences
page, the JSON answer the notice's script uses, the consent cookie itself, the analytics
snippet, and the middleware that drops cookies set without consent.

Nadia is an anonymous visitor (the plain `client`). This module doubles as the URLconf for
the middleware tests: the consent routes plus a view that sets cookies it should not.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import Client
from django.urls import include, path, reverse

from broadsheet.consent.models import ConsentRecord, CookieCategory
from broadsheet.consent.services import COOKIE_SALT
from tests.helpers import make_article

from .helpers import (
    CONSENT_COOKIE,
    NECESSARY_COOKIES,
    OPTIONAL_CATEGORIES,
    choose,
    expired_cookies,
    notice_of,
    set_cookie_headers,
    stored_cookies,
)

pytestmark = pytest.mark.django_db

ANALYTICS = '<script src="/static/analytics/count.js" defer></script>'


def sets_cookies_regardless(request: HttpRequest) -> HttpResponse:
    """A view that forgot to ask: a preferences cookie and one no category declares."""
    response = HttpResponse("Saved.")
    response.set_cookie("broadsheet_commenter_details", "Nadia Holm")
    response.set_cookie("tracker", "abc123")
    return response


def notice_alone(request: HttpRequest) -> HttpResponse:
    """A page that shows the notice and touches neither the session nor the user."""
    return render(request, "consent/_notice.html")


urlpatterns = [
    path("", include("broadsheet.consent.urls")),
    path("careless/", sets_cookies_regardless),
    path("notice-alone/", notice_alone),
]


def categories_in_cookie(client: Client) -> list[str]:
    """The categories the reader's consent cookie carries (it is signed, not encrypted)."""
    data = signing.loads(client.cookies[CONSENT_COOKIE].value, salt=COOKIE_SALT)
    return list(data["c"])


# Reject all --------------------------------------------------------------------------------


def test_reject_all_goes_back_stores_only_the_choice_and_records_it(client: Client) -> None:
    article = make_article()

    response = choose(client, "reject-all", {"next": article.get_absolute_url()})

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert CONSENT_COOKIE in stored_cookies(response)
    assert stored_cookies(response) <= NECESSARY_COOKIES
    record = ConsentRecord.objects.get()
    assert record.action == ConsentRecord.Action.REJECT_ALL
    assert record.categories == []
    assert (
        str(record.consent_id)
        == signing.loads(client.cookies[CONSENT_COOKIE].value, salt=COOKIE_SALT)["id"]
    )

    page = client.get(article.get_absolute_url())
    assert notice_of(page) is None
    assert "Only strictly necessary cookies will be used." in page.content.decode()
    assert stored_cookies(page) <= NECESSARY_COOKIES


# Accept all, then withdraw ---------------------------------------------------------------


def test_accept_all_then_withdraw_on_the_preferences_page(client: Client) -> None:
    # A preferences cookie the site set earlier, under an earlier choice.
    client.cookies["broadsheet_commenter_details"] = "Nadia Holm|nadia.holm@example.net"

    accepted = choose(client, "accept-all")

    assert accepted.status_code == 302
    assert CONSENT_COOKIE in stored_cookies(accepted)
    assert sorted(categories_in_cookie(client)) == sorted(OPTIONAL_CATEGORIES)
    assert "broadsheet_commenter_details" not in expired_cookies(accepted)
    assert sorted(ConsentRecord.objects.get().categories) == sorted(OPTIONAL_CATEGORIES)
    page = client.get("/cookies/").content.decode()
    for key in OPTIONAL_CATEGORIES:
        assert re.search(rf'<input type="checkbox" name="{key}"[^>]* checked>', page), key

    # Every switch off, then "Save my choices": the form sends only `next`.
    withdrawn = client.post("/cookies/", {"next": "/"}, headers={"Origin": "http://testserver"})

    assert withdrawn.status_code == 302
    assert withdrawn["Location"] == "/"
    assert categories_in_cookie(client) == []
    assert "broadsheet_commenter_details" in expired_cookies(withdrawn)
    assert set_cookie_headers(withdrawn)["broadsheet_commenter_details"]["max-age"] == "0"
    assert "broadsheet_commenter_details" not in client.cookies or (
        client.cookies["broadsheet_commenter_details"].value == ""
    )
    latest = ConsentRecord.objects.order_by("-created_at", "-id").first()
    assert latest is not None
    assert (latest.action, latest.categories) == (ConsentRecord.Action.CHOOSE, [])
    status = client.get("/cookies/").content.decode()
    assert "Your current choice: strictly necessary cookies only." in status
    assert not re.search(r'<input type="checkbox" name="[^"]*"[^>]* checked>', status)


def test_withdrawing_works_when_the_form_sends_no_fields_at_all(client: Client) -> None:
    choose(client, "accept-all")

    response = client.post("/cookies/", headers={"Origin": "http://testserver"})

    assert response.status_code == 302
    assert response["Location"] == "/cookies/"
    assert categories_in_cookie(client) == []
    assert ConsentRecord.objects.filter(action=ConsentRecord.Action.CHOOSE).count() == 1


def test_reject_all_expires_cookies_of_categories_accepted_before(client: Client) -> None:
    choose(client, "accept-all")
    client.cookies["broadsheet_commenter_details"] = "Nadia Holm|nadia.holm@example.net"

    response = choose(client, "reject-all")

    assert "broadsheet_commenter_details" in expired_cookies(response)
    assert stored_cookies(response) <= NECESSARY_COOKIES


def test_one_readers_choices_share_one_consent_id(client: Client) -> None:
    choose(client, "accept-all")
    choose(client, "reject-all")
    choose(client, "preferences", {"statistics": "on"})

    assert ConsentRecord.objects.values("consent_id").distinct().count() == 1
    assert ConsentRecord.objects.count() == 3


# The preferences page ----------------------------------------------------------------------


def test_the_preferences_page_shows_each_category_with_a_switch_and_its_cookies(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        response = client.get("/cookies/")

    page = response.content.decode()
    for key, name in [
        ("preferences", "Preferences"),
        ("statistics", "Statistics"),
        ("external-media", "External media"),
    ]:
        switch = rf'<input type="checkbox" name="{key}" aria-describedby="id_{key}_helptext"'
        assert re.search(rf'{switch} id="id_{key}">', page), key
        assert f'<p id="id_{key}_helptext">' in page
        assert f'<label for="id_{key}">Allow {name.lower()}</label>' in page
        assert f"<legend>{name}</legend>" in page
    # Strictly necessary: shown, switched on, and not a choice the form sends.
    assert "<legend>Strictly necessary</legend>" in page
    assert '<input type="checkbox" id="category-necessary" checked disabled>' in page
    assert 'name="necessary"' not in page
    for cookie in ["sessionid", "csrftoken", "broadsheet_consent", "broadsheet_commenter_details"]:
        assert f"<tr><td><code>{cookie}</code></td>" in page
    assert "You have not made a choice yet" in page


def test_choosing_some_categories_keeps_exactly_those(client: Client) -> None:
    response = choose(
        client, "preferences", {"statistics": "on", "necessary": "on", "advertising": "on"}
    )

    assert response.status_code == 302
    assert categories_in_cookie(client) == ["statistics"]
    record = ConsentRecord.objects.get()
    assert (record.action, record.categories) == (ConsentRecord.Action.CHOOSE, ["statistics"])
    page = client.get("/cookies/").content.decode()
    assert re.search(r'<input type="checkbox" name="statistics"[^>]* checked>', page)
    assert not re.search(r'<input type="checkbox" name="preferences"[^>]* checked>', page)
    assert "Your current choice: Statistics accepted." in page


def test_choose_from_the_notice_comes_back_to_the_page(client: Client) -> None:
    article = make_article()
    choose_link = notice_of(client.get(article.get_absolute_url()))
    assert choose_link is not None

    page = client.get(choose_link.links["Choose"]).content.decode()
    assert f'<input type="hidden" name="next" value="{article.get_absolute_url()}">' in page

    response = choose(client, "preferences", {"next": article.get_absolute_url()})
    assert response["Location"] == article.get_absolute_url()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_a_choice_never_sends_the_reader_to_another_site(client: Client, target: str) -> None:
    response = choose(client, "reject-all", {"next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


# The script's answer and the cookie ------------------------------------------------------


def test_the_notice_script_gets_204_with_the_cookie_and_no_message(client: Client) -> None:
    response = choose(client, "accept-all", HTTP_ACCEPT="application/json")

    assert response.status_code == 204
    assert stored_cookies(response) == {CONSENT_COOKIE}
    assert ConsentRecord.objects.get().action == ConsentRecord.Action.ACCEPT_ALL


def test_the_consent_cookie_is_lax_httponly_and_not_secure_over_http(client: Client) -> None:
    cookie = set_cookie_headers(choose(client, "reject-all"))[CONSENT_COOKIE]

    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert not cookie["secure"]
    assert cookie["path"] == "/"


def test_the_consent_cookie_is_secure_under_https(client: Client) -> None:
    response = choose(client, "reject-all", headers={"Origin": "https://testserver"}, secure=True)

    cookie = set_cookie_headers(response)[CONSENT_COOKIE]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True


# Analytics ---------------------------------------------------------------------------------


@pytest.fixture
def analytics(settings: Any) -> None:
    settings.ANALYTICS_SCRIPT_URL = "/static/analytics/count.js"


@pytest.mark.usefixtures("analytics")
def test_the_analytics_script_only_runs_for_readers_who_accepted_statistics(
    client: Client,
) -> None:
    home = reverse("publishing:home")
    assert ANALYTICS not in client.get(home).content.decode()

    choose(client, "reject-all")
    assert ANALYTICS not in client.get(home).content.decode()

    choose(client, "preferences", {"preferences": "on", "external-media": "on"})
    assert ANALYTICS not in client.get(home).content.decode()

    choose(client, "preferences", {"statistics": "on"})
    assert ANALYTICS in client.get(home).content.decode()

    choose(client, "reject-all")
    assert ANALYTICS not in client.get(home).content.decode()


@pytest.mark.usefixtures("analytics")
def test_accept_all_runs_the_analytics_script(client: Client) -> None:
    choose(client, "accept-all")

    assert ANALYTICS in client.get(reverse("publishing:home")).content.decode()


# The middleware's safety net -------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_cookies_set_without_consent_are_dropped(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="broadsheet.consent.middleware"):
        response = client.get("/careless/")

    assert response.status_code == 200
    assert set_cookie_headers(response) == {}
    assert "Dropped cookie 'tracker': not declared in any cookie category" in caplog.text
    assert (
        "Dropped cookie 'broadsheet_commenter_details': the reader has not accepted "
        "'preferences'" in caplog.text
    )


@pytest.mark.urls(__name__)
def test_an_accepted_category_lets_its_cookies_through_and_undeclared_ones_never(
    client: Client,
) -> None:
    choose(client, "accept-all")

    response = client.get("/careless/")

    assert stored_cookies(response) == {"broadsheet_commenter_details"}


@pytest.mark.urls(__name__)
def test_a_category_the_site_adds_declares_its_cookies(client: Client) -> None:
    CookieCategory.objects.create(
        key="audience", name="Audience measurement", position=40,
        description="Tells us how many people come back.", cookies="tracker: counts visits",
    )  # fmt: skip
    choose(client, "preferences", {"preferences": "on"})
    assert stored_cookies(client.get("/careless/")) == {"broadsheet_commenter_details"}

    choose(client, "accept-all")

    assert stored_cookies(client.get("/careless/")) == {"broadsheet_commenter_details", "tracker"}
    assert "audience" in categories_in_cookie(client)


@pytest.mark.urls(__name__)
def test_any_html_page_varies_with_the_cookie_even_without_a_session(client: Client) -> None:
    # A shared cache may give the page with the notice to every first visitor, but must
    # never give one reader's page (no notice, perhaps the analytics script) to another.
    response = client.get("/notice-alone/")

    assert notice_of(response) is not None
    assert "Cookie" in response["Vary"]
