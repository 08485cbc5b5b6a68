"""Replay, before Django runs, the responses the page cache has just served.

Profiling a cache hit (bench/README.md, "Served pages") showed almost all of its time in
what surrounds the lookup: building the request, fourteen middleware, reading the page and
one token per tag from the cache, and the response object. This WSGI wrapper keeps, in
each worker process, a copy of whole responses the page cache answered (status, every
header the middleware added, the compressed body) and sends that copy again for the same
request while nothing has changed.

"Nothing has changed" is one read of the page cache's global token, which every change
replaces (`pagecache.changed()`): from Redis, one GET; from the file cache, one stat of
the token's file (see TokenFile). A different token empties the copies; the next request
goes through Django, which checks the page's own tags and, if the page is still current,
answers it from the shared cache again, and that answer is copied. So a replayed page is
never older than a change whose request has returned, on any worker or server sharing the
cache, which is the page cache's own promise.

Only requests that the page cache itself would share are replayed, and only when it is
cheap to tell: GET, no session or personal cookie, no conditional or range headers, a
cacheable query string, a compressed encoding accepted. A copy is kept under the page's
own key, as the middleware makes it (keys.environ_page_key(), the same page_key()), and
the encoding sent, and only when Django served the page from that same key: readers
whose cookies select the same variant (the same consent choice) share copies, and a
consent that has lapsed, or was made under a cookie policy since replaced, selects the
no-choice variant at once, as in Django. Copies made for a request with cookies still
last at most REPLAY_COOKIE_SECONDS, a bound on anything a cookie might change that the key
does not know of. Everything else goes through Django unchanged.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.cookie import parse_cookie

from broadsheet.lib.request_log import REPLAYABLE_UNTIL

from .file_cache import path_of
from .keys import CACHEABLE_QUERY, environ_page_key, has_personal_cookie
from .middleware import SERVED_KEY, preferred_encoding
from .tags import EVERY_CHANGE, TAG_PREFIX, cache_failed, replace_unreplaced_tokens

logger = logging.getLogger(__name__)

REPLAY_COOKIE_SECONDS = 60
TOKEN_KEY = TAG_PREFIX + EVERY_CHANGE
# Request headers that ask for something other than the whole shared page as stored:
# conditional and partial requests, and credentials (an API token makes a request personal).
_NOT_REPLAYED = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_RANGE",
    "HTTP_IF_RANGE",
    "HTTP_AUTHORIZATION",
)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Replay:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    until: float


class PageReplay:
    """WSGI middleware: `application = PageReplay(get_wsgi_application())`."""

    def __init__(self, app: WSGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.copies: OrderedDict[tuple[str, str], Replay] = OrderedDict()
        self.size = 0
        self.token: object | None = None  # the global token the copies were made under
        self.lock = threading.Lock()
        self.change_token = change_token_reader()
        _instances.add(self)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            key = self._key(environ)
        except Exception:
            # A variant's reader failed (consent's reads the cookie policy's version, from
            # the database when the cache lacks it): Django answers, or shows the error.
            logger.warning("Could not tell the page's key; through Django.", exc_info=True)
            key = None
        if key is None:
            return self.app(environ, start_response)
        replace_unreplaced_tokens()  # changes made while the cache was down
        try:
            token = self.change_token()
        except Exception:
            cache_failed()
            return self.app(environ, start_response)  # the page cache will say it is down
        if token != self.token:
            self.forget(token)
        copy = self.copies.get(key)
        if copy is not None and token is not None and time.time() < copy.until:
            start_response(copy.status, copy.headers)
            return [copy.body]
        return self._through_django(environ, start_response, key, token)

    def forget(self, token: object | None = None) -> None:
        with self.lock:
            self.copies.clear()
            self.size = 0
            self.token = token

    def _through_django(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        key: tuple[str, str],
        token: object | None,
    ) -> Iterable[bytes]:
        sent: list[Any] = []

        def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.app(environ, remember)
        until = environ.get(REPLAYABLE_UNTIL)
        if until is None or token is None or not sent or not sent[0].startswith("200"):
            return result
        if environ.get(SERVED_KEY) != key[0]:
            return result  # Django read the request as another page (see SERVED_KEY)
        status, headers = sent
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()  # Django's request_finished; the server would have called it
        if "HTTP_COOKIE" in environ:
            until = min(until, time.time() + REPLAY_COOKIE_SECONDS)
        self._keep(key, Replay(status, list(headers), body, until), token)
        return [body]

    def _keep(self, key: tuple[str, str], copy: Replay, token: object) -> None:
        if len(copy.body) > self.max_bytes:
            return
        with self.lock:
            if token != self.token:
                return  # something changed while Django answered
            previous = self.copies.pop(key, None)
            if previous is not None:
                self.size -= len(previous.body)
            while self.copies and self.size + len(copy.body) > self.max_bytes:
                _, oldest = self.copies.popitem(last=False)
                self.size -= len(oldest.body)
            self.copies[key] = copy
            self.size += len(copy.body)

    @staticmethod
    def _key(environ: dict[str, Any]) -> tuple[str, str] | None:
        """The page's key, as the middleware makes it, and the encoding to send; or None
        when the request might be personal or is not a plain GET of a whole page."""
        if environ.get("REQUEST_METHOD") != "GET" or any(h in environ for h in _NOT_REPLAYED):
            return None
        if not CACHEABLE_QUERY.fullmatch(environ.get("QUERY_STRING", "")):
            return None
        encoding = preferred_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
        if encoding is None:
            return None
        raw_cookies = environ.get("HTTP_COOKIE")
        cookies = parse_cookie(raw_cookies) if raw_cookies else {}
        if settings.SESSION_COOKIE_NAME in cookies or has_personal_cookie(cookies):
            return None
        key = environ_page_key(environ, cookies)
        return None if key is None else (key, encoding)


def change_token_reader() -> Callable[[], object | None]:
    """How this process reads the page cache's global token (None: there is none)."""
    backend = caches["default"]
    if isinstance(backend, FileBasedCache):
        return TokenFile(path_of(backend, TOKEN_KEY))
    return functools.partial(backend.get, TOKEN_KEY)


class TokenFile:
    """The global token's file under the file cache, read for the price of one stat.

    Django writes a cache file to a temporary name and renames it over the old one, never
    in place, so every change gives the token's path a new inode. While this process holds
    the file it last read open, that inode cannot be reused: the same inode at the path
    means the same token. The raw bytes stand for the token (they differ when it does).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.current: tuple[int, bytes, IO[bytes]] | None = None
        self.lock = threading.Lock()

    def __call__(self) -> bytes | None:
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            return None
        current = self.current
        if current is not None and current[0] == inode:
            return current[1]
        with self.lock:
            try:
                held = open(self.path, "rb")  # noqa: SIM115  (kept open on purpose)
            except FileNotFoundError:
                return None
            inode = os.fstat(held.fileno()).st_ino
            previous, self.current = self.current, (inode, held.read(), held)
            if previous is not None:
                previous[2].close()
            return self.current[1]


_instances: weakref.WeakSet[PageReplay] = weakref.WeakSet()


@receiver(setting_changed)
def _forget_copies(**kwargs: Any) -> None:
    for instance in _instances:
        instance.forget()
        instance.change_token = change_token_reader()


def wrap(app: WSGIApp) -> WSGIApp:
    """The application `broadsheet serve` runs: `app` behind the replay when the page
    cache and PAGE_REPLAY_MAX_BYTES are on."""
    if not settings.PAGE_CACHE_SECONDS or settings.PAGE_REPLAY_MAX_BYTES <= 0:
        return app
    return PageReplay(app, settings.PAGE_REPLAY_MAX_BYTES)
