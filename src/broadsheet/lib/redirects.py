"""Where to send a visitor after a POST: back to the page the form was on, if it is a page
of this site.

A form says where it was with a `next` field (or `?next=` in the action's query string).
That value comes from the browser, so it is honoured only when Django's
`url_has_allowed_host_and_scheme()` accepts it for this request's host (and, on HTTPS, only
an HTTPS URL); anything else, an open redirect above all, falls back to a page the view names.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, default: str = "") -> str:
    """`next` from the form or the query string if it is a page of this site, else
    `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Redirect to `safe_next_url()`, or to the URL named `fallback` (`"moderation:queue"`)
    when the request has no usable `next`."""
    return HttpResponseRedirect(safe_next_url(request) or reverse(fallback))
