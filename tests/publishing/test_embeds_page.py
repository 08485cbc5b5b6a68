"""Videos on the article page: a placeholder that loads nothing from another site until the
reader allows external media, and a privacy-enhanced player once they have."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client

from broadsheet.publishing.models import Article
from tests.helpers import make_article

pytestmark = pytest.mark.django_db

VIDEO = "Hb7Qe2Rn0xY"  # YouTube's id shape; no such video is needed
ORIGIN = {"Origin": "http://testserver"}
BODY = (
    "The harbour board met in public for the first time.\n\n"
    f"https://www.youtube.com/watch?v={VIDEO}\n\n"
    "Minutes will follow next week."
)


class _Sources(HTMLParser):
    """Every src attribute on the page, and the iframes."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.iframes: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.sources += [value or "" for name, value in attrs if name == "src"]
        if tag == "iframe":
            self.iframes.append(dict(attrs))


def sources_of(html: str) -> _Sources:
    parser = _Sources()
    parser.feed(html)
    return parser


def other_hosts(html: str) -> set[str]:
    """Hosts other than this site that the page would load something from."""
    hosts = {urlsplit(source).netloc for source in sources_of(html).sources}
    return hosts - {"", "testserver"}


def choose(client: Client, *categories: str) -> None:
    """Save a cookie choice the way the preferences page does."""
    response = client.post("/cookies/", dict.fromkeys(categories, "on"), headers=ORIGIN)
    assert response.status_code == 302


@pytest.fixture
def article() -> Article:
    return make_article("Harbour board meets in public", body=BODY)


def test_the_stored_body_holds_a_placeholder_and_no_frame(article: Article) -> None:
    assert f'data-embed-provider="youtube" data-embed-id="{VIDEO}"' in article.body_html
    assert "<iframe" not in article.body_html
    assert "This video is hosted by YouTube." in article.body_html


def test_without_a_choice_the_page_names_youtube_and_loads_nothing_from_it(
    client: Client, article: Article
) -> None:
    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "This video is hosted by YouTube." in html
    assert f"/cookies/?next=%2Farticles%2F{article.slug}%2F" in html
    assert "Load video from YouTube (allows external media)" in html
    assert sources_of(html).iframes == []
    assert "youtube-nocookie" not in html
    assert other_hosts(html) == set()


def test_accepting_other_categories_is_not_enough(client: Client, article: Article) -> None:
    choose(client, "preferences", "statistics")

    html = client.get(article.get_absolute_url()).content.decode()

    assert sources_of(html).iframes == []
    assert other_hosts(html) == set()
    assert "Load video from YouTube" in html


def test_after_accepting_all_the_page_shows_the_nocookie_player(
    client: Client, article: Article
) -> None:
    accepted = client.post("/cookies/accept-all/", {"next": "/"}, headers=ORIGIN)
    assert accepted.status_code == 302

    html = client.get(article.get_absolute_url()).content.decode()

    (iframe,) = sources_of(html).iframes
    assert iframe["src"] == f"https://www.youtube-nocookie.com/embed/{VIDEO}"
    assert iframe["sandbox"] == "allow-scripts allow-same-origin allow-presentation"
    assert iframe["loading"] == "lazy"
    assert other_hosts(html) == {"www.youtube-nocookie.com"}
    assert "Load video from YouTube" not in html


def test_the_button_leads_to_the_choice_and_back_to_the_player(
    client: Client, article: Article
) -> None:
    html = client.get(article.get_absolute_url()).content.decode()
    button = f"/cookies/?next=%2Farticles%2F{article.slug}%2F"
    assert button in html

    preferences = client.get(button)
    assert preferences.status_code == 200
    saved = client.post(
        "/cookies/",
        {"external-media": "on", "next": article.get_absolute_url()},
        headers=ORIGIN,
    )

    assert saved.status_code == 302
    assert saved["Location"] == article.get_absolute_url()
    (iframe,) = sources_of(client.get(saved["Location"]).content.decode()).iframes
    assert iframe["src"] == f"https://www.youtube-nocookie.com/embed/{VIDEO}"


def test_withdrawing_external_media_takes_the_player_away(client: Client, article: Article) -> None:
    choose(client, "external-media")
    assert sources_of(client.get(article.get_absolute_url()).content.decode()).iframes

    client.post("/cookies/reject-all/", {"next": "/"}, headers=ORIGIN)

    html = client.get(article.get_absolute_url()).content.decode()
    assert sources_of(html).iframes == []
    assert other_hosts(html) == set()


def test_forged_placeholders_in_raw_html_never_become_players(client: Client) -> None:
    article = make_article(
        "Harbour board, forged",
        body=(
            f'<figure data-embed-provider="youtube" data-embed-id="{VIDEO}">One</figure>\n\n'
            '<figure data-embed-provider="youtube" '
            'data-embed-id="x&quot; onload=&quot;alert(1)">Two</figure>\n\n'
            '<figure data-embed-provider="evil" data-embed-id="abc">Three</figure>\n\n'
            '<iframe src="https://attacker.example/"></iframe>'
        ),
    )
    choose(client, "external-media")

    html = client.get(article.get_absolute_url()).content.decode()

    assert sources_of(html).iframes == []
    assert other_hosts(html) == set()
    assert "onload" not in html
    assert "data-embed" not in article.body_html


def test_a_video_address_in_a_sentence_is_just_text_or_a_link(client: Client) -> None:
    article = make_article(
        "Harbour board, linked",
        body=(
            f"The recording is at https://youtu.be/{VIDEO} for now.\n\n"
            f"Or [watch it here](https://youtu.be/{VIDEO})."
        ),
    )
    choose(client, "external-media")

    html = client.get(article.get_absolute_url()).content.decode()

    assert sources_of(html).iframes == []
    assert "Load video" not in html
    assert f'<a href="https://youtu.be/{VIDEO}" rel="noopener">watch it here</a>' in html
