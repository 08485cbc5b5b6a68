"""The embed filter and the URL scheme check take time linear in their input
(broadsheet.lib.linear): bodies and addresses made to make a pattern backtrack finish at
once and come out as they would from an ordinary one.

The 10 s guards are against a freeze, not speed tests: linear code takes milliseconds
here, and the patterns these replaced took seconds to minutes.
"""

from __future__ import annotations

import time

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from broadsheet.lib.rendering import _url_scheme
from broadsheet.publishing.templatetags.embeds import expand_embeds
from tests.pathological import GUARD_SECONDS

SIZE = 50_000
VIDEO = "Zq3xW8pLk2A"
PLACEHOLDER = (
    f'<figure data-embed-provider="youtube" data-embed-id="{VIDEO}"><p>This video is hosted '
    f'by YouTube. <a href="https://youtu.be/{VIDEO}" rel="noopener">Watch it on YouTube</a>'
    "</p></figure>"
)
# Opening tags that never end, end only at the very end, name the provider but never
# close, and attribute text with no "=" for the attribute pattern to run along.
PATHOLOGICAL_BODIES = [
    ("<figure " * SIZE)[:SIZE],
    ("<figure " * SIZE)[: SIZE - 1] + ">",
    ("<figure data-embed-provider=" * SIZE)[: SIZE - 1] + ">",
    ('<figure data-embed-provider="youtube">' * SIZE)[:SIZE],
    ("<figure x>" * SIZE)[:SIZE] + "</figure>",
    '<figure data-embed-provider="youtube" ' + "a" * SIZE + "></figure>",
    '<figure data-embed-provider="youtube" ' + "a-" * (SIZE // 2) + "=></figure>",
]


def reader_request(*, external_media: bool) -> HttpRequest:
    request = RequestFactory().get("/articles/pier-cctv/")
    accepted = {"necessary", "external-media"} if external_media else {"necessary"}
    request.consent_allows = accepted.__contains__  # type: ignore[attr-defined]
    return request


@pytest.mark.parametrize("external_media", [True, False])
def test_expand_embeds_finishes_on_bodies_made_to_backtrack(external_media: bool) -> None:
    request = reader_request(external_media=external_media)
    started = time.perf_counter()
    for body in PATHOLOGICAL_BODIES:
        # None of them holds a placeholder this site wrote: each is left as stored.
        assert expand_embeds(body, request) == body
    assert time.perf_counter() - started < GUARD_SECONDS


def test_a_placeholder_after_a_pathological_stretch_is_still_found() -> None:
    body = ("<figure " * SIZE)[:SIZE] + ">" + PLACEHOLDER + "<p>After</p>"
    started = time.perf_counter()
    html = expand_embeds(body, reader_request(external_media=True))
    assert time.perf_counter() - started < GUARD_SECONDS
    assert html.count("<iframe") == 1
    assert html.startswith(body[: SIZE + 1])
    assert html.endswith("<p>After</p>")


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("a" * SIZE + ":", "a" * SIZE),
        ("a" * SIZE, None),
        ("J" + "+.-" * (SIZE // 3) + ":x", "j" + "+.-" * (SIZE // 3)),
        ("a" * SIZE + "/:", None),
        ("\t" * SIZE + "Mailto:x", "mailto"),
        ("java\nscript" * (SIZE // 10) + ":", "javascript" * (SIZE // 10)),
        ("1" * SIZE + ":", None),
    ],
)
def test_url_scheme_finishes_on_addresses_made_to_backtrack(url: str, scheme: str | None) -> None:
    started = time.perf_counter()
    assert _url_scheme(url) == scheme
    assert time.perf_counter() - started < GUARD_SECONDS
