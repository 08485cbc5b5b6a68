"""Which requests share a page, and the one key they share it under.

`page_key()` builds every key. The middleware stores and finds a page under
`shared_page_key(request)`; the replay (replay.py), which runs before Django, keeps its
copies under `environ_page_key(environ, cookies)` (and the encoding it sent). Both take the
host and the path as Django's own request gives them (`get_host()`, `get_full_path()`)
and the variant from the cookies as `variant_of()` reads them, so a request that the
middleware would store under a key is replayed from that key's copy and no other.

A key is made of:
- a fingerprint of the settings and the code: a deploy or a changed setting never serves
  pages made by the old ones;
- the host, and the path with its query string (none, or `page=N`);
- the variant: for each cookie registered with `varies_with_cookie()`, the variant its
  value selects (consent's: the reader's valid choice, "none" without one). Other
  cookies are not part of it.

Never shared: anything but GET and HEAD, another query string, a signed-in user,
credentials, a personal cookie or session key (`personal_when_present()`).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest

ENTRY_PREFIX = "page:"
# Query strings worth caching: none, or a page number. Anything else is rendered each time,
# so junk parameters cannot fill the cache.
CACHEABLE_QUERY = re.compile(r"(page=\d{1,6})?")
# A cookie or session key that makes a page the reader's own (pending messages here; apps
# add theirs with personal_when_present()), so it is never shared.
PERSONAL_COOKIES = {"messages"}
PERSONAL_SESSION_KEYS = {"_messages"}
# Cookies whose value selects one of several shared variants of a page, each with what
# tells its variant from its value: registered by their app with varies_with_cookie().
VARIANT_COOKIES: dict[str, Callable[[str], str]] = {}


def personal_when_present(*, cookie: str = "", session_key: str = "") -> None:
    """Pages for a reader with this cookie (or session key) set are personal: called by
    an app whose pages show what it holds (discussion: remembered details, own held
    comments)."""
    if cookie:
        PERSONAL_COOKIES.add(cookie)
    if session_key:
        PERSONAL_SESSION_KEYS.add(session_key)


def varies_with_cookie(name: str, variant: Callable[[str], str]) -> None:
    """Pages are shared per variant of this cookie: `variant(value)` names the variant a
    value selects (called with "" when the cookie is absent), and readers whose values
    select the same one share pages. Consent names the reader's valid choice.

    The replay calls it before Django runs, on every request it may answer, so it should
    be cheap for an absent cookie and must read nothing of the request but the value."""
    VARIANT_COOKIES[name] = variant


def has_personal_cookie(cookies: Mapping[str, str]) -> bool:
    return any(cookies.get(name) for name in PERSONAL_COOKIES)


def variant_of(cookies: Mapping[str, str]) -> str:
    """The shared variant these cookies select, from every registered cookie."""
    return "&".join(
        f"{name}={variant(cookies.get(name, ''))}" for name, variant in VARIANT_COOKIES.items()
    )


def page_key(host: str, full_path: str, cookies: Mapping[str, str]) -> str:
    """The cache key of the shared page at `host` and `full_path` (query string included)
    for a reader with `cookies`. The only place a page's key is made."""
    return _hashed(host, full_path, variant_of(cookies))


@functools.lru_cache(maxsize=4096)
def _hashed(host: str, full_path: str, variant: str) -> str:
    raw = f"{configuration()}|{host}|{full_path}|{variant}"
    return ENTRY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def shared_page_key(request: HttpRequest) -> str | None:
    """The key of this request's shared page (the middleware's), or None when the page is
    personal or not cached."""
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
    if has_personal_cookie(request.COOKIES):
        return None
    session = getattr(request, "session", None)
    if session is not None and session.session_key is not None:
        if any(session.get(key) for key in PERSONAL_SESSION_KEYS):
            return None
    return page_key(request.get_host(), request.get_full_path(), request.COOKIES)


def environ_page_key(environ: Mapping[str, Any], cookies: Mapping[str, str]) -> str | None:
    """The key the middleware would give a request with this WSGI environ and `cookies`
    (the replay's), or None for a host Django refuses. Whether the page is shared at all
    is the caller's to tell first."""
    entries = tuple((name, environ[name]) for name in _address_entries() if name in environ)
    address = _address(entries)
    if address is None:
        return None
    return page_key(*address, cookies)


# The environ entries Django reads for a request's host and path (Django 5.2:
# HttpRequest.get_host(), get_port() and scheme; get_script_name() and get_path_info() in
# django/core/handlers/wsgi.py), besides the header SECURE_PROXY_SSL_HEADER names.
_ADDRESS_ENTRIES = (
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.url_scheme",
    "SCRIPT_URL",
    "REDIRECT_URL",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
)


@functools.cache
def _address_entries() -> tuple[str, ...]:
    header = settings.SECURE_PROXY_SSL_HEADER
    return _ADDRESS_ENTRIES + ((header[0],) if header else ())


@functools.lru_cache(maxsize=4096)
def _address(entries: tuple[tuple[str, Any], ...]) -> tuple[str, str] | None:
    """The host and full path Django's own request gives for these environ entries, or
    None for a host it refuses. Kept per process: building the request costs ten times
    what the replay spends on the rest of a request."""
    request = WSGIRequest({"REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO(), **dict(entries)})
    try:
        return request.get_host(), request.get_full_path()
    except DisallowedHost:
        return None


@functools.cache
def configuration() -> str:
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
def _forget_settings(**kwargs: Any) -> None:
    configuration.cache_clear()
    _hashed.cache_clear()
    _address_entries.cache_clear()
    _address.cache_clear()
