"""The 503 page itself, through the test client (no servers needed, so it runs in both
passes): an exception saying the database or the cache is unreachable gets the page
"briefly unavailable" with Retry-After; any other failure still gets the plain 500 page.

This module doubles as the URLconf: the site's routes plus views that fail.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

pytestmark = pytest.mark.django_db


class PressJam(Exception):
    pass


def failing(error: Exception) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        raise error

    return view


def wrapped_failure(request: HttpRequest) -> HttpResponse:
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError as error:
        raise RuntimeError("while saving the comment") from error


urlpatterns = [
    path("test-only/db-gone/", failing(OperationalError("server closed the connection"))),
    path("test-only/cache-gone/", failing(redis.ConnectionError("Connection refused"))),
    path("test-only/wrapped/", wrapped_failure),
    path("test-only/jam/", failing(PressJam("the press jammed"))),
    path("", include("broadsheet.urls")),
]
handler500 = "broadsheet.lib.outage.server_error"


@pytest.fixture
def failing_site(settings: Any, client: Client) -> Client:
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "path", ["/test-only/db-gone/", "/test-only/cache-gone/", "/test-only/wrapped/"]
)
def test_an_outage_gets_the_503_page(failing_site: Client, path: str) -> None:
    response = failing_site.get(path)

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    assert "<h1>The site is briefly unavailable</h1>" in html
    for leak in ("Traceback", "OperationalError", "InterfaceError", "Connection refused"):
        assert leak not in html


def test_any_other_failure_still_gets_the_500_page(failing_site: Client) -> None:
    response = failing_site.get("/test-only/jam/")

    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()
    assert "Retry-After" not in response


def test_the_site_uses_the_outage_handler() -> None:
    import broadsheet.urls

    assert broadsheet.urls.handler500 == "broadsheet.lib.outage.server_error"
