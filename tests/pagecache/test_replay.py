"""The per-process replay of cached pages (broadsheet/pagecache/replay.py): what it sends
again without entering Django, and that every change, personal request and odd request
still goes through Django."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, override_settings
from django.utils import timezone

from broadsheet.consent.models import PolicyPage
from broadsheet.pagecache import replay as page_replay
from broadsheet.pagecache import tags
from broadsheet.pagecache.replay import PageReplay
from broadsheet.publishing.models import Article
from tests.helpers import SAME_ORIGIN, UNREACHABLE_CACHE, make_article, make_comment, post_form
from tests.pagecache.helpers import PATH, CountingDjango, get, warm

pytestmark = pytest.mark.django_db


@pytest.fixture
def article() -> Article:
    return make_article("Bus lanes on the high street", slug="bus-lanes")


def test_a_page_the_cache_served_is_sent_again_without_django(
    replay: PageReplay, django_app: CountingDjango, article: Article
) -> None:
    status, headers, body = warm(replay)
    assert headers["X-Page-Cache"] == "hit"
    calls = django_app.calls

    again = get(replay)

    assert django_app.calls == calls
    assert again == (status, headers, body)
    assert "Bus lanes on the high street" in gzip.decompress(body).decode()
    # Every header the middleware added on the way out is sent again.
    for name in ("Content-Security-Policy", "Permissions-Policy", "ETag", "Vary"):
        assert name in again[1], name


def test_a_new_comment_shows_at_once(
    replay: PageReplay, django_app: CountingDjango, article: Article
) -> None:
    warm(replay)
    make_comment(article, body="The buses were on time for once.")

    _, headers, body = get(replay)

    assert "The buses were on time for once." in gzip.decompress(body).decode()
    assert headers.get("X-Page-Cache") != "hit"


def test_a_change_anywhere_sends_the_next_request_through_django(
    replay: PageReplay, django_app: CountingDjango, article: Article
) -> None:
    warm(replay)
    make_article("A different story")  # changes the lists, not this page
    calls = django_app.calls

    _, headers, _ = get(replay)
    assert django_app.calls == calls + 1
    assert headers["X-Page-Cache"] == "hit", "the page cache still had it"
    get(replay)
    assert django_app.calls == calls + 1, "and it is copied again"


def test_a_comment_posted_through_the_replay_shows_on_the_next_page(
    replay: PageReplay, article: Article, settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    settings.SPAM_MIN_FORM_SECONDS = 0
    warm(replay)
    posted = post_form(Client(), article, body="Posted while the page was copied.")
    assert posted.status_code == 302

    _, _, body = get(replay)

    assert "Posted while the page was copied." in gzip.decompress(body).decode()


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "sessionid=abc"},
        {"Cookie": "messages=abc"},
        {"Cookie": "broadsheet_commenter_details=abc"},
        {"Range": "bytes=0-10"},
        {"Authorization": "Bearer bst_0123abcd_secret"},
    ],
    ids=["session", "messages", "remembered-details", "range", "credentials"],
)
def test_personal_and_partial_requests_always_go_through_django(
    replay: PageReplay, django_app: CountingDjango, article: Article, headers: dict[str, str]
) -> None:
    warm(replay)
    warm(replay, **headers)
    calls = django_app.calls

    get(replay, **headers)

    assert django_app.calls == calls + 1


def test_head_and_other_query_strings_go_through_django(
    replay: PageReplay, django_app: CountingDjango, article: Article
) -> None:
    warm(replay, f"{PATH}?utm_source=list")
    get(replay, method="HEAD")
    get(replay, method="HEAD")
    calls = django_app.calls

    get(replay, f"{PATH}?utm_source=list")
    get(replay, method="HEAD")

    assert django_app.calls == calls + 2


def test_each_encoding_and_consent_cookie_has_its_own_copy(
    replay: PageReplay, django_app: CountingDjango, article: Article
) -> None:
    reader = Client()
    reader.post("/cookies/reject-all/", {"next": "/"}, headers=SAME_ORIGIN)
    consent = f"broadsheet_consent={reader.cookies['broadsheet_consent'].value}"
    _, first_visit, first_body = warm(replay)
    _, rejected, rejected_body = warm(replay, Cookie=consent)
    _, as_brotli, _ = warm(replay, **{"Accept-Encoding": "br"})
    calls = django_app.calls

    assert get(replay)[2] == first_body
    assert get(replay, Cookie=consent)[2] == rejected_body
    assert get(replay, **{"Accept-Encoding": "gzip, br"})[1]["Content-Encoding"] == "br"
    assert django_app.calls == calls
    assert "data-consent-notice" in gzip.decompress(first_body).decode()
    assert "data-consent-notice" not in gzip.decompress(rejected_body).decode()


def test_a_new_cookie_policy_asks_readers_who_chose_again(
    replay: PageReplay, article: Article
) -> None:
    reader = Client()
    reader.post("/cookies/reject-all/", {"next": "/"}, headers=SAME_ORIGIN)
    consent = f"broadsheet_consent={reader.cookies['broadsheet_consent'].value}"
    warm(replay, Cookie=consent)

    PolicyPage.objects.create(
        kind=PolicyPage.Kind.COOKIES, version=7, title="Cookie Policy",
        body_source="We now count visits.", published_at=timezone.now(),
    )  # fmt: skip

    _, _, body = get(replay, Cookie=consent)
    assert "data-consent-notice" in gzip.decompress(body).decode()


def test_copies_expire_with_the_page(
    replay: PageReplay, django_app: CountingDjango, article: Article, monkeypatch: Any
) -> None:
    warm(replay)
    calls = django_app.calls
    later = page_replay.time.time() + 601  # PAGE_CACHE_SECONDS is 600
    monkeypatch.setattr(page_replay.time, "time", lambda: later)

    get(replay)

    assert django_app.calls == calls + 1


def test_copies_with_cookies_last_at_most_a_minute(
    replay: PageReplay, django_app: CountingDjango, article: Article, monkeypatch: Any
) -> None:
    warm(replay, Cookie="analytics_seen=1")
    calls = django_app.calls
    later = page_replay.time.time() + page_replay.REPLAY_COOKIE_SECONDS + 1
    monkeypatch.setattr(page_replay.time, "time", lambda: later)

    get(replay, Cookie="analytics_seen=1")

    assert django_app.calls == calls + 1


def test_memory_is_bounded_oldest_copy_first(django_app: CountingDjango) -> None:
    for slug in ("one", "two", "three"):
        make_article(f"Story {slug}", slug=slug)
    one_page = len(warm(PageReplay(django_app, max_bytes=10**6), "/articles/one/")[2])
    replay = PageReplay(django_app, max_bytes=int(one_page * 2.5))

    for slug in ("one", "two", "three"):
        warm(replay, f"/articles/{slug}/")

    assert replay.size <= replay.max_bytes
    calls = django_app.calls
    get(replay, "/articles/two/")
    get(replay, "/articles/three/")
    assert django_app.calls == calls, "the two newest copies are kept"
    get(replay, "/articles/one/")
    assert django_app.calls == calls + 1, "the oldest went"


def test_responses_that_set_cookies_are_not_copied(
    replay: PageReplay, django_app: CountingDjango, article: Article
) -> None:
    get(replay, "/login/")
    get(replay, "/login/")
    calls = django_app.calls

    get(replay, "/login/")

    assert django_app.calls == calls + 1


def test_pages_are_served_when_the_cache_is_down(replay: PageReplay, article: Article) -> None:
    with override_settings(CACHES=UNREACHABLE_CACHE):
        status, _, body = get(replay)

    assert status.startswith("200")
    assert "Bus lanes on the high street" in gzip.decompress(body).decode()


@pytest.mark.parametrize(
    ("setting", "value"), [("PAGE_CACHE_SECONDS", 0), ("PAGE_REPLAY_MAX_BYTES", 0)]
)
def test_the_replay_is_off_with_the_page_cache_or_by_setting(
    settings: Any, setting: str, value: int
) -> None:
    handler = WSGIHandler()
    assert isinstance(page_replay.wrap(handler), PageReplay)
    setattr(settings, setting, value)
    assert page_replay.wrap(handler) is handler


@pytest.fixture
def file_cache(settings: Any, tmp_path: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }


@pytest.mark.usefixtures("file_cache")
def test_with_the_file_cache_the_tokens_are_stats_that_follow_every_change() -> None:
    read = page_replay.token_reader()
    assert read() == (None, None), "no change yet, no token"

    seen = []
    for _ in range(50):  # many changes within one tick of the file system's clock
        tags.changed("article:1")
        token, addition = read()
        assert token is not None and token not in seen
        assert read() == (token, addition), "unchanged while nothing changes"
        seen.append(token)
    additions = []
    for _ in range(50):
        tags.added("article:1")
        token, addition = read()
        assert token == seen[-1], "an addition leaves the change token alone"
        assert addition is not None and addition not in additions
        additions.append(addition)

    caches["default"].clear()
    assert read() == (None, None)


@pytest.mark.usefixtures("file_cache")
def test_with_the_file_cache_a_change_on_another_worker_shows_at_once(
    django_app: CountingDjango, article: Article
) -> None:
    one, other = PageReplay(django_app, 10**6), PageReplay(django_app, 10**6)
    warm(one)
    warm(other)
    make_comment(article, body="Posted through the other worker.")  # as another process would

    for replay in (one, other):
        assert "Posted through the other worker." in gzip.decompress(get(replay)[2]).decode()
