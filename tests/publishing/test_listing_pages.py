"""Reader list pages: home, author, topic and the archive.

Each shows live articles only, newest first, as summaries with a title link, byline and
standfirst. Drafts and articles scheduled for later never show on any of them, whoever asks.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from broadsheet.publishing import models
from broadsheet.publishing.models import (
    Article,
    Author,
    Byline,
    Topic,
    count_live_articles,
    months_with_live_articles,
)
from tests.helpers import make_article, make_author, make_topic

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def titles_on(html: str) -> list[str]:
    """The article titles of the summaries on a page, in page order."""
    return re.findall(r'<article class="summary">\s*<h2><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def utc(settings: Any) -> None:
    settings.TIME_ZONE = "UTC"


# Home ------------------------------------------------------------------------------------


def test_home_lists_live_articles_newest_first_with_link_standfirst_and_byline(
    client: Client,
) -> None:
    ada, tomasz = make_author("Ada Reyes"), make_author("Tomasz Wren")
    older = make_article(
        "Library hours cut again",
        standfirst="The council trims opening times for the third year running.",
        authors=[tomasz],
        published_at=timezone.now() - dt.timedelta(days=3),
    )
    newer = make_article(
        "Bus depot to close in spring",
        standfirst="Drivers say the move will lengthen night routes.",
        authors=[ada, tomasz],
        published_at=timezone.now() - dt.timedelta(hours=2),
    )

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert titles_on(html) == ["Bus depot to close in spring", "Library hours cut again"]
    assert f'<a href="{newer.get_absolute_url()}">Bus depot to close in spring</a>' in html
    assert f'<a href="{older.get_absolute_url()}">Library hours cut again</a>' in html
    assert '<p class="standfirst">Drivers say the move will lengthen night routes.</p>' in html
    assert (
        f'By <a href="{ada.get_absolute_url()}" rel="author">Ada Reyes</a> and '
        f'<a href="{tomasz.get_absolute_url()}" rel="author">Tomasz Wren</a>'
    ) in html


def test_home_paginates_with_older_and_newer_links(client: Client, settings: Any) -> None:
    settings.ARTICLES_PER_PAGE = 2
    now = timezone.now()
    for days_ago, title in enumerate(["Fifth", "Fourth", "Third", "Second", "First"]):
        make_article(f"{title} dispatch", published_at=now - dt.timedelta(days=days_ago + 1))

    first = client.get("/").content.decode()
    second = client.get("/?page=2").content.decode()
    last = client.get("/?page=3").content.decode()

    assert titles_on(first) == ["Fifth dispatch", "Fourth dispatch"]
    assert titles_on(second) == ["Third dispatch", "Second dispatch"]
    assert titles_on(last) == ["First dispatch"]
    assert "Page 1 of 3" in first
    assert '<a rel="next" href="?page=2">Older</a>' in first
    assert 'rel="prev"' not in first
    assert '<a rel="prev" href="?page=1">Newer</a>' in second
    assert '<a rel="next" href="?page=3">Older</a>' in second
    assert 'rel="next"' not in last


@pytest.mark.parametrize("page", ["999", "abc", "0", "-1"])
def test_home_page_out_of_range_or_not_a_number_is_404(client: Client, page: str) -> None:
    make_article("Only story of the day")

    assert client.get("/", {"page": page}).status_code == 404


def test_home_with_nothing_published_says_so(client: Client) -> None:
    make_article("Unfinished draft about parking", status=Article.Status.DRAFT)

    response = client.get("/")

    assert response.status_code == 200
    assert "Nothing has been published yet." in response.content.decode()


# Drafts and scheduled articles -------------------------------------------------------------


@pytest.fixture
def hidden_world() -> dict[str, Any]:
    """One live article, one draft and one scheduled for later, sharing author and topic.

    The draft keeps a publish time in a month of its own (as an unpublished article does),
    and the scheduled one lies a year ahead, so the archive cannot list them by accident.
    """
    author = make_author("Hidden Hilary", bio="Covers the town hall.")
    topic = make_topic("Town hall")
    live = make_article(
        "Live story on the budget", authors=[author], topics=[topic], standfirst="Visible."
    )
    draft = make_article(
        "Draft story on the mayor",
        authors=[author],
        topics=[topic],
        status=Article.Status.DRAFT,
        published_at=at(2001, 3, 14, 9, 0),
    )
    scheduled = make_article(
        "Scheduled story on the election",
        authors=[author],
        topics=[topic],
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=400),
    )
    return {"author": author, "topic": topic, "live": live, "hidden": [draft, scheduled]}


def _listing_urls(world: dict[str, Any]) -> list[str]:
    now = world["live"].published_at
    later = world["hidden"][1].published_at
    return [
        "/",
        world["author"].get_absolute_url(),
        world["topic"].get_absolute_url(),
        "/archive/",
        f"/archive/{now.year}/",
        f"/archive/{now.year}/{now.month}/",
        "/archive/2001/",
        "/archive/2001/3/",
        f"/archive/{later.year}/",
        f"/archive/{later.year}/{later.month}/",
    ]


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_drafts_and_future_articles_are_on_no_list_page(
    hidden_world: dict[str, Any], client: Client, reader_client: Client, who: str
) -> None:
    visitor = client if who == "anonymous" else reader_client

    for url in _listing_urls(hidden_world):
        response = visitor.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        for article in hidden_world["hidden"]:
            assert article.title not in html, url
            assert article.get_absolute_url() not in html, url


def test_archive_index_lists_no_month_that_only_has_hidden_articles(
    hidden_world: dict[str, Any], client: Client, utc: None
) -> None:
    later = hidden_world["hidden"][1].published_at

    html = client.get("/archive/").content.decode()

    assert "/archive/2001/" not in html
    assert f'href="/archive/{later.year}/{later.month}/"' not in html
    shown = hidden_world["live"].published_at
    assert f'href="/archive/{shown.year}/{shown.month}/"' in html


def test_scheduled_article_appears_once_its_time_has_come(
    client: Client, no_page_cache: None
) -> None:
    # The query decides what is live; the page cache's side of this is tested with it.
    article = make_article(
        "Embargoed results",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert "Embargoed results" not in client.get("/").content.decode()

    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - dt.timedelta(minutes=1)
    )

    assert "Embargoed results" in client.get("/").content.decode()


# Author and topic pages --------------------------------------------------------------------


def test_author_page_shows_bio_and_only_their_live_articles(client: Client) -> None:
    ada = make_author("Ada Reyes", bio="Ada covers housing and the rental market.")
    lin = make_author("Lin Abara")
    make_article("Ada on the rent freeze", authors=[ada])
    make_article("Ada and Lin on the tower block", authors=[lin, ada])
    make_article("Lin alone on the ferry timetable", authors=[lin])
    make_article("Unfinished draft by Ada", authors=[ada], status=Article.Status.DRAFT)

    response = client.get(ada.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Ada Reyes</h1>" in html
    assert '<p class="bio">Ada covers housing and the rental market.</p>' in html
    assert sorted(titles_on(html)) == ["Ada and Lin on the tower block", "Ada on the rent freeze"]
    assert f'href="/authors/{ada.slug}/feed/"' in html


def test_topic_page_shows_description_and_only_its_live_articles(client: Client) -> None:
    transport = make_topic("Transport", description="Buses, trains and the ring road.")
    housing = make_topic("Housing")
    make_article("Tram extension approved", topics=[transport])
    make_article("Cycle lanes on the estate", topics=[housing, transport])
    make_article("Rent arrears climb", topics=[housing])
    make_article(
        "Ring road plans leaked",
        topics=[transport],
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=1),
    )

    response = client.get(transport.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Transport</h1>" in html
    assert "<p>Buses, trains and the ring road.</p>" in html
    assert sorted(titles_on(html)) == ["Cycle lanes on the estate", "Tram extension approved"]


@pytest.mark.parametrize("url", ["/authors/nobody-here/", "/topics/no-such-topic/"])
def test_unknown_author_or_topic_is_404(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_author_with_no_live_articles_says_so(client: Client) -> None:
    author = make_author("New Starter", bio="Joined the newsdesk this week.")

    html = client.get(author.get_absolute_url()).content.decode()

    assert "No published articles yet." in html
    assert "Joined the newsdesk this week." in html


# Archive -----------------------------------------------------------------------------------


@pytest.fixture
def leap_year_spring(utc: None) -> None:
    """Articles either side of the March 2024 boundaries, to the second."""
    make_article("Last of February", published_at=at(2024, 2, 29, 23, 59, 59))
    make_article("First of March", published_at=at(2024, 3, 1, 0, 0, 0))
    make_article("Mid March", published_at=at(2024, 3, 15, 12, 30))
    make_article("Last of March", published_at=at(2024, 3, 31, 23, 59, 59))
    make_article("First of April", published_at=at(2024, 4, 1, 0, 0, 0))
    make_article("Year-end round-up", published_at=at(2023, 12, 31, 23, 0))


def test_archive_index_lists_months_by_year_newest_first(
    leap_year_spring: None, client: Client
) -> None:
    response = client.get("/archive/")

    html = response.content.decode()
    assert response.status_code == 200
    months = re.findall(r'<a href="(/archive/\d+/\d+/)">(\w+)</a>', html)
    assert months == [
        ("/archive/2024/4/", "April"),
        ("/archive/2024/3/", "March"),
        ("/archive/2024/2/", "February"),
        ("/archive/2023/12/", "December"),
    ]
    assert '<h2><a href="/archive/2024/">2024</a></h2>' in html
    assert '<h2><a href="/archive/2023/">2023</a></h2>' in html


def test_archive_month_shows_only_that_months_articles(
    leap_year_spring: None, client: Client
) -> None:
    response = client.get("/archive/2024/3/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>March 2024</h1>" in html
    assert titles_on(html) == ["Last of March", "Mid March", "First of March"]


def test_archive_year_shows_only_that_years_articles(
    leap_year_spring: None, client: Client
) -> None:
    html = client.get("/archive/2023/").content.decode()

    assert "<h1>2023</h1>" in html
    assert titles_on(html) == ["Year-end round-up"]


def test_archive_month_follows_the_sites_time_zone(client: Client, settings: Any) -> None:
    # 23:30 UTC on 31 March is already April in Helsinki (UTC+3 in summer).
    settings.TIME_ZONE = "Europe/Helsinki"
    make_article("Late night in Helsinki", published_at=at(2024, 3, 31, 23, 30))

    assert titles_on(client.get("/archive/2024/4/").content.decode()) == ["Late night in Helsinki"]
    assert titles_on(client.get("/archive/2024/3/").content.decode()) == []


def test_empty_archive_month_says_nothing_was_published(client: Client, utc: None) -> None:
    response = client.get("/archive/1999/6/")

    assert response.status_code == 200
    assert "Nothing was published in June 1999." in response.content.decode()


def test_archive_index_puts_articles_in_the_months_of_the_sites_time_zone(
    client: Client, settings: Any
) -> None:
    # Helsinki is UTC+2 in winter and UTC+3 in summer: these fall either side of its
    # March and April boundaries, which lie on the evenings before in UTC.
    settings.TIME_ZONE = "Europe/Helsinki"
    make_article("Last minute of February", published_at=at(2024, 2, 29, 21, 59, 59))
    make_article("First second of March", published_at=at(2024, 2, 29, 22, 0, 0))
    make_article("Late night in Helsinki", published_at=at(2024, 3, 31, 23, 30))

    html = client.get("/archive/").content.decode()

    assert re.findall(r'<a href="(/archive/\d+/\d+/)">(\w+)</a>', html) == [
        ("/archive/2024/4/", "April"),
        ("/archive/2024/3/", "March"),
        ("/archive/2024/2/", "February"),
    ]


@pytest.mark.parametrize(
    "zone",
    # Whole, half and three-quarter hour offsets; summer time north and south; UTC+14.
    ["UTC", "Europe/Helsinki", "America/New_York", "Asia/Kathmandu", "Australia/Adelaide",
     "America/Sao_Paulo", "Pacific/Kiritimati"],
)  # fmt: skip
def test_archive_months_match_truncating_every_article_in_the_time_zone(
    settings: Any, zone: str
) -> None:
    # months_with_live_articles() skips down the index instead of truncating every
    # article's date (what datetimes() does); both must list the same months.
    settings.TIME_ZONE = zone
    local = zoneinfo.ZoneInfo(zone)
    for number in range(30):
        year, month = 2022 + number // 12, 1 + number % 12
        start = dt.datetime(year, month, 1, tzinfo=local)
        if number % 4 == 0:  # the first second of this month
            make_article(f"Opening {number}", published_at=start)
        elif number % 4 == 2:  # the last second of the month before
            make_article(f"Closing {number}", published_at=start - dt.timedelta(seconds=1))
        elif number % 4 == 3:  # a draft with a time: no month of its own
            make_article(f"Draft {number}", status=Article.Status.DRAFT, published_at=start)
    # Due later, whatever the status says: not listed until then.
    make_article("Coming", published_at=timezone.now() + dt.timedelta(days=40))
    make_article(
        "Scheduled",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=70),
    )
    make_article("Scheduled, now due", status=Article.Status.SCHEDULED)

    truncated = Article.objects.live().datetimes("published_at", "month", order="DESC")

    assert months_with_live_articles() == [timezone.localtime(m).date() for m in truncated]
    # Fifteen months of 2022-2024 (8 openings, 7 closings) and this one.
    assert len(months_with_live_articles()) == 16


@pytest.mark.parametrize("url", ["/archive/2024/13/", "/archive/2024/0/", "/archive/0/"])
def test_invalid_archive_month_or_year_is_404(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/New_York"])
@pytest.mark.parametrize("url", ["/archive/9999/12/", "/archive/9999/", "/archive/1/1/"])
def test_archive_at_the_ends_of_the_calendar_is_an_empty_page_not_an_error(
    client: Client, settings: Any, zone: str, url: str
) -> None:
    # Month arithmetic past December 9999, or year 1 east of UTC, used to overflow into a 500.
    settings.TIME_ZONE = zone
    make_article("An ordinary day of news")

    response = client.get(url)

    assert response.status_code == 200
    assert titles_on(response.content.decode()) == []


# Page counts ------------------------------------------------------------------------------


@pytest.fixture
def counted_world() -> dict[str, Any]:
    """Ada on five live articles about harbours, and one of each kind that is not live,
    or is live only just; plus a live article by someone else on something else."""
    ada, other = make_author("Ada Reyes"), make_author("Bea Other")
    harbours, weather = make_topic("Harbours"), make_topic("Weather")
    for number in range(5):
        make_article(
            f"Harbour story {number}",
            authors=[ada],
            topics=[harbours],
            published_at=timezone.now() - dt.timedelta(days=number + 1),
        )
    later = timezone.now() + dt.timedelta(days=3)
    for title, status, published_at in [
        ("Draft", Article.Status.DRAFT, None),
        ("Draft with a time", Article.Status.DRAFT, timezone.now() - dt.timedelta(days=9)),
        ("Scheduled", Article.Status.SCHEDULED, later),
        ("Published for later", Article.Status.PUBLISHED, later),
        ("Scheduled, now due", Article.Status.SCHEDULED, timezone.now()),
    ]:
        make_article(
            title, authors=[ada], topics=[harbours], status=status, published_at=published_at
        )
    make_article("Rain", authors=[other], topics=[weather])
    return {"ada": ada, "harbours": harbours}


def test_live_and_not_live_divide_the_articles_between_them(
    counted_world: dict[str, Any],
) -> None:
    assert {*Article.LIVE_STATUSES, *Article.NEVER_LIVE_STATUSES} == set(Article.Status)
    live = set(Article.objects.live())
    not_live = set(Article.objects.not_live())

    assert live.isdisjoint(not_live)
    assert live | not_live == set(Article.objects.all())
    assert {article.title for article in not_live} == {
        "Draft", "Draft with a time", "Scheduled", "Published for later"
    }  # fmt: skip


# How an author's or a topic's articles are found depends on how many there are
# (models.FEW_LINKS): through all the site's live articles, through its own rows, or (7:
# Ada has 6 live articles among 10 bylines) counted one way and listed the other.
EVERY_WAY = pytest.mark.parametrize("few_links", [0, 7, models.FEW_LINKS], indirect=True)


@pytest.fixture
def few_links(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(models, "FEW_LINKS", request.param)
    return int(request.param)


@EVERY_WAY
def test_live_articles_are_counted_as_the_pages_list_them(
    counted_world: dict[str, Any], few_links: int
) -> None:
    ada, harbours = counted_world["ada"], counted_world["harbours"]

    assert count_live_articles() == Article.objects.live().count() == 7
    topic_links = Article.topics.through.objects.filter(topic=harbours)
    assert count_live_articles(topic_links) == 6
    assert count_live_articles(Byline.objects.filter(author=ada)) == 6
    assert count_live_articles(Article.topics.through.objects.none()) == 0


@EVERY_WAY
def test_list_pages_count_their_pages_from_live_articles_only(
    counted_world: dict[str, Any], client: Client, settings: Any, few_links: int
) -> None:
    settings.ARTICLES_PER_PAGE = 2
    ada, harbours = counted_world["ada"], counted_world["harbours"]

    for url, pages, last_titles in [
        ("/", 4, ["Harbour story 4"]),
        (ada.get_absolute_url(), 3, ["Harbour story 3", "Harbour story 4"]),
        (harbours.get_absolute_url(), 3, ["Harbour story 3", "Harbour story 4"]),
    ]:
        assert f"Page 1 of {pages}" in client.get(url).content.decode(), url
        last = client.get(url, {"page": pages})
        assert titles_on(last.content.decode()) == last_titles, url
        assert client.get(url, {"page": pages + 1}).status_code == 404, url


@EVERY_WAY
def test_author_and_topic_pages_list_each_live_article_once_newest_first(
    client: Client, settings: Any, few_links: int
) -> None:
    settings.ARTICLES_PER_PAGE = 3
    ada, harbours = make_author("Ada Reyes"), make_topic("Harbours")
    yesterday = timezone.now() - dt.timedelta(days=1)
    for number in range(8):  # two at a time share a moment: the later-made shows first
        published_at = yesterday - dt.timedelta(hours=number // 2)
        make_article(f"Story {number}", authors=[ada], topics=[harbours], published_at=published_at)
    make_article("Unfinished", authors=[ada], topics=[harbours], status=Article.Status.DRAFT)
    make_article(
        "Tomorrow's",
        authors=[ada],
        topics=[harbours],
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=1),
    )
    make_article("Someone else's", authors=[make_author("Bea Other")])

    for url in (ada.get_absolute_url(), harbours.get_absolute_url()):
        pages = [client.get(url, {"page": number}).content.decode() for number in (1, 2, 3)]
        assert "Page 3 of 3" in pages[2], url
        assert [title for page in pages for title in titles_on(page)] == [
            "Story 1", "Story 0", "Story 3", "Story 2", "Story 5", "Story 4", "Story 7", "Story 6"
        ], url  # fmt: skip
        for page in ("4", "0", "last"):
            assert client.get(url, {"page": page}).status_code == 404, (url, page)


# Query counts ------------------------------------------------------------------------------


def _fill(count: int) -> tuple[Author, Topic]:
    """`count` live articles, each with three bylines and two topics; returns a shared pair."""
    shared_author = make_author(f"Shared Sam {count}")
    shared_topic = make_topic(f"Shared topic {count}")
    for number in range(count):
        authors = [
            shared_author,
            make_author(f"Writer {number}a"),
            make_author(f"Writer {number}b"),
        ]
        topics = [shared_topic, make_topic(f"Subject {count}-{number}")]
        make_article(
            f"Story number {number}",
            authors=authors,
            topics=topics,
            published_at=at(2024, 5, 1 + number, 8, 0),
        )
    return shared_author, shared_topic


def _page_urls(author: Author, topic: Topic) -> list[str]:
    return [
        "/",
        author.get_absolute_url(),
        topic.get_absolute_url(),
        "/archive/",
        "/archive/2024/",
        "/archive/2024/5/",
    ]


def _queries_per_page(client: Client, urls: list[str], expected_titles: int) -> list[int]:
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        if url != "/archive/":
            assert len(titles_on(response.content.decode())) == expected_titles, url
        counts.append(len(queries))
    return counts


def test_list_pages_take_the_same_few_queries_for_3_or_10_articles(
    client: Client,
    utc: None,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    few_author, few_topic = _fill(3)
    few = _queries_per_page(client, _page_urls(few_author, few_topic), 3)
    Article.objects.all().delete()

    many_author, many_topic = _fill(10)
    many = _queries_per_page(client, _page_urls(many_author, many_topic), 10)

    assert few == many
    for url in _page_urls(many_author, many_topic):
        with django_assert_max_num_queries(6):
            client.get(url)
