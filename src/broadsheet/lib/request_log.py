"""One log line per request, and a request id that ties it to everything else logged.

`RequestLogMiddleware`, first in MIDDLEWARE, takes the request id from an incoming
`X-Request-ID` header when it is sane (1 to 128 letters, digits, "-", "_", ".", ":"), as a
proxy or load balancer in front may set one, and otherwise makes one; it sends the id back
in the response's `X-Request-ID`, and after the response logs one record on the
`broadsheet.requests` logger with the id, method, path (never the query string, which may
carry tokens), status and duration in milliseconds (until the response is returned; a
streamed body is not timed).

`RequestIdFilter` puts the current request's id on every record logged while it runs, and
`JsonFormatter` writes each record as one JSON object a line. settings.LOGGING uses the
formatter when LOG_FORMAT=json; with the default LOG_FORMAT=text the lines stay plain.

Not logged here: pages that the page cache's replay (broadsheet/pagecache/replay.py) sends
again without entering Django (its copies of page cache hits). They never reach this
middleware, so they have no log line.
For the same reason, a page cache hit's response carries no `X-Request-ID`: the replay
keeps every header of the response it copies, and would repeat that request's id to every
reader it serves the copy to. The id is still logged for the hit itself.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.encoding import escape_uri_path

HEADER = "X-Request-ID"
# Set by the page cache (broadsheet/pagecache) in a hit's WSGI environ: until when its
# replay may send the same response to other readers, so it must not carry this request's
# id. Named here because lib imports nothing above it.
REPLAYABLE_UNTIL = "broadsheet.pagecache.replayable_until"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
logger = logging.getLogger("broadsheet.requests")


def request_id_for(request: HttpRequest) -> str:
    """The id the client or proxy sent, when it is sane; a new one otherwise."""
    offered = request.headers.get(HEADER, "")
    return offered if SANE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            if REPLAYABLE_UNTIL not in request.META:
                response[HEADER] = request_id
            # Escaped as in a URL, so a path cannot break a plain-text log line.
            path = escape_uri_path(request.path)
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
        finally:
            current_request_id.reset(token)
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to records logged during a request (and lets every record pass)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request_id = current_request_id.get()
            if request_id is not None:
                record.request_id = request_id
        return True


# Attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Django's loggers pass the HttpRequest itself; its repr holds the query string.
_LEFT_OUT = {"request"}


class JsonFormatter(logging.Formatter):
    """Each record as one line of JSON: time (UTC), level, logger and message, then every
    `extra` field (request_id, method, path, status, duration_ms for a request), then the
    traceback, if any, as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _LEFT_OUT and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
