"""The replay for every client, and under additions (broadsheet/pagecache/replay.py):
uncompressed and conditional requests are answered from copies as Django would answer
them, and after an addition one request per page asks Django while the other readers get
the copy, within the grace period; a removal is never served from a copy."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, RequestFactory

from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import comment_posted
from broadsheet.pagecache import flight
from broadsheet.pagecache import replay as page_replay
from broadsheet.pagecache.keys import shared_page_key
from broadsheet.pagecache.replay import PageReplay
from broadsheet.publishing.models import Article
from tests.helpers import make_article, make_comment
from tests.pagecache.helpers import PATH, CountingDjango, get, warm

pytestmark = pytest.mark.django_db

PLAIN = {"Accept-Encoding": ""}


@pytest.fixture
def article() -> Article:
    return make_article("Bus lanes on the high street", slug="bus-lanes")


def published(article: Article, body: str) -> Comment:
    """A comment published as it is posted, as services.post_comment() stores one: an
    addition (make_comment() also counts every comment again, which is a change)."""
    comment = Comment(article=article, name="Ines Arroyo", body_source=body)
    comment.status = Comment.Status.PUBLISHED
    comment.save()
    comment_posted(comment)
    return comment


def page_text(body: bytes) -> str:
    return (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode()


@pytest.mark.parametrize("accepts", ["", "identity", "deflate"])
def test_clients_that_take_no_compression_are_replayed_the_plain_page(
    replay: PageReplay, django_app: CountingDjango, article: Article, accepts: str
) -> None:
    _, packed_headers, packed = warm(replay)
    status, headers, body = warm(replay, **{"Accept-Encoding": accepts})
    calls = django_app.calls

    again = get(replay, **{"Accept-Encoding": accepts})

    assert django_app.calls == calls
    assert again == (status, headers, body)
    assert body == gzip.decompress(packed)
    assert "Content-Encoding" not in headers
    assert "Accept-Encoding" in headers["Vary"]
    assert headers["ETag"] != packed_headers["ETag"], "one ETag per representation"


@pytest.mark.parametrize("encoding", ["gzip", ""])
def test_conditional_requests_are_answered_from_the_copy_as_django_answers_them(
    replay: PageReplay, django_app: CountingDjango, article: Article, encoding: str
) -> None:
    _, headers, _ = warm(replay, **{"Accept-Encoding": encoding})
    calls = django_app.calls
    asked = {"Accept-Encoding": encoding}

    same_etag = get(replay, **asked, **{"If-None-Match": f'W/"x", {headers["ETag"]}'})
    other_etag = get(replay, **asked, **{"If-None-Match": '"not-this-page"'})
    same_date = get(replay, **asked, **{"If-Modified-Since": headers["Last-Modified"]})
    # If-None-Match decides when both are sent (RFC 9110 13.2.2), as in Django.
    both = get(
        replay,
        **asked,
        **{"If-None-Match": '"not-this-page"', "If-Modified-Since": headers["Last-Modified"]},
    )

    assert django_app.calls == calls, "all from the copy"
    status, not_modified, body = same_etag
    assert status.startswith("304") and body == b""
    for name in ("ETag", "Vary", "Cache-Control", "Last-Modified"):
        assert not_modified[name] == headers[name]
    assert "Content-Encoding" not in not_modified
    assert other_etag[0].startswith("200") and other_etag[2]
    assert same_date[0].startswith("304")
    assert both[0].startswith("200")
    django = Client().get(
        PATH, headers={"Accept-Encoding": encoding, "If-None-Match": headers["ETag"]}
    )
    assert django.status_code == 304
    assert {name.lower() for name in not_modified} >= {name.lower() for name in django.headers}
    assert not {"content-type", "content-length"} & {name.lower() for name in not_modified}


def raw_get(replay: PageReplay) -> tuple[str, bytes]:
    """A request sent while another is inside Django (the helpers' get() would reconnect
    the signals that the outer request still has disconnected)."""
    environ = RequestFactory().get(PATH, headers={"Accept-Encoding": "gzip"}).environ
    sent: list[str] = []
    body = b"".join(replay(environ, lambda status, headers, exc_info=None: sent.append(status)))
    return sent[0], body


class Meanwhile:
    """Django behind the replay, running `meanwhile` (once) as it starts to answer a
    request: what other readers get while that request is inside Django."""

    def __init__(self) -> None:
        self.django = CountingDjango()
        self.meanwhile: Callable[[], None] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            meanwhile()
        return self.django(environ, start_response)


@pytest.fixture
def meanwhile() -> Meanwhile:
    return Meanwhile()


@pytest.fixture
def slow_replay(meanwhile: Meanwhile) -> PageReplay:
    return PageReplay(meanwhile, max_bytes=1024 * 1024)


def test_after_an_addition_one_reader_asks_django_and_the_others_get_the_copy(
    slow_replay: PageReplay, meanwhile: Meanwhile, article: Article
) -> None:
    warm(slow_replay)
    published(article, "Twelve buses an hour at the peak.")
    seen: list[tuple[str, bytes]] = []

    def other_readers() -> None:
        calls = meanwhile.django.calls
        seen.extend(raw_get(slow_replay) for _ in range(3))
        assert meanwhile.django.calls == calls, "answered from the copy"

    meanwhile.meanwhile = other_readers
    _, _, asked = get(slow_replay)

    assert "Twelve buses an hour" in page_text(asked), "the one that asked has it"
    assert len(seen) == 3
    assert all("Twelve buses an hour" not in page_text(body) for _, body in seen)
    get(slow_replay)  # Django serves the new page from the cache; it is copied
    calls = meanwhile.django.calls
    assert "Twelve buses an hour" in page_text(get(slow_replay)[2])
    assert meanwhile.django.calls == calls, "and replayed again"


def test_past_the_grace_period_every_reader_asks_django(
    slow_replay: PageReplay, meanwhile: Meanwhile, article: Article, monkeypatch: Any
) -> None:
    warm(slow_replay)
    later = page_replay.time.time() + 1.5  # PAGE_CACHE_GRACE_SECONDS is 1
    monkeypatch.setattr(page_replay.time, "time", lambda: later)
    published(article, "Twelve buses an hour at the peak.")

    def other_reader() -> None:
        calls = meanwhile.django.calls
        _, body = raw_get(slow_replay)
        assert meanwhile.django.calls == calls + 1
        assert "Twelve buses an hour" in page_text(body)

    meanwhile.meanwhile = other_reader
    get(slow_replay)
    assert meanwhile.meanwhile is None, "the other reader came"


def test_a_removal_is_never_replayed_even_while_an_addition_is_asked_about(
    slow_replay: PageReplay, meanwhile: Meanwhile, article: Article
) -> None:
    doomed = make_comment(article, body="A line to be taken down.")
    warm(slow_replay)
    published(article, "Twelve buses an hour at the peak.")
    seen: list[bytes] = []

    def take_down_then_read() -> None:
        Comment.objects.filter(pk=doomed.pk).get().delete()  # through the signals
        seen.append(raw_get(slow_replay)[1])

    meanwhile.meanwhile = take_down_then_read
    get(slow_replay)

    assert "A line to be taken down." not in page_text(seen[0])


def test_while_another_worker_renders_the_page_its_readers_ask_again_only_now_and_then(
    replay: PageReplay, django_app: CountingDjango, article: Article, monkeypatch: Any
) -> None:
    warm(replay)
    published(article, "Twelve buses an hour at the peak.")
    page_key = shared_page_key(RequestFactory().get(PATH))
    assert page_key is not None
    other_worker = flight.render_locks().try_lock(page_key)
    assert other_worker is not None
    calls = django_app.calls

    _, headers, body = get(replay)
    assert headers["X-Page-Cache"] == "stale" and "Twelve buses" not in page_text(body)
    assert django_app.calls == calls + 1
    get(replay)
    get(replay)
    assert django_app.calls == calls + 1, "the copy, until it is time to ask again"

    later = page_replay.time.time() + page_replay.ASK_AGAIN_SECONDS
    monkeypatch.setattr(page_replay.time, "time", lambda: later)
    other_worker.release()
    assert "Twelve buses" in page_text(get(replay)[2])
    assert django_app.calls == calls + 2
