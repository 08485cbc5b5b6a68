"""Replay, before Django runs, the responses the page cache has just served.

Profiling a cache hit (bench/README.md, "Served pages") showed almost all of its time in
what surrounds the lookup: building the request, fourteen middleware, reading the page and
one token per tag from the cache, and the response object. This WSGI wrapper keeps, in
each worker process, a copy of whole responses the page cache answered (status, every
header the middleware added, the compressed body) and sends that copy again for the same
request while nothing has changed.

"Nothing has changed" is one read of the page cache's two global tokens: the one every
change replaces (`pagecache.changed()`) and the one every addition replaces
(`pagecache.added()`). From Redis, one MGET; from the file cache, one stat of each
token's file (see TokenFile). A new change token empties the copies; the next request
goes through Django, which checks the page's own tags and, if the page is still current,
answers it from the shared cache again, and that answer is copied. So a replayed page is
never older than a change whose request has returned, on any worker or server sharing the
cache, which is the page cache's own promise.

A new addition token only makes the copies suspect: one request per page at a time goes
through Django to learn whether its page gained anything (and, if it did, to have it
rendered once, or be served the previous version while another worker renders it), and
the other readers of that page are sent the copy meanwhile, for no longer than the grace
period counted from the last moment the copy was known to be current. So a comment
published every few milliseconds does not send every reader of every page into Django.

Only requests that the page cache itself would share are replayed, and only when it is
cheap to tell: GET, no session or personal cookie, no range headers or credentials, a
cacheable query string. Conditional requests are answered from the copy (304 when its
ETag or date matches, as Django's ConditionalGetMiddleware would), and a client that
takes no compression has a copy of its own. A copy is kept under the page's
own key, as the middleware makes it (keys.environ_page_key(), the same page_key()), and
the encoding sent, and only when Django served the page from that same key: readers
whose cookies select the same variant (the same consent choice) share copies, and a
consent that has lapsed, or was made under a cookie policy since replaced, selects the
no-choice variant at once, as in Django. Copies made for a request with cookies still
last at most REPLAY_COOKIE_SECONDS, a bound on anything a cookie might change that the key
does not know of. Everything else goes through Django unchanged.
"""

from __future__ import annotations

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
from django.utils.http import parse_etags, parse_http_date_safe

from broadsheet.lib.request_log import REPLAYABLE_UNTIL

from .file_cache import path_of
from .keys import CACHEABLE_QUERY, environ_page_key, has_personal_cookie
from .middleware import FRESH_AS_OF, RENDER_DUE, SERVED_KEY, preferred_encoding
from .tags import (
    ADDITION_PREFIX,
    EVERY_ADDITION,
    EVERY_CHANGE,
    TAG_PREFIX,
    cache_failed,
    replace_unreplaced_tokens,
)

logger = logging.getLogger(__name__)

REPLAY_COOKIE_SECONDS = 60
TOKEN_KEY = TAG_PREFIX + EVERY_CHANGE
ADDITION_TOKEN_KEY = ADDITION_PREFIX + EVERY_ADDITION
IDENTITY = "identity"
# Request headers that ask for something other than the whole shared page as stored:
# partial requests, and credentials (an API token makes a request personal).
_NOT_REPLAYED = ("HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_AUTHORIZATION")
# What a 304 leaves out of the 200 it stands for: the body's own description. (Django's
# 304 keeps the validators and caching headers, and the security middleware adds its
# headers after that; the replay keeps those and the rest, which a cache would merge
# into the stored response unchanged.)
_NOT_IN_A_304 = frozenset(
    ("content-type", "content-length", "content-encoding", "content-language")
)
# How many earlier addition tokens a process remembers the last sighting of.
_TOKEN_HISTORY = 256
# The addition token of a copy Django served stale: equal to no token.
_STALE = object()
# After Django served a page stale (another worker renders it), how long its other readers
# get the copy before one asks again: a reader asking with every request would keep a
# thread in Django the whole time the page renders elsewhere.
ASK_AGAIN_SECONDS = 0.02

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Replay:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    until: float
    # The addition token it was current under, and the moment up to which it shows every
    # addition (when it was made; the process may later learn it stayed current longer).
    addition_token: object
    fresh_as_of: float

    def not_modified(self, environ: dict[str, Any]) -> bool:
        """Whether the request's conditions match this copy, as Django decides it: an
        If-None-Match is compared with the ETag (weakly) and, alone, If-Modified-Since
        with Last-Modified."""
        headers = {name.lower(): value for name, value in self.headers}
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match is not None:
            etag = headers.get("etag", "").removeprefix("W/")
            tags = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
            return bool(etag) and (etag in tags or "*" in tags)
        since = parse_http_date_safe(environ.get("HTTP_IF_MODIFIED_SINCE", ""))
        modified = parse_http_date_safe(headers.get("last-modified", ""))
        return since is not None and modified is not None and modified <= since

    def send(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            if self.not_modified(environ):
                kept = [(n, v) for n, v in self.headers if n.lower() not in _NOT_IN_A_304]
                start_response("304 Not Modified", kept)
                return []
        start_response(self.status, self.headers)
        return [self.body]


class PageReplay:
    """WSGI middleware: `application = PageReplay(get_wsgi_application())`."""

    def __init__(self, app: WSGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.copies: OrderedDict[tuple[str, str], Replay] = OrderedDict()
        self.size = 0
        self.token: object | None = None  # the change token the copies were made under
        self.addition_token: object | None = None  # the addition token last read
        self.addition_seen_at = 0.0  # when a request last read it unchanged
        # Earlier addition tokens, with when each was last read: a copy made under one
        # showed every addition up to then.
        self.addition_history: OrderedDict[object, float] = OrderedDict()
        # Pages being asked about after an addition: until when the others get the copy.
        self.asking: dict[tuple[str, str], float] = {}
        self.lock = threading.Lock()
        self.read_tokens = token_reader()
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
            token, addition = self.read_tokens()
        except Exception:
            cache_failed()
            return self.app(environ, start_response)  # the page cache will say it is down
        now = time.time()
        if token != self.token:
            self.forget(token)
        if addition != self.addition_token:
            self._addition_seen(addition, now)
        else:
            self.addition_seen_at = now
        copy = self.copies.get(key)
        if copy is None or token is None or now >= copy.until:
            return self._through_django(environ, start_response, key, token, addition, now)
        if copy.addition_token == addition:
            return copy.send(environ, start_response)
        # Something was added somewhere since the copy was made. Until the grace period
        # is over, one request at a time asks Django; the others get the copy.
        fresh_as_of = self.addition_history.get(copy.addition_token, copy.fresh_as_of)
        if now >= fresh_as_of + settings.PAGE_CACHE_GRACE_SECONDS:
            return self._through_django(environ, start_response, key, token, addition, now)
        with self.lock:
            asking = now < self.asking.get(key, 0.0)
            if not asking:
                self.asking[key] = float("inf")
        if asking:
            return copy.send(environ, start_response)
        try:
            return self._through_django(environ, start_response, key, token, addition, now)
        finally:
            with self.lock:
                answer = self.copies.get(key)
                if answer is not None and answer.addition_token is _STALE:
                    # Another worker is rendering the page, or it is not due yet: ask
                    # again then, not with the very next request.
                    due = environ.get(RENDER_DUE) or 0.0
                    self.asking[key] = max(time.time() + ASK_AGAIN_SECONDS, due)
                else:
                    self.asking.pop(key, None)

    def forget(self, token: object | None = None) -> None:
        with self.lock:
            self.copies.clear()
            self.size = 0
            self.token = token

    def _addition_seen(self, addition: object | None, now: float) -> None:
        with self.lock:
            if addition == self.addition_token:
                return
            self.addition_history[self.addition_token] = self.addition_seen_at
            while len(self.addition_history) > _TOKEN_HISTORY:
                self.addition_history.popitem(last=False)
            self.addition_token, self.addition_seen_at = addition, now

    def _through_django(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        key: tuple[str, str],
        token: object | None,
        addition: object | None,
        asked_at: float,
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
        served_stale_as_of = environ.get(FRESH_AS_OF)
        if served_stale_as_of is None:
            # Current when Django checked, which was after the tokens were read.
            copy = Replay(status, list(headers), body, until, addition, asked_at)
        else:
            copy = Replay(status, list(headers), body, until, _STALE, served_stale_as_of)
        self._keep(key, copy, token)
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
        encoding = preferred_encoding(environ.get("HTTP_ACCEPT_ENCODING", "")) or IDENTITY
        raw_cookies = environ.get("HTTP_COOKIE")
        cookies = parse_cookie(raw_cookies) if raw_cookies else {}
        if settings.SESSION_COOKIE_NAME in cookies or has_personal_cookie(cookies):
            return None
        key = environ_page_key(environ, cookies)
        return None if key is None else (key, encoding)


def token_reader() -> Callable[[], tuple[object | None, object | None]]:
    """How this process reads the page cache's global change and addition tokens (None:
    there is none)."""
    backend = caches["default"]
    if isinstance(backend, FileBasedCache):
        changes = TokenFile(path_of(backend, TOKEN_KEY))
        additions = TokenFile(path_of(backend, ADDITION_TOKEN_KEY))
        return lambda: (changes(), additions())

    def read() -> tuple[object | None, object | None]:
        found = backend.get_many([TOKEN_KEY, ADDITION_TOKEN_KEY])
        return found.get(TOKEN_KEY), found.get(ADDITION_TOKEN_KEY)

    return read


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
        instance.read_tokens = token_reader()


def wrap(app: WSGIApp) -> WSGIApp:
    """The application `broadsheet serve` runs: `app` behind the replay when the page
    cache and PAGE_REPLAY_MAX_BYTES are on."""
    if not settings.PAGE_CACHE_SECONDS or settings.PAGE_REPLAY_MAX_BYTES <= 0:
        return app
    return PageReplay(app, settings.PAGE_REPLAY_MAX_BYTES)
