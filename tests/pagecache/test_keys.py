"""One key per shared page (broadsheet/pagecache/keys.py): the replay, before Django runs,
keeps and finds its copy under exactly the key the middleware stores the page under."""

from __future__ import annotations

import datetime as dt
import gzip
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory
from django.utils import timezone

from broadsheet.consent.models import POLICY_VERSION_CACHE_KEY, PolicyPage
from broadsheet.pagecache import keys, middleware
from broadsheet.pagecache import replay as page_replay
from broadsheet.pagecache.replay import PageReplay
from broadsheet.publishing.models import Article
from tests.helpers import SAME_ORIGIN, make_article
from tests.pagecache.helpers import PATH, CountingDjango, get, keeping_the_test_transaction, warm

pytestmark = pytest.mark.django_db
NOTICE = "data-consent-notice"


@pytest.fixture
def article() -> Article:
    return make_article("Bus lanes on the high street", slug="bus-lanes")


def consent_cookie(action: str = "reject-all") -> str:
    """The consent cookie of a new reader who chose: "reject-all" or "accept-all"."""
    reader = Client()
    reader.post(f"/cookies/{action}/", {"next": "/"}, headers=SAME_ORIGIN)
    return reader.cookies["broadsheet_consent"].value


def environ_of(path: str = PATH, **headers: str) -> dict[str, Any]:
    return RequestFactory().get(path, headers=headers).environ


def replay_key(environ: dict[str, Any]) -> tuple[str, str] | None:
    return PageReplay._key(dict(environ))


def middleware_key(environ: dict[str, Any]) -> str | None:
    """The key the page cache's middleware gives this request, sent through Django."""
    seen: list[str | None] = []

    def noting(request: Any) -> str | None:
        seen.append(keys.shared_page_key(request))
        return seen[-1]

    with mock.patch.object(middleware, "shared_page_key", noting), keeping_the_test_transaction():
        result = WSGIHandler()(dict(environ), lambda *args: None)
        b"".join(result)
        result.close()
    [key] = seen
    return key


def publish_cookie_policy(version: int, **fields: Any) -> PolicyPage:
    return PolicyPage.objects.create(
        kind=PolicyPage.Kind.COOKIES, version=version, title="Cookie Policy",
        body_source="We now count visits.", **fields,
    )  # fmt: skip


def test_the_replay_and_the_middleware_agree_on_the_key(article: Article) -> None:
    superseded = consent_cookie()
    publish_cookie_policy(7, published_at=timezone.now())  # voids every earlier choice
    rejected, other_rejected, accepted = (
        consent_cookie(),
        consent_cookie(),
        consent_cookie("accept-all"),
    )
    assert len({rejected, other_rejected}) == 2, "each reader's cookie is their own"
    requests = {
        "plain": {},
        "brotli": {"Accept-Encoding": "br"},
        "both encodings": {"Accept-Encoding": "gzip, deflate, br;q=1.0"},
        "an irrelevant cookie": {"Cookie": "_ga=GA1.2.3"},
        "rejected": {"Cookie": f"broadsheet_consent={rejected}"},
        "rejected, cookies the other way round": {
            "Cookie": f"broadsheet_consent={rejected}; _ga=GA1.2.3"
        },
        "rejected, another cookie first": {"Cookie": f"_ga=GA1.2.3; broadsheet_consent={rejected}"},
        "another reader who rejected": {"Cookie": f"broadsheet_consent={other_rejected}"},
        "accepted": {"Cookie": f"broadsheet_consent={accepted}"},
        "a tampered choice": {"Cookie": f"broadsheet_consent={rejected[:-2]}xx"},
        "a choice under the old policy": {"Cookie": f"broadsheet_consent={superseded}"},
        "another host": {"Host": "127.0.0.1"},
        "a forwarded host, not trusted": {"X-Forwarded-Host": "elsewhere.example"},
    }
    found: dict[str, str] = {}
    for name, headers in requests.items():
        headers.setdefault("Accept-Encoding", "gzip")
        for path in (PATH, f"{PATH}?page=2"):
            environ = environ_of(path, **headers)
            replayed = replay_key(environ)
            assert replayed is not None, name
            assert replayed[0] == middleware_key(environ), f"{name}, {path}"
            found[name if path == PATH else f"{name}, page 2"] = replayed[0]

    def same(*names: str) -> bool:
        return len({found[name] for name in names}) == 1

    no_choice = ("plain", "brotli", "both encodings", "an irrelevant cookie")
    assert same(*no_choice, "a tampered choice", "a choice under the old policy")
    assert same(
        "rejected",
        "rejected, cookies the other way round",
        "rejected, another cookie first",
        "another reader who rejected",
    )
    assert same("plain", "a forwarded host, not trusted")
    assert len({found[name] for name in ("plain", "rejected", "accepted", "another host")}) == 4
    assert found["plain"] != found["plain, page 2"]
    assert replay_key(environ_of(**{"Accept-Encoding": "gzip, br"})) == (found["plain"], "br")


def test_a_trusted_forwarded_host_is_the_host_in_both(article: Article, settings: Any) -> None:
    settings.USE_X_FORWARDED_HOST = True
    settings.ALLOWED_HOSTS = ["news.example", "other.example"]
    environs = [
        environ_of(**{"Accept-Encoding": "gzip", "X-Forwarded-Host": host})
        for host in ("news.example", "other.example")
    ]
    replayed = [replay_key(environ) for environ in environs]

    assert [key for key, _ in filter(None, replayed)] == [middleware_key(e) for e in environs]
    assert replayed[0] != replayed[1]
    refused = environ_of(**{"Accept-Encoding": "gzip", "X-Forwarded-Host": "evil.example"})
    assert replay_key(refused) is None, "Django answers a host it refuses"


def test_readers_with_the_same_choice_share_the_replayed_copy(article: Article) -> None:
    """The case that differed: the replay keyed its copies on the consent cookie's raw
    value, which carries each reader's own consent id and time, while the middleware keys
    on the choice. A second reader who rejected cookies went through Django to the page
    stored under the same key as the first one's, instead of getting the copy of it."""
    django = CountingDjango()
    replay = PageReplay(django, max_bytes=10**6)
    _, _, first = warm(replay, Cookie=f"broadsheet_consent={consent_cookie()}")
    calls = django.calls

    _, _, second = get(replay, Cookie=f"broadsheet_consent={consent_cookie()}")

    assert django.calls == calls
    assert second == first
    assert NOTICE not in gzip.decompress(second).decode()


def test_a_choice_voided_on_schedule_gets_the_notice_at_once(article: Article) -> None:
    """The case that differed, the other way: a cookie policy that appears at its
    scheduled time voids every earlier choice, and no save announces it (no token
    changes). The middleware at once keyed such a reader's request as no choice and showed
    the notice; the replay, keyed on the cookie's raw value, went on sending the copy made
    for the choice, without the notice, for up to REPLAY_COOKIE_SECONDS."""
    scheduled = publish_cookie_policy(8, published_at=timezone.now() + dt.timedelta(hours=1))
    replay = PageReplay(CountingDjango(), max_bytes=10**6)
    cookie = f"broadsheet_consent={consent_cookie()}"
    _, _, chosen = warm(replay, Cookie=cookie)
    assert NOTICE not in gzip.decompress(chosen).decode()

    # The scheduled time comes: the row is due, and the cached version, kept until then,
    # lapses (both without a save, so without a signal).
    PolicyPage.objects.filter(pk=scheduled.pk).update(published_at=timezone.now())
    cache.delete(POLICY_VERSION_CACHE_KEY)

    _, _, body = get(replay, Cookie=cookie)
    assert NOTICE in gzip.decompress(body).decode()


def test_a_hit_is_copied_only_under_the_key_django_served_it_from(
    article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the replay and Django read one request as two pages (a consent lapsing
    between the two reads), the page Django sent is not filed under the replay's key."""
    django = CountingDjango()
    replay = PageReplay(django, max_bytes=10**6)
    _, served, _ = warm(replay)
    assert served["X-Page-Cache"] == "hit"
    replay.forget()
    calls = django.calls
    monkeypatch.setattr(page_replay, "environ_page_key", lambda *args: "page:another variant")

    get(replay)
    get(replay)

    assert django.calls == calls + 2
    assert replay.copies == {}
