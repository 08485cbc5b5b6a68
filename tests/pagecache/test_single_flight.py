"""One render per change (broadsheet/pagecache/middleware.py with flight.py): after an
addition, readers are served the previous version within the grace period while one
worker renders the next; after a removal, or past the grace period, nobody is served the
old page. The view here is a stand-in that counts its renders, so what is asserted is the
middleware's own doing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from broadsheet.pagecache import flight, middleware, tags
from broadsheet.pagecache.keys import shared_page_key
from broadsheet.pagecache.middleware import PageCacheMiddleware

PATH = "/stand-in/"
TAG = "article:41"


class View:
    """Renders version 1, 2, …, one per call, showing TAG; `pause` makes a render slow."""

    def __init__(self) -> None:
        self.renders = 0
        self.pause = 0.0
        self.lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with self.lock:
            self.renders += 1
            version = self.renders
        time.sleep(self.pause)
        tags.depends_on(request, TAG)
        return HttpResponse(f"<p>version {version}</p>")


@pytest.fixture(params=["local-memory", "files"])
def cache_kind(request: Any, settings: Any, tmp_path: Any) -> Iterator[str]:
    """Both kinds of lock: a key added to the cache (as with Redis) and flock() on files."""
    if request.param == "files":
        settings.CACHES = {
            "default": {
                "BACKEND": "broadsheet.pagecache.file_cache.FileCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
    else:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"single-flight-{tmp_path.name}",
            }
        }
    yield request.param


@pytest.fixture
def view() -> View:
    return View()


@pytest.fixture
def site(view: View, cache_kind: str) -> PageCacheMiddleware:
    return PageCacheMiddleware(view)


def read(site: PageCacheMiddleware) -> HttpResponse:
    return site(RequestFactory().get(PATH))


def text(response: HttpResponse) -> str:
    return response.content.decode()


def key() -> str:
    found = shared_page_key(RequestFactory().get(PATH))
    assert found is not None
    return found


def stored(site: PageCacheMiddleware, view: View) -> None:
    read(site)
    assert read(site).get("X-Page-Cache") == "hit"
    assert view.renders == 1


def test_while_another_worker_renders_an_addition_the_previous_version_is_served(
    site: PageCacheMiddleware, view: View
) -> None:
    stored(site, view)
    tags.added(TAG)
    other_worker = flight.render_locks().try_lock(key())
    assert other_worker is not None

    during = read(site)

    assert text(during) == "<p>version 1</p>"
    assert during["X-Page-Cache"] == "stale"
    assert view.renders == 1, "not rendered a second time"
    other_worker.release()
    assert text(read(site)) == "<p>version 2</p>", "the lock is free: rendered now"
    assert read(site)["X-Page-Cache"] == "hit"
    assert view.renders == 2


def test_with_the_lock_free_an_addition_is_rendered_by_the_first_reader(
    site: PageCacheMiddleware, view: View
) -> None:
    stored(site, view)
    tags.added(TAG)

    assert text(read(site)) == "<p>version 2</p>"


@pytest.mark.parametrize("change", ["removal", "addition past the grace period"])
def test_a_removal_or_an_old_addition_is_never_served_stale(
    site: PageCacheMiddleware, view: View, settings: Any, monkeypatch: Any, change: str
) -> None:
    stored(site, view)
    if change == "removal":
        tags.changed(TAG)
    else:
        settings.PAGE_CACHE_GRACE_SECONDS = 0
        tags.added(TAG)
    monkeypatch.setattr(middleware, "WAIT_SECONDS", 0.05)
    stuck = flight.render_locks().try_lock(key())  # a renderer that never finishes
    assert stuck is not None

    answer = read(site)

    assert text(answer) == "<p>version 2</p>", "waited for the render, then rendered itself"
    stuck.release()


def test_a_reader_that_waited_gets_the_render_it_waited_for(
    site: PageCacheMiddleware, view: View, monkeypatch: Any
) -> None:
    stored(site, view)
    tags.changed(TAG)
    locks = flight.render_locks()
    held = locks.try_lock(key())
    assert held is not None

    def finish_the_other_render() -> None:
        time.sleep(0.1)
        other = PageCacheMiddleware(view)
        # The other worker renders and stores version 2 under its lock, then lets go.
        held.release()
        assert text(other(RequestFactory().get(PATH))) == "<p>version 2</p>"

    with_lock = threading.Thread(target=finish_the_other_render)
    original = flight.FileLocks.try_lock, flight.CacheLocks.try_lock
    tries: list[bool] = []

    def counting(self: Any, page: str) -> Any:
        got = original[isinstance(self, flight.CacheLocks)](self, page)
        tries.append(got is not None)
        if len(tries) == 1:
            with_lock.start()
        return got

    monkeypatch.setattr(flight.FileLocks, "try_lock", counting)
    monkeypatch.setattr(flight.CacheLocks, "try_lock", counting)
    answer = read(site)
    with_lock.join()

    assert text(answer) == "<p>version 2</p>"
    assert answer["X-Page-Cache"] == "hit", "served what the other worker stored"
    assert view.renders == 2, "one render for the change"


def test_readers_arriving_together_after_an_addition_cause_one_render(
    site: PageCacheMiddleware, view: View
) -> None:
    stored(site, view)
    tags.added(TAG)
    view.pause = 0.3
    readers = 8
    start = threading.Barrier(readers)
    answers: list[str] = []

    def reader() -> None:
        start.wait()
        answers.append(text(read(site)))

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert view.renders == 2, "one render of the new version, whatever the readers"
    assert len(answers) == readers
    assert set(answers) <= {"<p>version 1</p>", "<p>version 2</p>"}
    assert "<p>version 2</p>" in answers


def test_a_render_that_overlaps_an_addition_is_kept_and_renewed_within_the_grace_period(
    site: PageCacheMiddleware, view: View
) -> None:
    def adding_while_rendering(request: HttpRequest) -> HttpResponse:
        response = View.__call__(view, request)
        tags.added("topic:3")  # anywhere: the render may have missed it
        return response

    overlapping = PageCacheMiddleware(adding_while_rendering)
    assert text(read(overlapping)) == "<p>version 1</p>"

    assert text(read(site)) == "<p>version 2</p>", "kept, but rendered again at once"
    assert read(site)["X-Page-Cache"] == "hit"


def test_a_page_rendered_for_an_addition_waits_half_the_grace_period_for_the_next(
    site: PageCacheMiddleware, view: View, monkeypatch: Any
) -> None:
    stored(site, view)
    tags.added(TAG)
    assert text(read(site)) == "<p>version 2</p>", "the first addition: rendered at once"
    tags.added(TAG)

    soon = read(site)
    assert text(soon) == "<p>version 2</p>" and soon["X-Page-Cache"] == "stale"
    assert view.renders == 2, "a burst of comments is not rendered once per comment"

    later = time.time() + 0.5  # half of PAGE_CACHE_GRACE_SECONDS
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    assert text(read(site)) == "<p>version 3</p>"
