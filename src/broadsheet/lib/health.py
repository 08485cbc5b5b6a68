"""`GET /healthz`: whether this server can reach its database and its cache, for a load
balancer or a monitor that asks every second.

The answer is JSON, `{"database": "ok", "cache": "ok"}` with status 200, or 503 with
"error" against whichever did not answer (the reason goes to the log, not to the public
response). It costs one `SELECT 1` and one set and get of a small key per worker thread,
plus the page cache's lookup of the address (one cache read; it never stores this answer,
as it stores only views that call `depends_on()`). No session or consent is read: the probe
sends no cookie, and the session, authentication and consent middleware only touch the
database for a request that carries one.

The probe must send a Host header in ALLOWED_HOSTS (Django refuses any other with 400) and,
with HTTPS=true, come over HTTPS or through the proxy that says so (or be redirected).
"""

from __future__ import annotations

import logging
import os
import secrets
import threading

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.dummy import DummyCache
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK, FAILED, OFF = "ok", "error", "off"


def database_status(alias: str = DEFAULT_DB_ALIAS) -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error as exc:
        logger.warning("Health check: the database does not answer: %s", exc)
        return FAILED
    return OK


def cache_status() -> str:
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, DummyCache):
        return OFF  # no cache at all: nothing to wait for (`broadsheet check` objects)
    # One key per process and thread, so a probe never reads another's value and the number
    # of keys stays bounded; the random value proves the get reads what the set wrote.
    key = f"healthz:{os.getpid()}:{threading.get_ident()}"
    value = secrets.token_hex(4)
    try:
        cache.set(key, value, timeout=60)
        if cache.get(key) == value:
            return OK
        logger.warning("Health check: the cache did not return what was just stored in it")
    except Exception as exc:  # each backend raises its own errors (redis, OSError, ...)
        logger.warning("Health check: the cache does not answer: %s", exc)
    return FAILED


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """JSON of each dependency's status; 200 when none failed, otherwise 503."""
    report = {"database": database_status(), "cache": cache_status()}
    status = 503 if FAILED in report.values() else 200
    return JsonResponse(report, status=status)
