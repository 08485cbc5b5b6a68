"""Back to the page a form was on (broadsheet.lib.redirects), and never to another site:
the moderation queue, the erasure action and the consent notice all send a visitor back
this way."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from broadsheet.lib.redirects import redirect_back, safe_next_url


@pytest.mark.parametrize(
    "next_url",
    ["/moderation/?status=held", "http://testserver/cookies/", "/your-data/"],
)
def test_a_page_of_this_site_is_where_the_visitor_goes_back_to(next_url: str) -> None:
    posted = RequestFactory().post("/moderation/act/", {"next": next_url})
    asked = RequestFactory().get("/cookies/", {"next": next_url})

    assert safe_next_url(posted) == safe_next_url(asked) == next_url
    assert redirect_back(posted, "moderation:queue")["Location"] == next_url


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/moderation/",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
        "",
    ],
)
def test_anything_else_falls_back_to_the_page_the_view_names(next_url: str) -> None:
    request = RequestFactory().post("/moderation/act/", {"next": next_url})

    assert safe_next_url(request) == ""
    assert safe_next_url(request, "/cookies/") == "/cookies/"
    assert redirect_back(request, "moderation:bans")["Location"] == "/moderation/bans/"


def test_on_https_only_an_https_address_is_accepted() -> None:
    request = RequestFactory().post(
        "/moderation/act/", {"next": "http://testserver/moderation/"}, secure=True
    )

    assert safe_next_url(request, "/") == "/"
