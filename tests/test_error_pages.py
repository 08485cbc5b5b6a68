"""Error pages readers see: 404 and 403 in the site's layout, and a plain 500 that tells
nothing about the failure.

This module doubles as the URLconf for the tests that need a failing view: the site's own
routes plus two that raise, so the error templates can still reverse the site's URLs.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from tests.helpers import make_article

pytestmark = pytest.mark.django_db


class NewsroomMeltdown(Exception):
    pass


def broken_view(request: HttpRequest) -> HttpResponse:
    raise NewsroomMeltdown("the printing press caught fire at 03:12")


def forbidden_view(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("test-only/broken/", broken_view),
    path("test-only/forbidden/", forbidden_view),
    path("", include("broadsheet.urls")),
]


@pytest.fixture
def failing_site(settings: Any, client: Client) -> Client:
    settings.ROOT_URLCONF = __name__
    # Return the 500 response as a browser would get it, instead of re-raising in the test.
    client.raise_request_exception = False
    return client


def assert_site_layout(html: str) -> None:
    assert '<p class="site-name"><a href="/">Broadsheet</a></p>' in html
    assert '<nav aria-label="Site">' in html
    assert '<a href="/archive/">Archive</a>' in html
    assert 'href="/static/broadsheet/site.css"' in html


def test_unknown_address_gets_the_sites_404_page(client: Client) -> None:
    response = client.get("/no/such/page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>Not found · Broadsheet</title>" in html
    assert "<h1>Page not found</h1>" in html
    assert_site_layout(html)


def test_missing_article_gets_the_same_404_page(client: Client) -> None:
    draft = make_article("Draft nobody should find", status="draft")

    response = client.get(draft.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert "Draft nobody should find" not in html
    assert_site_layout(html)


def test_forbidden_gets_the_sites_403_page(failing_site: Client) -> None:
    response = failing_site.get("/test-only/forbidden/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in html
    assert_site_layout(html)


def test_a_view_that_raises_gets_the_500_page_without_details(
    failing_site: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = failing_site.get("/test-only/broken/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in html
    assert 'href="/static/broadsheet/site.css"' in html
    assert '<a href="/">Go to the front page</a>' in html
    # Readers learn nothing of the failure; the log does.
    assert "printing press" not in html
    assert "NewsroomMeltdown" not in html
    assert "Traceback" not in html
    assert any("NewsroomMeltdown" in str(record.exc_info) for record in caplog.records)
