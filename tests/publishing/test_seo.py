"""The article page's head for search engines and link previews: canonical link, OpenGraph
tags and schema.org JSON-LD, and that no stored text can break out of any of them."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client

from broadsheet.publishing.models import Article
from tests.helpers import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
BREAKOUT = "</script><script>alert(1)</script>"


def meta(html: str, prop: str) -> str | None:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', html)
    return match.group(1) if match else None


def jsonld(html: str) -> dict[str, Any]:
    blocks = JSONLD.findall(html)
    assert len(blocks) == 1, "expected exactly one JSON-LD block"
    data: dict[str, Any] = json.loads(blocks[0])
    return data


@pytest.fixture
def story() -> Article:
    return make_article(
        "Harbour wall repairs run over budget",
        standfirst="The bill has doubled since the storm of last winter.",
        authors=[make_author("Tomasz Wren"), make_author("Ada Reyes"), make_author("Lin Abara")],
        topics=[make_topic("Coast"), make_topic("Council")],
        published_at=dt.datetime(2024, 2, 6, 7, 15, tzinfo=dt.UTC),
    )


def test_article_has_absolute_canonical_link(story: Article, client: Client) -> None:
    html = client.get(story.get_absolute_url()).content.decode()

    assert f'<link rel="canonical" href="{BASE}{story.get_absolute_url()}">' in html


def test_canonical_ignores_tracking_parameters(story: Article, client: Client) -> None:
    article_html = client.get(story.get_absolute_url(), {"utm_source": "x"}).content.decode()
    home_html = client.get("/", {"utm_source": "newsletter"}).content.decode()

    assert f'<link rel="canonical" href="{BASE}{story.get_absolute_url()}">' in article_html
    assert f'<link rel="canonical" href="{BASE}/">' in home_html
    assert "utm_source" not in home_html


def test_canonical_of_later_home_pages_keeps_the_page(client: Client, settings: Any) -> None:
    settings.ARTICLES_PER_PAGE = 1
    make_article("Morning bulletin")
    make_article("Evening bulletin")

    html = client.get("/?page=2&ref=footer").content.decode()

    assert f'<link rel="canonical" href="{BASE}/?page=2">' in html


def test_article_has_opengraph_tags(story: Article, client: Client) -> None:
    html = client.get(story.get_absolute_url()).content.decode()

    assert meta(html, "og:type") == "article"
    assert meta(html, "og:title") == "Harbour wall repairs run over budget"
    assert meta(html, "og:site_name") == "Broadsheet"
    assert meta(html, "og:url") == f"{BASE}{story.get_absolute_url()}"
    assert meta(html, "og:description") == "The bill has doubled since the storm of last winter."
    assert meta(html, "article:published_time") == "2024-02-06T07:15:00+00:00"
    assert re.findall(r'<meta property="article:tag" content="([^"]*)">', html) == [
        "Coast",
        "Council",
    ]


def test_article_jsonld_describes_the_article_with_authors_in_byline_order(
    story: Article, client: Client
) -> None:
    data = jsonld(client.get(story.get_absolute_url()).content.decode())

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Article"
    assert data["headline"] == "Harbour wall repairs run over budget"
    assert data["description"] == "The bill has doubled since the storm of last winter."
    assert data["url"] == f"{BASE}{story.get_absolute_url()}"
    assert data["datePublished"] == "2024-02-06T07:15:00+00:00"
    assert [author["name"] for author in data["author"]] == [
        "Tomasz Wren",
        "Ada Reyes",
        "Lin Abara",
    ]
    assert all(author["url"].startswith(f"{BASE}/authors/") for author in data["author"])
    assert data["publisher"] == {"@type": "Organization", "name": "Broadsheet"}


def test_title_cannot_break_out_of_the_jsonld_script(client: Client) -> None:
    title = f"Budget row {BREAKOUT} & <!-- more"
    article = make_article(
        title,
        standfirst=f"Standfirst {BREAKOUT}",
        authors=[make_author(f"Mallory {BREAKOUT}")],
    )

    html = client.get(article.get_absolute_url()).content.decode()

    assert BREAKOUT not in html
    assert "<script>alert(1)" not in html
    # The whole JSON-LD block ends at its own closing tag and still reads back exactly.
    data = jsonld(html)
    assert data["headline"] == title
    assert data["description"] == f"Standfirst {BREAKOUT}"
    assert data["author"][0]["name"] == f"Mallory {BREAKOUT}"
    assert re.findall(r"<script[^>]*>\s*alert", html) == []


def test_hostile_title_is_escaped_in_title_heading_and_meta(client: Client) -> None:
    article = make_article(f'Row over "fees" {BREAKOUT}')
    escaped = "Row over &quot;fees&quot; &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"

    html = client.get(article.get_absolute_url()).content.decode()

    assert f"<title>{escaped} · Broadsheet</title>" in html
    assert f'<h1 id="article-title">{escaped}</h1>' in html
    assert meta(html, "og:title") == escaped


def test_pages_declare_the_sites_language(client: Client, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en-gb"

    html = client.get("/").content.decode()

    assert '<html lang="en-gb">' in html
