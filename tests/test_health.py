"""GET /healthz: whether the database and the cache answer, for a load balancer that asks
every second; it must answer (503) when either is down, and never from a cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client

from tests.helpers import UNREACHABLE_CACHE, default_database


def unreachable_database() -> Any:
    """The test database's engine, pointed where nothing answers."""
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        return default_database(NAME="/nonexistent-directory/broadsheet.sqlite3")
    return default_database(HOST="127.0.0.1", PORT=1)


def test_both_answering_is_200_and_costs_one_query(
    nadia: Client, db: None, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(1):
        response = nadia.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, CSRF or consent cookie


def test_it_is_never_served_from_the_page_cache(nadia: Client, db: None) -> None:
    nadia.get("/healthz")
    with unreachable_database():
        again = nadia.get("/healthz")

    assert "X-Page-Cache" not in again
    assert again.status_code == 503


def test_an_unreachable_cache_is_503_naming_the_cache(
    nadia: Client, db: None, settings: Any
) -> None:
    settings.CACHES = UNREACHABLE_CACHE

    response = nadia.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error"}


def test_an_unreachable_database_is_503_naming_the_database(nadia: Client, db: None) -> None:
    with unreachable_database():
        response = nadia.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "error", "cache": "ok"}


def test_both_unreachable_name_both(nadia: Client, db: None, settings: Any) -> None:
    settings.CACHES = UNREACHABLE_CACHE
    with unreachable_database():
        response = nadia.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "error", "cache": "error"}


def test_no_cache_configured_is_reported_off_not_failed(
    nadia: Client, db: None, settings: Any
) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response = nadia.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "off"}


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get_and_head_are_answered(nadia: Client, db: None, method: str) -> None:
    assert getattr(nadia, method)("/healthz").status_code == 405


@pytest.mark.django_db
def test_a_plain_http_probe_is_answered_when_the_site_redirects_to_https(
    client: Client, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
