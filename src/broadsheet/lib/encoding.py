"""Refuse requests whose form data or query string is not valid UTF-8.

Django decodes such bytes with replacement characters, so a comment sent with them would be
stored altered ("caf\ufffd" for "café" in Latin-1) without anyone being told. Nothing a
person types in a browser produces them: they come from broken clients and from attacks
(overlong encodings of "/" or NUL). A clear 400 page is better than silently changed text.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def malformed_part(encoded: bytes) -> str | None:
    """The first name or value of a URL-encoded string that is not valid UTF-8, shown with
    the bad bytes escaped; None when all of it is valid."""
    for pair in encoded.split(b"&"):
        for part in pair.split(b"=", 1):
            raw = unquote_to_bytes(part.replace(b"+", b" "))
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw.decode("utf-8", errors="backslashreplace")[:80]
    return None


class MalformedTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = malformed_part(request.META.get("QUERY_STRING", "").encode("latin-1"))
        if bad is None and request.content_type == FORM_CONTENT_TYPE:
            bad = malformed_part(request.body)
        if bad is not None:
            return render(request, "400.html", {"malformed": bad}, status=400)
        return self.get_response(request)
