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

from .keys import shared_page_key
from .tags import (
    EVERY_CHANGE,
    EVERY_PAGE,
    cache_failed,
    current_tokens,
    replace_unreplaced_tokens,
)

logger = logging.getLogger(__name__)

# Compressed once when stored, so a hit sends stored bytes; best first.
ENCODINGS = ("br", "gzip")
# Set in a hit's WSGI environ, beside REPLAYABLE_UNTIL: the key the page was served from.
# The replay keeps its copy only under that key (a consent that lapsed between the replay
# reading the cookie and this middleware reading it would otherwise file the page under
# the other variant).
SERVED_KEY = "broadsheet.pagecache.served_key"
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
            entry = cache.get(key)
            if (
                entry
                and timezone.now().timestamp() < entry["expires_at"]
                and current_tokens(entry["tags"]) == entry["tags"]
            ):
                request.META[REPLAYABLE_UNTIL] = entry["expires_at"]
                request.META[SERVED_KEY] = key
                return _answer(request, entry)
            before = current_tokens([EVERY_CHANGE])
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
            entry = self._store(request, response, key, before)
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
        request: HttpRequest, response: HttpResponse, key: str, before: dict[str, str]
    ) -> dict[str, Any] | None:
        content = response.content
        etag = _etag(content)
        response["ETag"] = quote_etag(etag)
        response["Last-Modified"] = http_date()
        _mark_public(response)
        tags: set[str] = request.page_cache_tags  # type: ignore[attr-defined]
        seconds = int(request.page_cache_seconds)  # type: ignore[attr-defined]
        try:
            tokens = current_tokens([*tags, EVERY_PAGE, EVERY_CHANGE])
            if tokens.pop(EVERY_CHANGE) != before[EVERY_CHANGE] or seconds <= 0:
                return None  # something changed while this page rendered: do not keep it
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in {"set-cookie", "content-length", "etag"}
            ]
            entry = {
                "tags": tokens,
                "encoded": _compressed(content),
                "etag": etag,
                "headers": headers,
                # Checked against the site's clock: scheduled articles go live by that clock.
                "expires_at": timezone.now().timestamp() + seconds,
            }
            cache.set(key, entry, timeout=seconds)
        except Exception:
            cache_failed()
            logger.warning("Could not store a page in the cache.", exc_info=True)
            return None
        return entry
