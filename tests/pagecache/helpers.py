"""Helpers for the page cache's tests: requests sent through the replay as a WSGI server
would, and Django behind it counting what reaches it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from broadsheet.pagecache.replay import PageReplay

PATH = "/articles/bus-lanes/"


class CountingDjango:
    """Django's WSGI handler, counting the requests that reach it."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.handler(environ, start_response)


@contextmanager
def keeping_the_test_transaction() -> Iterator[None]:
    """As Django's test client does around each request: a real handler would close the
    connection, and with it the transaction each test runs in, at the start and end of
    every request. (The test client connects the handler again after its own requests,
    so this is done around each call, not once per test.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def get(
    app: Any, path: str = PATH, method: str = "GET", **headers: str
) -> tuple[str, dict[str, str], bytes]:
    headers.setdefault("Accept-Encoding", "gzip")
    environ = RequestFactory().generic(method, path, headers=headers).environ
    sent: dict[str, Any] = {}

    def start_response(status: str, response_headers: Any, exc_info: Any = None) -> None:
        sent.update(status=status, headers=dict(response_headers))

    with keeping_the_test_transaction():
        result = app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    return sent["status"], sent["headers"], body


def warm(replay: PageReplay, path: str = PATH, **headers: str) -> tuple[str, dict[str, str], bytes]:
    """Render the page, then have Django serve it from the page cache (which is copied)."""
    get(replay, path, **headers)
    return get(replay, path, **headers)
