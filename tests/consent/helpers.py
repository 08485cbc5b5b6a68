"""Helpers for the consent tests: what a response asks the browser to store, what the
consent notice offers, and choices made the way a reader's browser makes them.

Cookies are read from the response's Set-Cookie header lines, as a browser receives them.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from http.cookies import Morsel, SimpleCookie
from typing import Any

from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

from tests.helpers import SAME_ORIGIN

# The cookies the site may set without asking (the strictly necessary category), written
# out here rather than taken from the code under test.
NECESSARY_COOKIES = {
    "sessionid",
    "csrftoken",
    "messages",
    "broadsheet_consent",
    "broadsheet_commenter",
    "broadsheet_primary_until",
}
CONSENT_COOKIE = "broadsheet_consent"
OPTIONAL_CATEGORIES = {"preferences", "statistics", "external-media"}
SITE = "http://testserver"
EVIL_ORIGIN = {"Origin": "https://evil.example"}


def set_cookie_headers(response: HttpResponseBase) -> dict[str, Morsel[str]]:
    """Every cookie in the response's Set-Cookie headers, by name, with its attributes,
    parsed back from the header lines Django's WSGI handler sends to the browser."""
    lines = [morsel.output(header="").strip() for morsel in response.cookies.values()]
    found: dict[str, Morsel[str]] = {}
    for line in lines:
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(line)
        assert parsed, f"unparseable Set-Cookie header: {line!r}"
        found.update(parsed)
    return found


def stored_cookies(response: HttpResponseBase) -> set[str]:
    """Names of the cookies the response stores (sets with a value, not expires)."""
    return {
        name
        for name, morsel in set_cookie_headers(response).items()
        if morsel["max-age"] != "0" and morsel.value != ""
    }


def expired_cookies(response: HttpResponseBase) -> set[str]:
    """Names of the cookies the response removes from the browser (Max-Age=0)."""
    return {
        name for name, morsel in set_cookie_headers(response).items() if morsel["max-age"] == "0"
    }


def choose(
    client: Client,
    action: str,
    data: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponseBase:
    """POST a choice as the notice's form (or the preferences page) would send it from
    this site: `action` is "accept-all", "reject-all" or "preferences"."""
    return client.post(
        reverse(f"consent:{action}"),
        {"next": "/", **(data or {})},
        headers=SAME_ORIGIN if headers is None else headers,
        **extra,
    )


@dataclass
class Notice:
    html: str
    buttons: list[str]  # the submit buttons, in order
    form_actions: list[str]
    form_nexts: list[str]
    links: dict[str, str]  # link text -> href


def notice_of(response: HttpResponseBase) -> Notice | None:
    """The consent notice on a page, or None when the page has none."""
    page = response.content.decode()
    match = re.search(r"<section[^>]*data-consent-notice.*?</section>", page, re.S)
    if match is None:
        return None
    html = match.group(0)
    return Notice(
        html=html,
        buttons=[
            re.sub(r"\s+", " ", text).strip()
            for text in re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)
        ],
        form_actions=re.findall(r'<form[^>]*action="([^"]*)"', html),
        form_nexts=[
            html_lib.unescape(value) for value in re.findall(r'name="next" value="([^"]*)"', html)
        ],
        links={
            text: html_lib.unescape(href)
            for href, text in re.findall(r'<a[^>]*href="([^"]*)"[^>]*>(.*?)</a>', html)
        },
    )


def footer_of(response: HttpResponseBase) -> str:
    match = re.search(r'<footer class="site-footer">.*?</footer>', response.content.decode(), re.S)
    assert match is not None, "the page has no site footer"
    return match.group(0)
