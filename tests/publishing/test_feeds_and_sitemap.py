"""What feed readers and crawlers get: RSS and Atom feeds, sitemap.xml and robots.txt.

Everything is parsed as XML, as a feed reader would, and checked for what it lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree
from django.test import Client
from django.utils import timezone

from broadsheet.publishing.models import Article
from tests.helpers import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "http://testserver"


def parse(client: Client, url: str) -> Element:
    response = client.get(url)
    assert response.status_code == 200, url
    root: Element = ElementTree.fromstring(response.content)
    return root


def rss_items(root: Element) -> list[dict[str, Any]]:
    return [
        {
            "title": item.findtext("title"),
            "link": item.findtext("link"),
            "description": item.findtext("description") or "",
            "creator": item.findtext(f"{DC}creator"),
            "categories": [c.text for c in item.findall("category")],
        }
        for item in root.iter("item")
    ]


def atom_entries(root: Element) -> list[dict[str, Any]]:
    entries = []
    for entry in root.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        entries.append(
            {
                "title": entry.findtext(f"{ATOM}title"),
                "link": link.get("href") if link is not None else None,
                "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            }
        )
    return entries


def titles_in(client: Client, url: str) -> list[str]:
    root = parse(client, url)
    if root.tag == f"{ATOM}feed":
        return [entry["title"] for entry in atom_entries(root)]
    return [item["title"] for item in rss_items(root)]


@pytest.fixture
def newsroom() -> dict[str, Any]:
    """Two authors and two topics; live articles for each, and hidden ones for both."""
    ada, lin = make_author("Ada Reyes", bio="Housing."), make_author("Lin Abara")
    housing, transport = make_topic("Housing"), make_topic("Transport")
    now = timezone.now()
    rent = make_article(
        "Rent tribunal backlog grows",
        standfirst="Cases now wait eleven months for a hearing.",
        body="Figures released on *Monday* show the longest wait on record.",
        authors=[ada, lin],
        topics=[housing],
        published_at=now - dt.timedelta(days=2),
    )
    ferry = make_article(
        "Ferry fares frozen for winter",
        authors=[lin],
        topics=[transport],
        published_at=now - dt.timedelta(days=1),
    )
    draft = make_article(
        "Draft on the harbour dredging",
        authors=[ada, lin],
        topics=[housing, transport],
        status=Article.Status.DRAFT,
    )
    scheduled = make_article(
        "Scheduled piece on the night bus",
        authors=[ada, lin],
        topics=[housing, transport],
        status=Article.Status.SCHEDULED,
        published_at=now + dt.timedelta(days=3),
    )
    return {
        "ada": ada,
        "lin": lin,
        "housing": housing,
        "transport": transport,
        "rent": rent,
        "ferry": ferry,
        "hidden": [draft, scheduled],
    }


def all_feed_urls(world: dict[str, Any]) -> list[str]:
    urls = ["/feed/", "/feed/atom/"]
    for thing in ("ada", "lin", "housing", "transport"):
        base = world[thing].get_absolute_url()
        urls += [f"{base}feed/", f"{base}feed/atom/"]
    return urls


# Feeds -------------------------------------------------------------------------------------


def test_every_feed_is_well_formed_xml_of_its_kind(
    newsroom: dict[str, Any], client: Client
) -> None:
    for url in all_feed_urls(newsroom):
        response = client.get(url)
        root = ElementTree.fromstring(response.content)
        if url.endswith("/atom/"):
            assert response["Content-Type"].startswith("application/atom+xml"), url
            assert root.tag == f"{ATOM}feed", url
        else:
            assert response["Content-Type"].startswith("application/rss+xml"), url
            assert root.tag == "rss", url
            assert root.find("channel") is not None, url


def test_site_rss_lists_live_articles_newest_first_with_title_and_link(
    newsroom: dict[str, Any], client: Client
) -> None:
    root = parse(client, "/feed/")

    items = rss_items(root)
    assert root.findtext("channel/title") == "Broadsheet"
    assert root.findtext("channel/link") == f"{BASE}/"
    assert [(item["title"], item["link"]) for item in items] == [
        ("Ferry fares frozen for winter", f"{BASE}{newsroom['ferry'].get_absolute_url()}"),
        ("Rent tribunal backlog grows", f"{BASE}{newsroom['rent'].get_absolute_url()}"),
    ]


def test_rss_item_carries_standfirst_body_byline_and_topics(
    newsroom: dict[str, Any], client: Client
) -> None:
    rent = next(
        item
        for item in rss_items(parse(client, "/feed/"))
        if item["title"] == "Rent tribunal backlog grows"
    )

    # The description is HTML carried as text; a feed reader renders it.
    assert rent["description"].startswith(
        '<p class="standfirst">Cases now wait eleven months for a hearing.</p>'
    )
    assert "Figures released on <em>Monday</em> show the longest wait" in rent["description"]
    assert rent["creator"] == "Ada Reyes, Lin Abara"
    assert rent["categories"] == ["Housing"]


def test_site_atom_has_an_entry_per_live_article(newsroom: dict[str, Any], client: Client) -> None:
    root = parse(client, "/feed/atom/")

    assert atom_entries(root) == [
        {
            "title": "Ferry fares frozen for winter",
            "link": f"{BASE}{newsroom['ferry'].get_absolute_url()}",
            "author": "Lin Abara",
        },
        {
            "title": "Rent tribunal backlog grows",
            "link": f"{BASE}{newsroom['rent'].get_absolute_url()}",
            "author": "Ada Reyes, Lin Abara",
        },
    ]
    assert (
        root.findtext(f"{ATOM}subtitle") == "Reporting and argument from an independent newsroom."
    )


def test_drafts_and_future_articles_are_in_no_feed(
    newsroom: dict[str, Any], client: Client
) -> None:
    for url in all_feed_urls(newsroom):
        body = client.get(url).content.decode()
        for article in newsroom["hidden"]:
            assert article.title not in body, url
            assert article.slug not in body, url


@pytest.mark.parametrize("suffix", ["feed/", "feed/atom/"])
def test_topic_feeds_hold_only_that_topics_articles(
    newsroom: dict[str, Any], client: Client, suffix: str
) -> None:
    housing = newsroom["housing"].get_absolute_url() + suffix
    transport = newsroom["transport"].get_absolute_url() + suffix

    assert titles_in(client, housing) == ["Rent tribunal backlog grows"]
    assert titles_in(client, transport) == ["Ferry fares frozen for winter"]


@pytest.mark.parametrize("suffix", ["feed/", "feed/atom/"])
def test_author_feeds_hold_only_that_authors_articles(
    newsroom: dict[str, Any], client: Client, suffix: str
) -> None:
    ada = newsroom["ada"].get_absolute_url() + suffix
    lin = newsroom["lin"].get_absolute_url() + suffix

    assert titles_in(client, ada) == ["Rent tribunal backlog grows"]
    assert titles_in(client, lin) == [
        "Ferry fares frozen for winter",
        "Rent tribunal backlog grows",
    ]


def test_topic_and_author_feeds_are_titled_after_them(
    newsroom: dict[str, Any], client: Client
) -> None:
    topic_feed = parse(client, newsroom["housing"].get_absolute_url() + "feed/")
    author_feed = parse(client, newsroom["lin"].get_absolute_url() + "feed/atom/")

    assert topic_feed.findtext("channel/title") == "Broadsheet: Housing"
    assert topic_feed.findtext("channel/link") == f"{BASE}{newsroom['housing'].get_absolute_url()}"
    assert author_feed.findtext(f"{ATOM}title") == "Broadsheet: Lin Abara"


@pytest.mark.parametrize(
    "url",
    [
        "/topics/no-such-topic/feed/",
        "/topics/no-such-topic/feed/atom/",
        "/authors/no-such-person/feed/",
        "/authors/no-such-person/feed/atom/",
    ],
)
def test_feed_for_unknown_topic_or_author_is_404(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_feed_with_nothing_published_is_still_valid_and_empty(client: Client) -> None:
    make_article("Only a draft so far", status=Article.Status.DRAFT)

    assert rss_items(parse(client, "/feed/")) == []
    assert atom_entries(parse(client, "/feed/atom/")) == []


def test_feed_escapes_markup_in_titles(client: Client) -> None:
    make_article("Council says <b>no</b> & means it")

    root = parse(client, "/feed/")

    assert [item["title"] for item in rss_items(root)] == ["Council says <b>no</b> & means it"]


# Sitemap and robots.txt --------------------------------------------------------------------


def sitemap_locations(client: Client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_sitemap_lists_home_live_articles_and_their_authors_and_topics(
    newsroom: dict[str, Any], client: Client
) -> None:
    locations = sitemap_locations(client)

    expected = [
        f"{BASE}/",
        f"{BASE}{newsroom['rent'].get_absolute_url()}",
        f"{BASE}{newsroom['ferry'].get_absolute_url()}",
        f"{BASE}{newsroom['ada'].get_absolute_url()}",
        f"{BASE}{newsroom['lin'].get_absolute_url()}",
        f"{BASE}{newsroom['housing'].get_absolute_url()}",
        f"{BASE}{newsroom['transport'].get_absolute_url()}",
    ]
    assert sorted(locations) == sorted(expected)
    assert len(locations) == len(set(locations)), "an author or topic is listed twice"


def test_sitemap_leaves_out_hidden_articles_and_people_and_topics_with_none_live(
    newsroom: dict[str, Any], client: Client
) -> None:
    only_drafted = make_author("Dara Unpublished")
    future_topic = make_topic("Elections")
    make_article("Draft by Dara", authors=[only_drafted], status=Article.Status.DRAFT)
    make_article(
        "Election preview",
        topics=[future_topic],
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=5),
    )
    never_written = make_author("Never Written")

    locations = "\n".join(sitemap_locations(client))

    for article in newsroom["hidden"]:
        assert article.get_absolute_url() not in locations
    assert only_drafted.get_absolute_url() not in locations
    assert future_topic.get_absolute_url() not in locations
    assert never_written.get_absolute_url() not in locations
    assert newsroom["rent"].get_absolute_url() in locations


def test_sitemap_gives_each_article_its_last_modified_date(
    newsroom: dict[str, Any], client: Client
) -> None:
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    article_url = f"{BASE}{newsroom['rent'].get_absolute_url()}"

    entry = next(
        url for url in root.iter(f"{SITEMAP}url") if url.findtext(f"{SITEMAP}loc") == article_url
    )

    assert entry.findtext(f"{SITEMAP}lastmod") == newsroom["rent"].updated_at.date().isoformat()


def test_robots_txt_is_plain_text_naming_the_sitemap(client: Client) -> None:
    response = client.get("/robots.txt")

    lines = response.content.decode().splitlines()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_robots_txt_names_the_sitemap_on_the_host_asked_for(client: Client, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["news.example.org"]

    response = client.get("/robots.txt", HTTP_HOST="news.example.org", secure=True)

    assert "Sitemap: https://news.example.org/sitemap.xml" in response.content.decode()
