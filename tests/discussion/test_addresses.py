"""The commenter's network address: kept only as a keyed hash, taken from X-Forwarded-For
only as far as TRUSTED_PROXY_COUNT says, and forgotten after COMMENT_ADDRESS_RETENTION_DAYS
by `broadsheet purge-comment-addresses`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import as_nadia, make_article, post_comment

pytestmark = pytest.mark.django_db

NADIAS_ADDRESS = "203.0.113.7"
TOMASZS_ADDRESS = "198.51.100.23"
PROXY = "10.0.0.2"


@pytest.fixture
def article() -> Article:
    return make_article("Cycle lane consultation opens")


def hash_of_post(article: Article, body: str, **request: str) -> str:
    response = post_comment(Client(**request), article, **as_nadia(body))
    assert response.status_code == 302
    return Comment.objects.get(body_source=body).address_hash


def test_the_address_is_stored_only_as_a_keyed_hash(article: Article) -> None:
    first = hash_of_post(article, "One.", REMOTE_ADDR=NADIAS_ADDRESS)
    again = hash_of_post(article, "Two.", REMOTE_ADDR=NADIAS_ADDRESS)
    other = hash_of_post(article, "Three.", REMOTE_ADDR=TOMASZS_ADDRESS)

    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert first != NADIAS_ADDRESS
    assert first == again
    assert other != first
    # Not a plain hash anyone could recompute for all four billion addresses either.
    assert first != hashlib.sha256(NADIAS_ADDRESS.encode()).hexdigest()
    # The address itself is in no column of the row.
    row = Comment.objects.filter(body_source="One.").values().get()
    assert not [key for key, value in row.items() if NADIAS_ADDRESS in str(value)]


def test_the_hash_depends_on_the_secret_key(article: Article, settings: Any) -> None:
    first = hash_of_post(article, "One.", REMOTE_ADDR=NADIAS_ADDRESS)
    settings.SECRET_KEY = "another-site-entirely-" * 3

    assert hash_of_post(article, "Two.", REMOTE_ADDR=NADIAS_ADDRESS) != first


def test_one_ipv6_address_written_two_ways_gets_one_hash(article: Article) -> None:
    short = hash_of_post(article, "One.", REMOTE_ADDR="2001:db8::7")
    long = hash_of_post(article, "Two.", REMOTE_ADDR="2001:DB8:0:0:0:0:0:7")
    mapped = hash_of_post(article, "Three.", REMOTE_ADDR=f"::ffff:{NADIAS_ADDRESS}")
    plain = hash_of_post(article, "Four.", REMOTE_ADDR=NADIAS_ADDRESS)

    assert short == long
    assert mapped == plain


def test_without_trusted_proxies_x_forwarded_for_is_ignored(
    article: Article, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    direct = hash_of_post(article, "One.", REMOTE_ADDR=NADIAS_ADDRESS)

    spoofed = hash_of_post(
        article, "Two.", REMOTE_ADDR=NADIAS_ADDRESS, HTTP_X_FORWARDED_FOR=TOMASZS_ADDRESS
    )

    assert spoofed == direct


def test_behind_one_proxy_the_address_it_saw_is_used(article: Article, settings: Any) -> None:
    nadia_direct = hash_of_post(article, "Direct.", REMOTE_ADDR=NADIAS_ADDRESS)
    proxy_itself = hash_of_post(article, "Proxy.", REMOTE_ADDR=PROXY)
    settings.TRUSTED_PROXY_COUNT = 1

    via_proxy = hash_of_post(
        article, "Via proxy.", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=NADIAS_ADDRESS
    )
    # What the client wrote into the header itself comes before the proxy's entry.
    with_a_lie = hash_of_post(
        article,
        "Lying.",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{TOMASZS_ADDRESS}, {NADIAS_ADDRESS}",
    )
    with_a_port = hash_of_post(
        article, "Port.", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{NADIAS_ADDRESS}:51234"
    )

    assert via_proxy == with_a_lie == with_a_port == nadia_direct
    assert via_proxy != proxy_itself


def test_behind_two_proxies_the_second_entry_from_the_end_is_the_client(
    article: Article, settings: Any
) -> None:
    nadia_direct = hash_of_post(article, "Direct.", REMOTE_ADDR=NADIAS_ADDRESS)
    settings.TRUSTED_PROXY_COUNT = 2

    via_two = hash_of_post(
        article,
        "Two hops.",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{TOMASZS_ADDRESS}, {NADIAS_ADDRESS}, 10.0.0.1",
    )

    assert via_two == nadia_direct


# Retention --------------------------------------------------------------------------------


def backdate(body: str, days: float) -> None:
    Comment.objects.filter(body_source=body).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )


def purge() -> str:
    out = StringIO()
    call_command("purge-comment-addresses", stdout=out)
    return out.getvalue()


def test_purge_forgets_addresses_past_retention_and_keeps_newer_ones(article: Article) -> None:
    for body, days in [("Old.", 31), ("Older.", 400), ("Recent.", 29), ("Today.", 0)]:
        hash_of_post(article, body, REMOTE_ADDR=NADIAS_ADDRESS)
        backdate(body, days)

    output = purge()

    assert output == "Cleared the address hash of 2 comment(s) older than 30 days.\n"
    hashes = dict(Comment.objects.values_list("body_source", "address_hash"))
    assert hashes["Old."] == hashes["Older."] == ""
    assert hashes["Recent."] == hashes["Today."] != ""
    # The comments themselves stay.
    assert Comment.objects.count() == 4
    # Running it again is harmless.
    assert purge() == "Cleared the address hash of 0 comment(s) older than 30 days.\n"


def test_purge_follows_the_retention_setting(article: Article, settings: Any) -> None:
    settings.COMMENT_ADDRESS_RETENTION_DAYS = 7
    hash_of_post(article, "Eight days.", REMOTE_ADDR=NADIAS_ADDRESS)
    backdate("Eight days.", 8)
    hash_of_post(article, "Six days.", REMOTE_ADDR=NADIAS_ADDRESS)
    backdate("Six days.", 6)

    assert purge() == "Cleared the address hash of 1 comment(s) older than 7 days.\n"
    assert Comment.objects.get(body_source="Eight days.").address_hash == ""
    assert Comment.objects.get(body_source="Six days.").address_hash != ""
