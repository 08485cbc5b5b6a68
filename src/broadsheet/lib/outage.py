"""The site's answer when a service it depends on is briefly gone: a 503 page, not a 500.

Django turns any exception no view or middleware handled into the 500 page through
`handler500` (set in broadsheet/urls.py to `server_error` below). When the exception says
the database connection failed (django.db's OperationalError or InterfaceError: refused,
closed under a query, timed out) or the cache could not be reached, the reader gets
`503.html` with `Retry-After` instead: the site is briefly unavailable, try again shortly.
Everything else still gets the plain 500 page. Either way Django has already logged the
exception with its traceback; the page shows none of it.

The page renders from the template alone, with no request context: the context processors
read the session, the user and the consent policy, which need the database or the cache
that just failed. Recovery needs nothing from here: a connection that failed is closed at
the end of its request (Django's close_old_connections, with CONN_HEALTH_CHECKS on for
PostgreSQL), so the next request opens a new one and succeeds as soon as the database is
back, with no restart.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # no redis extra installed, so no Redis cache that could be gone
    REDIS_UNAVAILABLE: tuple[type[BaseException], ...] = ()
else:
    REDIS_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)

# Seconds a client is asked to wait before trying again: connections are retried on every
# request, so a short outage ends for readers as soon as the service returns.
RETRY_AFTER_SECONDS = 10
# Exceptions that mean "a service is unreachable for now", not "the code is wrong".
UNAVAILABLE: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    *REDIS_UNAVAILABLE,
)


def is_outage(error: BaseException | None) -> bool:
    """Whether `error`, or an exception it was raised from, says a service is unreachable."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, UNAVAILABLE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def unavailable_response() -> HttpResponse:
    """The 503 page, rendered without the request (see the module docstring)."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Never kept by a browser, proxy or CDN: the next try must reach the site.
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page for an outage, Django's 500 page (500.html) otherwise."""
    if not is_outage(sys.exc_info()[1]):
        return defaults.server_error(request)
    try:
        return unavailable_response()
    except Exception:  # the template itself failed: still a 503, in plain words
        response = HttpResponse(b"Briefly unavailable; please try again.", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
