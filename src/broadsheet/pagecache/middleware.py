"""The page cache's middleware: serve a shared page while every token it was stored with
is current, else render it and store it.

A render that overlaps a change could read the old rows and then the new tokens. The
global token (tags.EVERY_CHANGE), replaced by every change, is read before and after
rendering; the page is stored only if it did not move. Pages also expire on their own
after PAGE_CACHE_SECONDS and before the next scheduled article goes live (which no write
announces). Both checks assume the render reads committed rows: `rendering_for_cache()`
tells broadsheet/db/replicas.py to read from the primary, never from a replica that may
lag.
"""

from __future__ import annotations

import contextvars
import gzip
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

import brotli
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from broadsheet.lib.request_log import REPLAYABLE_UNTIL

from .flight import WAIT_SECONDS, Held, acquire, render_locks
from .keys import shared_page_key
from .tags import (
    ADDITION_PREFIX,
    EVERY_ADDITION,
    EVERY_CHANGE,
    EVERY_PAGE,
    TAG_PREFIX,
    cache_failed,
    current_tokens,
    replace_unreplaced_tokens,
    tokens_now,
)

logger = logging.getLogger(__name__)

# Compressed once when stored, so a hit sends stored bytes; best first.
ENCODINGS = ("br", "gzip")
# Set in a hit's WSGI environ, beside REPLAYABLE_UNTIL: the key the page was served from.
# The replay keeps its copy only under that key (a consent that lapsed between the replay
# reading the cookie and this middleware reading it would otherwise file the page under
# the other variant).
SERVED_KEY = "broadsheet.pagecache.served_key"
# Also set in a hit's environ: None when the page served was current, else the moment up to
# which it shows every addition (it was served stale, within the grace period).
FRESH_AS_OF = "broadsheet.pagecache.fresh_as_of"
# And, for a page served stale, the earliest moment it will be rendered again.
RENDER_DUE = "broadsheet.pagecache.render_due"
# True while a page this cache may store renders (see rendering_for_cache()).
_rendering_for_cache: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "broadsheet_rendering_for_cache", default=False
)


def rendering_for_cache() -> bool:
    """Whether the page being rendered on this thread may be stored and shared. Its reads
    must then see every committed change, which broadsheet/db/replicas.py ensures by
    sending them to the primary: a page read from a lagging replica would be stored as
    current."""
    return _rendering_for_cache.get()


def preferred_encoding(offered: str) -> str | None:
    """The best stored encoding an Accept-Encoding header takes, or None."""
    accepted = {part.split(";")[0].strip().lower() for part in offered.split(",")}
    return next((encoding for encoding in ENCODINGS if encoding in accepted), None)


def _etag(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=12).hexdigest()


def _compressed(content: bytes) -> dict[str, bytes]:
    return {
        "br": brotli.compress(content, quality=5),
        "gzip": gzip.compress(content, compresslevel=6, mtime=0),
    }


def _answer(request: HttpRequest, entry: dict[str, Any], *, hit: bool = True) -> HttpResponse:
    """The stored page, compressed as the browser accepts; ConditionalGetMiddleware turns
    it into a 304 when the browser already has these bytes. Also the answer to the request
    that stored it, so the page is not compressed a second time on its way out."""
    encoding = preferred_encoding(request.headers.get("Accept-Encoding", ""))
    # Only compressed copies are kept (a hit then reads a fifth of the bytes); the rare
    # client that takes neither gets the gzip copy unpacked.
    content = entry["encoded"][encoding] if encoding else gzip.decompress(entry["encoded"]["gzip"])
    response = HttpResponse(content)
    for header, value in entry["headers"]:
        response[header] = value
    if encoding:
        response["Content-Encoding"] = encoding
        response["ETag"] = quote_etag(f"{entry['etag']}-{encoding}")
    else:
        response["ETag"] = quote_etag(entry["etag"])
    if hit:
        response["X-Page-Cache"] = "hit"
    return response


def _mark_public(response: HttpResponse) -> None:
    patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
    shared = settings.PAGE_CACHE_SHARED_SECONDS
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    if shared:
        patch_cache_control(response, s_maxage=shared)


class PageCacheMiddleware:
    """Serve and store shared pages. Placed after the session, authentication, messages
    and consent middleware (it needs what they read) and around the views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        replace_unreplaced_tokens()
        key = shared_page_key(request)
        if key is None:
            return self.get_response(request)
        try:
            entry, state = _look_up(key)
        except Exception:
            cache_failed()
            logger.warning("Page cache unavailable; rendering.", exc_info=True)
            return self.get_response(request)
        if entry is not None and state is FRESH:
            return _hit(request, key, entry)
        graced = entry if state is ADDED and _within_grace(entry) else None
        if graced is not None and time.time() < _next_render_due(graced):
            return _hit(request, key, graced, stale=True)
        # Within the grace period, whoever cannot take the lock serves this version while
        # the holder renders the next; otherwise a reader waits for that one render.
        held, at_once = _lock(key, wait=0.0 if graced else WAIT_SECONDS)
        if held is None:
            if graced is not None:
                return _hit(request, key, graced, stale=True)
            return self._render(request, key)
        try:
            if not at_once:
                # The render waited for is probably stored.
                entry, state = _look_up_or_none(key)
                if entry is not None and (
                    state is FRESH or (state is ADDED and _within_grace(entry))
                ):
                    return _hit(request, key, entry, stale=state is ADDED)
                # Not stored (a page that is never shared, a change during that render):
                # the lock is not kept, so such pages are not rendered one at a time.
                held.release()
                held = None
            return self._render(request, key, for_addition=graced is not None)
        finally:
            if held is not None:
                held.release()

    def _render(
        self, request: HttpRequest, key: str, *, for_addition: bool = False
    ) -> HttpResponse:
        try:
            started = time.time()
            before = current_tokens([EVERY_CHANGE], [EVERY_ADDITION])
        except Exception:
            cache_failed()
            logger.warning("Page cache unavailable; rendering.", exc_info=True)
            return self.get_response(request)
        request.page_cache_tags = set()  # type: ignore[attr-defined]
        request.page_cache_seconds = float(settings.PAGE_CACHE_SECONDS)  # type: ignore[attr-defined]
        rendering = _rendering_for_cache.set(True)
        try:
            response = self.get_response(request)
        finally:
            _rendering_for_cache.reset(rendering)
        if self._storable(request, response):
            entry = self._store(request, response, key, before, started, for_addition)
            if entry is not None:
                return _answer(request, entry, hit=False)
        return response

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and bool(request.page_cache_tags)  # type: ignore[attr-defined]
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
            # A session made during the render (a held comment, a message) is personal.
            and not getattr(getattr(request, "session", None), "modified", False)
        )

    @staticmethod
    def _store(
        request: HttpRequest,
        response: HttpResponse,
        key: str,
        before: dict[str, str],
        started: float,
        for_addition: bool = False,
    ) -> dict[str, Any] | None:
        content = response.content
        etag = _etag(content)
        response["ETag"] = quote_etag(etag)
        response["Last-Modified"] = http_date()
        _mark_public(response)
        tags: set[str] = request.page_cache_tags  # type: ignore[attr-defined]
        seconds = int(request.page_cache_seconds)  # type: ignore[attr-defined]
        try:
            tokens = current_tokens([*tags, EVERY_PAGE, EVERY_CHANGE], [*tags, EVERY_ADDITION])
            if tokens.pop(CHANGE_TOKEN) != before[CHANGE_TOKEN] or seconds <= 0:
                return None  # something changed while this page rendered: do not keep it
            if tokens.pop(ADDITION_TOKEN) != before[ADDITION_TOKEN]:
                # Something was added while it rendered, perhaps to this page after its rows
                # were read: kept, as it is no older than its start, but stale by addition
                # at once (no token equals ""), so it is rendered again within the grace
                # period counted from that start.
                tokens = {k: "" if k.startswith(ADDITION_PREFIX) else v for k, v in tokens.items()}
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in {"set-cookie", "content-length", "etag"}
            ]
            entry = {
                "tokens": tokens,
                "encoded": _compressed(content),
                "etag": etag,
                "headers": headers,
                # Checked against the site's clock: scheduled articles go live by that clock.
                "expires_at": timezone.now().timestamp() + seconds,
                # The page shows every addition announced before this moment.
                "fresh_as_of": started,
                "for_addition": for_addition,
            }
            cache.set(key, entry, timeout=seconds)
        except Exception:
            cache_failed()
            logger.warning("Could not store a page in the cache.", exc_info=True)
            return None
        return entry


# What a stored page is, against the tokens now in the cache.
FRESH = "fresh"  # every token current
ADDED = "added"  # only addition tokens moved: it lacks something added since
STALE = "stale"  # a change token moved, or there is no page: never served
CHANGE_TOKEN = TAG_PREFIX + EVERY_CHANGE
ADDITION_TOKEN = ADDITION_PREFIX + EVERY_ADDITION


def _look_up(key: str) -> tuple[dict[str, Any] | None, str]:
    entry: dict[str, Any] | None = cache.get(key)
    if not entry or timezone.now().timestamp() >= entry["expires_at"]:
        return None, STALE
    stored: dict[str, str] = entry["tokens"]
    current = tokens_now(stored)
    moved = [name for name, token in stored.items() if current[name] != token]
    if not moved:
        return entry, FRESH
    if all(name.startswith(ADDITION_PREFIX) for name in moved):
        return entry, ADDED
    return entry, STALE


def _look_up_or_none(key: str) -> tuple[dict[str, Any] | None, str]:
    try:
        return _look_up(key)
    except Exception:
        cache_failed()
        return None, STALE


def _within_grace(entry: dict[str, Any] | None) -> bool:
    return (
        entry is not None and time.time() < entry["fresh_as_of"] + settings.PAGE_CACHE_GRACE_SECONDS
    )


def _next_render_due(entry: dict[str, Any]) -> float:
    """When a page stale only by additions is rendered again. At once, unless this version
    was itself rendered for an addition: then not before half the grace period after that
    render started, so that a page commented on many times a second is rendered twice a
    second, not once per comment, and every addition still shows within the grace period
    (half of it waiting, the other half for the render and for the replay to notice)."""
    if not entry.get("for_addition"):
        return 0.0
    return float(entry["fresh_as_of"]) + settings.PAGE_CACHE_GRACE_SECONDS / 2


def _lock(key: str, *, wait: float) -> tuple[Held | None, bool]:
    try:
        return acquire(render_locks(), key, wait=wait)
    except Exception:
        # No lock to be had (the cache is down, the lock directory unwritable): render
        # as if there were none, which is what the page cache did before it had one.
        logger.warning("Could not take the render lock of %s.", key, exc_info=True)
        return None, False


def _hit(
    request: HttpRequest, key: str, entry: dict[str, Any], *, stale: bool = False
) -> HttpResponse:
    request.META[REPLAYABLE_UNTIL] = entry["expires_at"]
    request.META[SERVED_KEY] = key
    request.META[FRESH_AS_OF] = entry["fresh_as_of"] if stale else None
    if stale:
        request.META[RENDER_DUE] = _next_render_due(entry)
    response = _answer(request, entry)
    if stale:
        response["X-Page-Cache"] = "stale"
    return response
