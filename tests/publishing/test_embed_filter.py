"""Video embeds in article bodies: which addresses become a placeholder when a body is
saved, what the stored placeholder may contain, and what `expand_embeds` makes of it for
readers with and without the external-media cookie category.

Pages end to end are in tests/publishing/test_embeds_page.py.
"""

from __future__ import annotations

import re

import pytest
from django.http import HttpRequest
from django.test import RequestFactory

from broadsheet.lib.rendering import (
    embed_for_url,
    html_to_text,
    render_article_markdown,
    sanitise_article_html,
)
from broadsheet.publishing.templatetags.embeds import expand_embeds

VIDEO = "Zq3xW8pLk2A"  # an id of YouTube's shape, made up for these tests
YOUTUBE_PLACEHOLDER = (
    f'<figure data-embed-provider="youtube" data-embed-id="{VIDEO}"><p>This video is hosted '
    f'by YouTube. <a href="https://youtu.be/{VIDEO}" rel="noopener">Watch it on YouTube</a>'
    "</p></figure>"
)


def reader_request(*, external_media: bool, method: str = "get") -> HttpRequest:
    request = getattr(RequestFactory(), method)("/articles/pier-cctv/?page=2")
    accepted = {"necessary", "external-media"} if external_media else {"necessary"}
    request.consent_allows = accepted.__contains__  # type: ignore[attr-defined]
    return request


@pytest.mark.parametrize(
    ("url", "provider", "video_id"),
    [
        (f"https://www.youtube.com/watch?v={VIDEO}", "youtube", VIDEO),
        (f"https://youtube.com/watch?feature=share&v={VIDEO}&t=42s", "youtube", VIDEO),
        (f"http://m.youtube.com/watch?v={VIDEO}", "youtube", VIDEO),
        (f"https://youtu.be/{VIDEO}?si=trackingcode", "youtube", VIDEO),
        (f"https://www.youtube.com/shorts/{VIDEO}", "youtube", VIDEO),
        (f"https://www.youtube.com/live/{VIDEO}", "youtube", VIDEO),
        (f"https://www.youtube-nocookie.com/embed/{VIDEO}", "youtube", VIDEO),
        ("HTTPS://WWW.YOUTUBE.COM/watch?v=" + VIDEO, "youtube", VIDEO),
        ("https://vimeo.com/482913570", "vimeo", "482913570"),
        ("https://player.vimeo.com/video/482913570", "vimeo", "482913570"),
    ],
)
def test_video_addresses_of_known_providers_are_recognised(
    url: str, provider: str, video_id: str
) -> None:
    found = embed_for_url(url)

    assert found is not None
    assert (found[0].key, found[1]) == (provider, video_id)


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.youtube.com.example.net/watch?v={VIDEO}",  # someone else's host
        f"https://example.net/youtu.be/{VIDEO}",
        f"https://youtube.com@example.net/watch?v={VIDEO}",
        f"https://www.youtube.com:8443/watch?v={VIDEO}",
        f"javascript://www.youtube.com/watch?v={VIDEO}",
        "https://www.youtube.com/watch?v=short",  # not eleven characters
        f"https://www.youtube.com/watch?v={VIDEO}x",
        'https://www.youtube.com/watch?v=Zq3xW8pLk"A',
        f"https://youtu.be/{VIDEO}/more",
        "https://www.youtube.com/playlist?list=PL0123456789",
        "https://www.youtube.com/@harbourcouncil",
        "https://vimeo.com/channels/staffpicks",
        "https://vimeo.com/482913570/a1b2c3d4e5",  # a private link's second code
        "https://vimeo.com/0482913570",
        "https://player.vimeo.com/video/12345678901234567890",
    ],
)
def test_other_addresses_are_not_videos(url: str) -> None:
    assert embed_for_url(url) is None


@pytest.mark.parametrize(
    "line",
    [f"https://youtu.be/{VIDEO}", f"<https://youtu.be/{VIDEO}>", f"   https://youtu.be/{VIDEO}  "],
)
def test_a_video_address_alone_in_a_paragraph_is_stored_as_a_placeholder(line: str) -> None:
    html = render_article_markdown(f"The harbour meeting was filmed.\n\n{line}\n\nMore soon.")

    assert html == (
        f"<p>The harbour meeting was filmed.</p>\n{YOUTUBE_PLACEHOLDER}\n<p>More soon.</p>\n"
    )
    assert "<iframe" not in html


def test_the_placeholder_links_to_the_address_as_written() -> None:
    html = render_article_markdown(f"https://www.youtube.com/watch?v={VIDEO}&t=42s")

    assert 'data-embed-provider="youtube"' in html
    assert f'<a href="https://www.youtube.com/watch?v={VIDEO}&amp;t=42s" rel="noopener">' in html


def test_a_vimeo_address_becomes_a_vimeo_placeholder() -> None:
    html = render_article_markdown("https://vimeo.com/482913570")

    assert html.startswith(
        '<figure data-embed-provider="vimeo" data-embed-id="482913570"><p>This video is '
        "hosted by Vimeo."
    )


@pytest.mark.parametrize(
    "source",
    [
        f"Watch the meeting at https://youtu.be/{VIDEO} before Friday.",
        f"Watch [the meeting](https://youtu.be/{VIDEO}).",
        f"[https://youtu.be/{VIDEO}](https://youtu.be/{VIDEO})",
        f"- https://youtu.be/{VIDEO}",
        f"> https://youtu.be/{VIDEO}",
        f"Footnoted.[^1]\n\n[^1]: https://youtu.be/{VIDEO}",
        f"https://youtu.be/{VIDEO}\nhttps://vimeo.com/482913570",
        "https://example.org/harbour-meeting.mp4",
    ],
)
def test_addresses_in_sentences_links_lists_and_quotations_stay_as_written(source: str) -> None:
    html = render_article_markdown(source)

    assert "data-embed" not in html
    assert "<figure" not in html


def test_an_address_in_a_sentence_written_as_a_link_stays_an_ordinary_link() -> None:
    html = render_article_markdown(f"Watch [the meeting](https://youtu.be/{VIDEO}) again.")

    assert html == (
        f'<p>Watch <a href="https://youtu.be/{VIDEO}" rel="noopener">the meeting</a> again.</p>\n'
    )


@pytest.mark.parametrize(
    "raw",
    [
        f'<figure data-embed-provider="youtube" data-embed-id="{VIDEO}">Forged</figure>',
        '<figure data-embed-provider="youtube" data-embed-id="x&quot; onload=&quot;alert(1)">'
        "Forged</figure>",
        '<figure data-embed-provider="evil" data-embed-id="abc">Forged</figure>',
        '<p data-embed-provider="youtube" data-embed-id="Zq3xW8pLk2A">Forged</p>',
        f'<figure data-embed-provider="youtube" data-embed-id="{VIDEO}" data-embed-src='
        '"https://attacker.example/">Forged</figure>',
    ],
)
def test_editors_raw_html_cannot_write_placeholder_attributes(raw: str) -> None:
    stored = render_article_markdown(f"Before.\n\n{raw}\n\nAfter.")

    assert "data-embed" not in stored
    assert "Forged" in stored
    assert "data-embed" not in sanitise_article_html(raw)
    assert "<iframe" not in expand_embeds(stored, reader_request(external_media=True))


def test_placeholders_are_left_out_of_the_plain_text() -> None:
    html = render_article_markdown(f"The pier.\n\nhttps://youtu.be/{VIDEO}\n\nThe gate.")

    assert html_to_text(html) == "The pier. The gate."


# expand_embeds ------------------------------------------------------------------------


def test_without_external_media_the_placeholder_offers_the_cookie_choices() -> None:
    html = expand_embeds(YOUTUBE_PLACEHOLDER, reader_request(external_media=False))

    assert "<iframe" not in html
    assert "This video is hosted by YouTube." in html
    assert (
        '<a class="button" href="/cookies/?next=%2Farticles%2Fpier-cctv%2F%3Fpage%3D2">'
        "Load video from YouTube (allows external media)</a>"
    ) in html
    assert not re.search(r"\ssrc=", html)


def test_after_a_post_the_button_returns_to_the_page_the_reader_came_from() -> None:
    request = reader_request(external_media=False, method="post")
    request.META["HTTP_REFERER"] = "http://testserver/articles/pier-cctv/"

    html = expand_embeds(YOUTUBE_PLACEHOLDER, request)

    assert "/cookies/?next=http%3A%2F%2Ftestserver%2Farticles%2Fpier-cctv%2F" in html


def test_without_a_request_nothing_is_loaded() -> None:
    html = expand_embeds(YOUTUBE_PLACEHOLDER, None)

    assert "<iframe" not in html
    assert "Load video from YouTube" in html


def test_with_external_media_the_placeholder_becomes_a_sandboxed_nocookie_player() -> None:
    html = expand_embeds(YOUTUBE_PLACEHOLDER, reader_request(external_media=True))

    iframes = re.findall(r"<iframe [^>]*>", html)
    assert len(iframes) == 1
    iframe = iframes[0]
    assert f'src="https://www.youtube-nocookie.com/embed/{VIDEO}"' in iframe
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation"' in iframe
    assert 'loading="lazy"' in iframe
    assert 'referrerpolicy="strict-origin-when-cross-origin"' in iframe
    assert 'title="Video from YouTube"' in iframe
    assert "allow=" in iframe
    assert "Load video" not in html
    assert "Watch it on YouTube" in html  # the stored line stays under the player


def test_a_vimeo_player_uses_vimeos_player_with_tracking_off() -> None:
    stored = render_article_markdown("https://vimeo.com/482913570")

    html = expand_embeds(stored, reader_request(external_media=True))

    assert 'src="https://player.vimeo.com/video/482913570?dnt=1"' in html


def test_the_player_address_comes_from_the_id_never_from_the_stored_link() -> None:
    stored = YOUTUBE_PLACEHOLDER.replace(
        f"https://youtu.be/{VIDEO}", "https://attacker.example/player"
    )

    html = expand_embeds(stored, reader_request(external_media=True))

    assert re.findall(r'src="([^"]*)"', html) == [f"https://www.youtube-nocookie.com/embed/{VIDEO}"]


@pytest.mark.parametrize(
    "stored",
    [
        # What could only be in a body stored before sanitising, or written to the database
        # directly: expand_embeds checks provider and id again before using them.
        '<figure data-embed-provider="evil" data-embed-id="Zq3xW8pLk2A"><p>x</p></figure>',
        '<figure data-embed-provider="youtube" data-embed-id="x&quot; onload=&quot;alert(1)">'
        "<p>x</p></figure>",
        '<figure data-embed-provider="youtube" data-embed-id="../../evil/x"><p>x</p></figure>',
        '<figure data-embed-provider="vimeo" data-embed-id="Zq3xW8pLk2A"><p>x</p></figure>',
        '<figure data-embed-provider="youtube"><p>x</p></figure>',
    ],
)
def test_invalid_placeholders_are_left_as_stored(stored: str) -> None:
    for external_media in (True, False):
        html = expand_embeds(stored, reader_request(external_media=external_media))

        assert html == stored
        assert "<iframe" not in html


def test_every_placeholder_in_a_body_is_expanded_and_the_rest_kept() -> None:
    stored = render_article_markdown(
        f"## Two films\n\nhttps://youtu.be/{VIDEO}\n\n<figure><figcaption>Map</figcaption>"
        "</figure>\n\nhttps://vimeo.com/482913570\n\nThe end."
    )

    html = expand_embeds(stored, reader_request(external_media=True))

    assert html.count("<iframe") == 2
    assert "<h2>Two films</h2>" in html
    assert "<figure><figcaption>Map</figcaption></figure>" in html
    assert html.endswith("<p>The end.</p>\n")
