"""The page cache: whole pages for anonymous readers, kept in the configured cache backend
and invalidated exactly when something they show changes.

A page lists what it shows while it renders (`depends_on(request, "article:7", ...)`).
Each such tag has a token in the cache; a change replaces the tokens of the tags it
touches (`changed(...)`, after the transaction commits). A cached page is served only
while every token it was stored with is still current, so a reader never sees a page
older than a change whose request has returned. Tokens are random, not counters, so a
token evicted from the cache can never come back equal to an old one.

A render that overlaps a change could read the old rows and then the new tokens. A global
token, replaced by every change, is read before and after rendering; the page is stored
only if it did not move. Pages also expire on their own after PAGE_CACHE_SECONDS and
before the next scheduled article goes live (which no write announces). Both checks assume
the render reads committed rows: `rendering_for_cache()` tells lib/replicas.py to read
from the primary, never from a replica that may lag.

Only anonymous, impersonal GETs are cached: no signed-in user, no pending messages, no
held comment of the reader's own, no "remember me" details. The consent choice changes
the page (the notice, embeds, analytics), so each choice is its own variant.
"""

from __future__ import annotations

import contextvars
import functools
import gzip
import hashlib
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

import brotli
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

logger = logging.getLogger(__name__)

TAG_PREFIX = "page-tag:"
ENTRY_PREFIX = "page:"
EVERY_CHANGE = "every-change"
# A tag every stored page carries: replaced after the cache was unreachable, so no page
# stored before an outage is served after it (changes made meanwhile went unannounced).
EVERY_PAGE = "every-page"
# Query strings worth caching: none, or a page number. Anything else is rendered each time,
# so junk parameters cannot fill the cache.
CACHEABLE_QUERY = re.compile(r"(page=\d{1,6})?")
# A cookie or session key that makes a page the reader's own (pending messages here; apps
# add theirs with personal_when_present()), so it is never shared.
PERSONAL_COOKIES = {"messages"}
PERSONAL_SESSION_KEYS = {"_messages"}
# Cookies whose value selects one of several shared variants of a page (the consent
# choice): registered by their app with varies_with_cookie(), read by lib/page_replay.py.
VARIANT_COOKIES: list[str] = []
# Set on a hit's request (its WSGI environ): until when lib/page_replay.py may send the
# same response again without asking Django.
REPLAYABLE_UNTIL = "broadsheet.page_cache.replayable_until"
# Which live articles there are, and in what order: lists, archives, feeds.
LIVE_ARTICLES = "live-articles"
# Compressed once when stored, so a hit sends stored bytes; best first.
ENCODINGS = ("br", "gzip")
# True while a page this cache may store renders (see rendering_for_cache()).
_rendering_for_cache: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "broadsheet_rendering_for_cache", default=False
)


def rendering_for_cache() -> bool:
    """Whether the page being rendered on this thread may be stored and shared. Its reads
    must then see every committed change, which lib/replicas.py ensures by sending them to
    the primary: a page read from a lagging replica would be stored as current."""
    return _rendering_for_cache.get()


def personal_when_present(*, cookie: str = "", session_key: str = "") -> None:
    """Pages for a reader with this cookie (or session key) set are personal: called by
    an app whose pages show what it holds (discussion: remembered details, own held
    comments)."""
    if cookie:
        PERSONAL_COOKIES.add(cookie)
    if session_key:
        PERSONAL_SESSION_KEYS.add(session_key)


def varies_with_cookie(name: str) -> None:
    """Each value of this cookie gets its own variant of the shared pages (an app that
    keys pages on what the cookie carries, as consent does with the reader's choice)."""
    if name not in VARIANT_COOKIES:
        VARIANT_COOKIES.append(name)


def tag(kind: str, pk: object) -> str:
    """The tag of one row a page shows: tag("article", 7) is "article:7"."""
    return f"{kind}:{pk}"


def depends_on(request: HttpRequest, *tags: str) -> None:
    """Record that the page being rendered shows what `tags` name."""
    recorded: set[str] | None = getattr(request, "page_cache_tags", None)
    if recorded is not None:
        recorded.update(tags)


def cache_until(request: HttpRequest, seconds: Callable[[], float | None]) -> None:
    """The page being rendered changes by itself after `seconds()` (a scheduled article
    going live), or never when that is None. Called only when the page will be stored, so
    pages that are not cost nothing."""
    current = getattr(request, "page_cache_seconds", None)
    if current is not None and (due := seconds()) is not None:
        request.page_cache_seconds = min(current, due)  # type: ignore[attr-defined]


def changed(*tags: str) -> None:
    """Invalidate every cached page showing one of `tags`: at once outside a transaction,
    else when the transaction commits, each tag once however often it was changed. The
    commit is what counts: a page rendered from the old rows before it is never served
    after it.

    Inside a nested atomic block the tokens are replaced at once as well, so the change
    shows to whatever reads pages inside the outer transaction (the test suite runs each
    test in one). In the outermost block of a real transaction the commit is a moment
    away, and replacing tokens inside it would hold SQLite's write lock (every comment
    post's) for two more file replacements."""
    if not tags:
        return
    connection = transaction.get_connection()
    if not commits_when_block_ends(connection):
        _replace_tokens((*tags, EVERY_CHANGE))
    if connection.in_atomic_block:
        _pending_on_commit(connection).update(tags)


def commits_when_block_ends(connection: Any) -> bool:
    """Whether an atomic block is being run and is the outermost of a transaction that
    commits when it ends: not nested, and not the test suite's."""
    return len(connection.atomic_blocks) == 1 and not in_test_transaction(connection)


def in_test_transaction(connection: Any) -> bool:
    """Inside the test suite's own transaction around a test, which is never committed
    (Django's TestCase marks its blocks `_from_testcase`)."""
    blocks = connection.atomic_blocks
    return bool(blocks) and bool(getattr(blocks[0], "_from_testcase", False))


def _pending_on_commit(connection: Any) -> set[str]:
    """The tags this transaction will replace when it commits. A rolled-back transaction
    (or savepoint) drops its on-commit callbacks, so the set is trusted only while its
    callback is still registered."""
    registered = getattr(connection, "_page_cache_pending", None)
    if registered is not None:
        pending, registered_flush = registered
        if any(callback is registered_flush for _, callback, _ in connection.run_on_commit):
            return cast(set[str], pending)
    tags: set[str] = set()

    def flush() -> None:
        connection._page_cache_pending = None
        _replace_tokens((*tags, EVERY_CHANGE))

    connection._page_cache_pending = (tags, flush)
    transaction.on_commit(flush)
    return tags


# Tags whose tokens this process could not replace because the cache was unreachable (a
# network cut or a restart may keep the pages stored before it): replaced, with every
# later change, as soon as the cache answers again, before this process serves a page.
# Any failure to reach the cache adds EVERY_PAGE (see cache_failed()).
_unreplaced: set[str] = set()
_unreplaced_lock = threading.Lock()


def _replace_tokens(tags: Iterable[str], *, retrying: bool = False) -> None:
    with _unreplaced_lock:
        tags = {*tags, *_unreplaced}
    if not tags:
        return
    try:
        cache.set_many({TAG_PREFIX + tag: secrets.token_hex(8) for tag in tags}, timeout=None)
    except Exception:
        with _unreplaced_lock:
            _unreplaced.update((*tags, EVERY_PAGE, EVERY_CHANGE))
        if not retrying:
            # Retried on every request until the cache is back (pages expire after
            # PAGE_CACHE_SECONDS anyway, should this process stop first); say it loudly.
            logger.exception("Could not invalidate cached pages for %s", sorted(tags))
        return
    with _unreplaced_lock:
        _unreplaced.difference_update(tags)


def cache_failed() -> None:
    """The cache could not be reached: changes made anywhere meanwhile may have gone
    unannounced, so once it answers again this process drops every stored page."""
    with _unreplaced_lock:
        _unreplaced.update((EVERY_PAGE, EVERY_CHANGE))


def replace_unreplaced_tokens() -> None:
    """Make the changes this process could not announce while the cache was down: called
    before any page is served from the cache (here and in lib/page_replay.py)."""
    if _unreplaced:
        _replace_tokens((), retrying=True)


def _current_tokens(tags: Iterable[str]) -> dict[str, str]:
    """The current token of each tag, making one for a tag that has none (new, or evicted)."""
    keys = [TAG_PREFIX + tag for tag in tags]
    found: dict[str, str] = cache.get_many(keys)
    missing = {key: secrets.token_hex(8) for key in keys if key not in found}
    for key, token in missing.items():
        # add(): if another worker made a token first, use that one.
        if not cache.add(key, token, timeout=None):
            token = cache.get(key) or ""
        found[key] = token
    return {key[len(TAG_PREFIX) :]: value for key, value in found.items()}


@functools.cache
def _configuration() -> str:
    """A fingerprint of what shapes every page besides the data: the settings and the code
    and templates. Cached pages outlive a restart in a shared cache; a deploy or a changed
    setting must not serve pages made by the old ones."""
    simple = (str, int, float, bool, tuple, list, type(None))
    values = sorted(
        (name, repr(getattr(settings, name)))
        for name in dir(settings)
        if name.isupper() and isinstance(getattr(settings, name), simple)
    )
    package = Path(__file__).resolve().parent.parent
    code = max(
        path.stat().st_mtime_ns
        for path in package.rglob("*")
        if path.is_file() and path.suffix != ".pyc"
    )
    return hashlib.sha256(repr((values, code)).encode()).hexdigest()[:16]


@receiver(setting_changed)
def _forget_configuration(**kwargs: Any) -> None:
    _configuration.cache_clear()


def _variant(request: HttpRequest) -> str | None:
    """The cache key of this request's shared page, or None when the page is personal."""
    if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_SECONDS:
        return None
    if not CACHEABLE_QUERY.fullmatch(request.META.get("QUERY_STRING", "")):
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    # An API token (broadsheet.api.auth) is only read inside the view, after this: a
    # request carrying credentials is personal from the start.
    if "HTTP_AUTHORIZATION" in request.META:
        return None
    if any(request.COOKIES.get(name) for name in PERSONAL_COOKIES):
        return None
    session = getattr(request, "session", None)
    if session is not None and session.session_key is not None:
        if any(session.get(key) for key in PERSONAL_SESSION_KEYS):
            return None
    consent = getattr(request, "consent", None)
    choice = "none" if consent is None else ",".join(sorted(consent.categories)) or "necessary"
    raw = f"{_configuration()}|{request.get_host()}|{request.get_full_path()}|{choice}"
    return ENTRY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _etag(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=12).hexdigest()


def _compressed(content: bytes) -> dict[str, bytes]:
    return {
        "br": brotli.compress(content, quality=5),
        "gzip": gzip.compress(content, compresslevel=6, mtime=0),
    }


def preferred_encoding(offered: str) -> str | None:
    """The best stored encoding an Accept-Encoding header takes, or None."""
    accepted = {part.split(";")[0].strip().lower() for part in offered.split(",")}
    return next((encoding for encoding in ENCODINGS if encoding in accepted), None)


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
        key = _variant(request)
        if key is None:
            return self.get_response(request)
        try:
            entry = cache.get(key)
            if (
                entry
                and timezone.now().timestamp() < entry["expires_at"]
                and _current_tokens(entry["tags"]) == entry["tags"]
            ):
                request.META[REPLAYABLE_UNTIL] = entry["expires_at"]
                return _answer(request, entry)
            before = _current_tokens([EVERY_CHANGE])
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
            tokens = _current_tokens([*tags, EVERY_PAGE, EVERY_CHANGE])
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
