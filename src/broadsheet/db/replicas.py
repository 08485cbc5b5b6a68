"""Read replicas: which database each query goes to, and how a reader always sees their
own writes.

`DATABASE_REPLICA_URLS` adds the aliases `replica_1`, `replica_2`, ... (settings.py, listed
in DATABASE_REPLICAS). `ReplicaRouter` sends every write and every migration to `default`
(the primary) and a read to a replica only when the request being handled allows it;
`ReplicaMiddleware` decides that once per request. Nothing here makes a replica current:
the database's own replication does, some time after each commit. This module only keeps
reads that must be current away from them.

A read goes to the primary when:

- it happens outside a request (management commands, the mail worker, the shell): they
  read what they are about to act on, such as a task or a comment just queued;
- the request writes: POST, PUT, PATCH and DELETE read from the primary throughout, and so
  does the rest of any other request once it has written through the ORM;
- the client wrote within the last READ_YOUR_WRITES_SECONDS: the response to a request
  that wrote carries the cookie COOKIE_NAME, holding the time (seconds since the epoch, on
  the site's clock) until which that browser's requests read from the primary, on whichever
  server they land. The cookie is not signed: a forged one only sends that client's reads
  to the primary, which any client can also get by writing;
- the page cache may store the page being rendered (`pagecache.rendering_for_cache()`).
  The page cache promises that no reader sees a page older than a change whose request has
  returned: it stores a page only if no change committed while it rendered. A page read
  from a lagging replica could show rows from before a change that committed earlier, and
  would then be stored as current, with the new tokens, until the next change. So every
  render the page cache may keep reads from the primary; cached pages are therefore always
  current, and a hit needs no pinning. Pages it never stores (search, pages with other
  query strings, signed-in readers, the admin) read from a replica;
- the primary's connection is inside a transaction (`transaction.atomic()`): what the
  transaction reads should be what it writes over.

Otherwise the request reads from one replica, chosen at random when it starts and kept for
the whole request, so one page never mixes two replicas that lag by different amounts.

The request's choice lives in a context variable, set by the middleware for the length of
the request and reset after it. Each thread (granian runs several per worker) has its own
context, so requests on other threads never see it, and threads a request starts begin
without it, reading from the primary.
"""

from __future__ import annotations

import contextvars
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from broadsheet import pagecache

COOKIE_NAME = "broadsheet_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass
class RequestReads:
    """Where the current request reads: `replica` is an alias, or None for the primary.
    `wrote` is set by the router at the request's first write."""

    replica: str | None
    wrote: bool = False


_reads: contextvars.ContextVar[RequestReads | None] = contextvars.ContextVar(
    "broadsheet_replica_reads", default=None
)


def read_alias() -> str:
    """The database the current read goes to."""
    state = _reads.get()
    if (
        state is None
        or state.replica is None
        or state.wrote
        or pagecache.rendering_for_cache()
        or connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return DEFAULT_DB_ALIAS
    return state.replica


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads as `read_alias()` says, everything else to default."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _reads.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Replicas hold the same rows as the primary: an object read from one may point
        # at an object read from another.
        ours = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def pinned_until(request: HttpRequest) -> float:
    """The time, from the request's cookie, until which this client reads from the
    primary (0 without a readable cookie)."""
    try:
        until = float(request.COOKIES.get(COOKIE_NAME, ""))
    except ValueError:
        return 0.0
    return until if math.isfinite(until) else 0.0


def pin_to_primary(response: HttpResponse) -> None:
    """Have the client read from the primary for the next READ_YOUR_WRITES_SECONDS."""
    seconds = settings.READ_YOUR_WRITES_SECONDS
    if seconds <= 0:
        return
    until = math.ceil(timezone.now().timestamp() + seconds)
    response.set_cookie(
        COOKIE_NAME,
        str(until),
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ReplicaMiddleware:
    """Decide, per request, whether its reads may go to a replica, and pin a client that
    wrote to the primary for a while. Does nothing when no replica is configured (and then
    sets no cookie). Placed inside the consent middleware, which lets the cookie through
    as strictly necessary, and outside the session middleware, whose saves count as
    writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        replicas: list[str] = settings.DATABASE_REPLICAS
        if not replicas:
            return self.get_response(request)
        writes = request.method not in SAFE_METHODS
        pinned = writes or timezone.now().timestamp() < pinned_until(request)
        state = RequestReads(replica=None if pinned else random.choice(replicas))
        token = _reads.set(state)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if writes or state.wrote:
            pin_to_primary(response)
        return response
