"""Cross-site request forgery protection without a per-visitor token.

Forms that appear on pages every visitor shares (the consent notice, and, for cached
pages, the comment form) cannot carry a CSRF token, or the page could not be shared. Those
POSTs are checked by where they come from instead: the browser's Origin header (sent with
every cross-origin POST by current browsers, and by most with same-origin ones), else
Sec-Fetch-Site, else the Referer, must name this site. A request that offers none of them
is refused: a browser that sends no Origin or Referer cannot be told apart from a forgery.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def is_same_origin(request: HttpRequest) -> bool:
    own = f"{request.scheme}://{request.get_host()}".lower()
    trusted = {own, *(origin.lower() for origin in settings.CSRF_TRUSTED_ORIGINS)}
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return origin.lower() in trusted
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in {"same-origin", "none"}
    referer = request.headers.get("Referer")
    return referer is not None and _origin_of(referer) in trusted


def same_origin_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Accept POSTs only from this site's own pages, checked by origin, not by token."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and not is_same_origin(request):
            raise PermissionDenied("This form can only be sent from this site's own pages.")
        return view(request, *args, **kwargs)

    return wrapped
