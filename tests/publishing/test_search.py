"""Search: finding live articles by their words, ranked, with safe highlighted snippets.

Runs on whichever database DATABASE_URL gives; CI runs it on SQLite (FTS5) and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from broadsheet.publishing import search
from broadsheet.publishing.models import Article
from broadsheet.publishing.search import SearchResult, fts5_match_expression, search_articles
from tests.helpers import make_article, make_author, make_topic, make_user

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("publishing:search")
only_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 only")
only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search only"
)


def search_page(client: Client, query: str) -> str:
    response = client.get(SEARCH_URL, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def titles_in_order(html: str, *titles: str) -> list[str]:
    """The given titles in the order they appear on the page (absent ones left out)."""
    found = [title for title in titles if f">{title}</a>" in html]
    return sorted(found, key=lambda title: html.index(f">{title}</a>"))


def test_finds_an_article_by_a_word_in_its_body(client: Client) -> None:
    make_article(
        "Council budget vote delayed",
        body="Councillors argued past midnight about the allotments on Quarry Lane.",
    )
    make_article("Ferry timetable changes", body="The crossing moves to an hourly service.")

    html = search_page(client, "allotments")

    assert "1 result for" in html
    assert ">Council budget vote delayed</a>" in html
    assert "Ferry timetable changes" not in html


def test_finds_an_article_by_its_title(client: Client) -> None:
    article = make_article("Lighthouse keepers win pay award", body="Nothing else to say.")

    html = search_page(client, "lighthouse")

    assert f'<a href="{article.get_absolute_url()}">Lighthouse keepers win pay award</a>' in html


def test_finds_an_article_by_its_standfirst(client: Client) -> None:
    make_article("Market hall reopens", standfirst="Stallholders return after the flood repairs.")

    html = search_page(client, "stallholders")

    assert ">Market hall reopens</a>" in html
    assert "<mark>Stallholders</mark>" in html


def test_a_title_match_ranks_above_a_body_only_match(client: Client) -> None:
    # The body-only article is the newer one, so date order alone would put it first.
    make_article(
        "Orchard volunteers plant forty trees",
        body="A quiet Saturday on the hillside.",
        published_at=timezone.now() - dt.timedelta(days=3),
    )
    make_article(
        "Weekend round-up",
        body="Elsewhere, the orchard group met; the orchard needs more hands, they said.",
        published_at=timezone.now() - dt.timedelta(hours=2),
    )

    html = search_page(client, "orchard")

    assert titles_in_order(html, "Weekend round-up", "Orchard volunteers plant forty trees") == [
        "Orchard volunteers plant forty trees",
        "Weekend round-up",
    ]


def test_snippet_marks_the_matched_words(client: Client) -> None:
    make_article(
        "Harbour dredging resumes",
        body="Dredgers returned to the harbour mouth at dawn, watched by a few anglers.",
    )

    html = search_page(client, "anglers")

    assert '<p class="snippet">' in html
    assert "<mark>anglers</mark>" in html


def test_stemmed_forms_match(client: Client) -> None:
    make_article("Tram line consultation", body="Residents campaigned for a stop near the school.")

    html = search_page(client, "campaigning")

    assert ">Tram line consultation</a>" in html


def test_drafts_and_scheduled_articles_never_appear(client: Client, editor_client: Client) -> None:
    make_article("Bridge repairs finished", body="The footbridge reopens to walkers today.")
    make_article(
        "Draft: bridge inquiry", status=Article.Status.DRAFT, body="Footbridge costs leaked."
    )
    make_article(
        "Embargoed bridge report",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=2),
        body="The footbridge audit, embargoed until Thursday.",
    )

    # Not even editors: search lists what readers can see; previews live elsewhere.
    for visitor in (client, editor_client):
        html = search_page(visitor, "footbridge")
        assert "1 result for" in html
        assert ">Bridge repairs finished</a>" in html
        assert "bridge inquiry" not in html
        assert "Embargoed" not in html


def test_a_scheduled_article_appears_once_its_time_comes(client: Client) -> None:
    make_article(
        "Lido opening date set",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() - dt.timedelta(minutes=5),
        body="Swimmers can use the lido from May.",
    )

    assert ">Lido opening date set</a>" in search_page(client, "swimmers")


def test_an_unpublished_article_disappears_from_results(client: Client) -> None:
    article = make_article("Recycling rota published", body="Glass collections move to Mondays.")
    assert ">Recycling rota published</a>" in search_page(client, "glass")

    article.unpublish()

    html = search_page(client, "glass")
    assert "0 results for" in html
    assert "Recycling rota" not in html


def test_a_deleted_article_disappears_from_results(client: Client) -> None:
    article = make_article("Library hours extended", body="The reading room stays open later.")
    assert ">Library hours extended</a>" in search_page(client, "reading room")

    article.delete()

    assert "0 results for" in search_page(client, "reading room")
    assert search_articles("library") == []


def test_an_edited_body_is_found_by_its_new_words_only(client: Client) -> None:
    article = make_article("Bus depot plans", body="The depot will move to the gasworks site.")
    assert ">Bus depot plans</a>" in search_page(client, "gasworks")

    article.body_source = "The depot will move to the old brewery instead."
    article.save()

    assert ">Bus depot plans</a>" in search_page(client, "brewery")
    assert "0 results for" in search_page(client, "gasworks")


def test_bulk_inserted_and_updated_articles_are_indexed(client: Client) -> None:
    # bulk_create and update() skip Article.save(): on SQLite only the triggers index them.
    newsdesk = make_user("newsdesk")
    now = timezone.now() - dt.timedelta(hours=1)
    Article.objects.bulk_create(
        Article(
            title=f"Imported dispatch {number}",
            slug=f"imported-dispatch-{number}",
            body_text=f"Archived wire copy about the {word} strike.",
            submitted_by=newsdesk,
            status=Article.Status.PUBLISHED,
            published_at=now,
        )
        for number, word in enumerate(["dockers", "bakers"])
    )
    assert ">Imported dispatch 0</a>" in search_page(client, "dockers")

    Article.objects.filter(slug="imported-dispatch-1").update(title="Bakery walkout ends")

    assert ">Bakery walkout ends</a>" in search_page(client, "walkout")
    assert "0 results for" in search_page(client, "dispatch 1")


HOSTILE_QUERIES = [
    '"',
    '""',
    "'",
    "(",
    ")",
    "(((tenants",
    "tenants)))",
    'tenants "rent',
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "tenants AND",
    "OR tenants",
    "NOT tenants NOT",
    "NEAR(tenants rent)",
    "tenants NEAR/2 rent",
    "*",
    "tenants*",
    "*tenants",
    "^",
    "^tenants",
    ":",
    "title:tenants",
    "body_text : tenants",
    "tenants:*",
    "{title standfirst}: rent",
    "'; DROP TABLE publishing_article;--",
    '" OR 1=1 --',
    "tenants' OR '1'='1",
    "😀",
    "🏠 tenants 🏠",
    "!!!",
    "...",
    "-",
    "- - -tenants",
    "&|!<->",
    "tenants <-> rent",
    "%",
    "_",
    "\\",
    "\x00",
    "tenants\x00rent",
    "\u200b",
    "ＡＮＤ ＯＲ",
    "<script>alert('search')</script>",
    "a" * 200,
    " ".join(["tenants"] * 40),
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_never_cause_an_error(client: Client, query: str) -> None:
    make_article("Tenants win rent freeze", body="The tenants' union celebrated the rent freeze.")

    response = client.get(SEARCH_URL, {"q": query})

    assert response.status_code == 200
    assert "result" in response.content.decode()
    assert Article.objects.count() == 1  # and nothing was dropped


@pytest.mark.parametrize("query", ["(((tenants", 'tenants "rent', "rent:freeze", "^tenants*"])
def test_words_inside_query_syntax_are_still_found(client: Client, query: str) -> None:
    make_article("Tenants win rent freeze", body="The tenants' union celebrated the rent freeze.")

    assert ">Tenants win rent freeze</a>" in search_page(client, query)


def test_the_query_is_shown_escaped(client: Client) -> None:
    html = search_page(client, "<script>alert('search')</script>")

    assert "<script>alert(" not in html
    assert "&lt;script&gt;" in html


def test_html_in_stored_text_is_escaped_in_snippets(client: Client) -> None:
    make_article(
        "Web desk notes",
        # Inline code keeps the tag as text in body_text; &amp;lt; keeps a literal "&lt;".
        body="Our parser choked on `<script>steal()</script>` and on &amp;lt; in the feed.",
    )
    make_article(
        "Photo desk notes",
        standfirst='The caption read <img src=x onerror="alert(1)"> for the parser.',
    )

    html = search_page(client, "parser")

    assert "2 results for" in html
    assert "<script>steal" not in html
    assert "&lt;script&gt;steal()&lt;/script&gt;" in html
    assert "&amp;lt;" in html  # the stored "&lt;" shown as those four characters
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert html.count("<mark>parser</mark>") == 2


def test_empty_query_shows_the_prompt(client: Client) -> None:
    make_article("Anything at all")

    for response in (client.get(SEARCH_URL), client.get(SEARCH_URL, {"q": "   "})):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Type a word or two in the search box above." in html
        assert "result" not in html


def test_results_page_uses_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    topic = make_topic("Transport")
    for number in range(5):
        make_article(
            f"Cycle lane survey {number}",
            body="Cyclists counted at the junction.",
            authors=[make_author(f"Reporter {number}")],
            topics=[topic],
        )

    with django_assert_max_num_queries(4):
        html = search_page(client, "cyclists")

    assert "5 results for" in html


def make_ranked_surveys(live: int) -> None:
    """`live` live articles that rank in the order of their titles, "Survey 01" first, and
    matching drafts and embargoed articles that would outrank them all.

    Each body has the same length and one more "lamplighter" than the next title's, so
    bm25 and ts_rank both order them by that count, with no ties.
    """
    for position in range(1, live + 1):
        mentions = live + 1 - position
        make_article(
            f"Survey {position:02}",
            body=" ".join(["lamplighter"] * mentions + ["pavement"] * (40 - mentions)),
        )
    make_article("Survey draft", status=Article.Status.DRAFT, body=" ".join(["lamplighter"] * 40))
    make_article(
        "Survey embargoed",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=1),
        body=" ".join(["lamplighter"] * 40),
    )


def test_second_page_shows_results_eleven_to_twenty_in_rank_order(client: Client) -> None:
    make_ranked_surveys(25)
    titles = [f"Survey {position:02}" for position in range(1, 26)]

    response = client.get(SEARCH_URL, {"q": "lamplighters", "page": 2})
    html = response.content.decode()

    assert response.status_code == 200
    assert "25 results for" in html  # live ones only
    assert "Page 2 of 3" in html
    assert titles_in_order(html, *titles) == titles[10:20]
    assert "Survey draft" not in html
    assert "Survey embargoed" not in html
    assert "<mark>lamplighter</mark>" in html

    last_page = client.get(SEARCH_URL, {"q": "lamplighters", "page": 3}).content.decode()
    assert titles_in_order(last_page, *titles) == titles[20:]
    assert client.get(SEARCH_URL, {"q": "lamplighters", "page": 4}).status_code == 404


def test_results_are_counted_up_to_the_limit_and_paged_in_rank_order() -> None:
    make_ranked_surveys(25)
    titles = [f"Survey {position:02}" for position in range(1, 26)]

    results = search_articles("lamplighter")
    capped = search_articles("lamplighter", limit=12)

    assert len(results) == 25
    assert [result.article.title for result in results] == titles
    assert [result.article.title for result in results[10:20]] == titles[10:20]
    assert results[-1].article.title == "Survey 25"
    assert [result.article.title for result in results[-3::2]] == ["Survey 23", "Survey 25"]
    assert results[30:40] == []
    with pytest.raises(IndexError):
        results[25]
    assert len(capped) == 12
    assert [result.article.title for result in capped[10:20]] == titles[10:12]
    assert list(capped) == list(results)[:12]


def test_a_search_page_costs_the_same_queries_however_many_articles_match(
    client: Client,
) -> None:
    topic = make_topic("Transport")

    def queries_for_search_page(number: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(SEARCH_URL, {"q": "cyclists", "page": number})
        assert response.status_code == 200
        return len(captured)

    make_article("Cycle lane survey", body="Cyclists counted.", authors=[make_author("Ann")])
    one_match = queries_for_search_page(1)
    for number in range(40):
        make_article(
            f"Cycle lane survey {number}",
            body="Cyclists counted at the junction.",
            authors=[make_author(f"Reporter {number}"), make_author(f"Snapper {number}")],
            topics=[topic],
        )

    assert one_match <= 4
    assert queries_for_search_page(1) == one_match
    assert queries_for_search_page(3) == one_match


def test_search_articles_returns_ranked_results_with_safe_snippets() -> None:
    title_match = make_article("Ferry strike called off", body="Crews return on Monday.")
    body_match = make_article(
        "Island news", body="Talks averted the ferry strike at the last hour."
    )
    # The draft would rank first; it must not take a place within the limit either.
    make_article("Ferry strike: draft", status=Article.Status.DRAFT, body="Ferry strike notes.")
    make_article("Weather", body="Gales expected.")

    results = search_articles("ferry strike")

    assert [result.article for result in results] == [title_match, body_match]
    assert all(isinstance(result, SearchResult) for result in results)
    assert results[0].rank > results[1].rank
    assert isinstance(results[1].snippet, SafeString)
    assert "<mark>ferry</mark> <mark>strike</mark>" in results[1].snippet
    # A title-only match still gets a snippet: the opening of the body, nothing marked.
    assert results[0].snippet == "Crews return on Monday."
    assert search_articles("ferry strike", limit=1) == results[:1]
    assert search_articles("") == []
    assert search_articles("?!") == []


def make_lamplighter_stories() -> None:
    """Seven articles that say "lamplighter" (one a draft) and one that does not, oldest
    first; on SQLite ids follow that order, and ids are what "newest" goes by."""
    make_article("Ferry timetable changes", body="Crossings move to an hourly service.")
    make_article("Lamplighter retires", body="Forty years on the same streets.")
    make_article(
        "Gaslight history",
        body="The lamplighter walked ahead; a lamplighter's pole; lamplighter songs.",
    )
    make_article("Lamplighter guild meets", body="Members voted on Tuesday.")
    make_article("Street lights", standfirst="A lamplighter remembers.", body="Dusk, then dark.")
    make_article("Lamplighter draft", status=Article.Status.DRAFT, body="Not for readers.")
    make_article("Evening walk", body="On the way home we met a lamplighter.")
    make_article("Lamplighter festival", body="Lanterns along the quay.")


@only_sqlite
@pytest.mark.parametrize("query", ["lamplighter", "lamplighters", "lampl"])
def test_more_matches_than_are_ranked_go_title_then_standfirst_then_body_newest_first(
    monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    # More matches than RANKED_MATCHES (six here; seven match): only the newest six are
    # ranked, drafts among them though readers never see those, and not with bm25 but by
    # where the word is, newest first within each place (search.py says why). So the
    # oldest title match is left out, and the body that says it three times comes last.
    monkeypatch.setattr(search, "RANKED_MATCHES", 6)
    make_lamplighter_stories()
    expected = [
        "Lamplighter festival",
        "Lamplighter guild meets",
        "Street lights",
        "Evening walk",
        "Gaslight history",
    ]

    results = search_articles(query, limit=6)

    assert [result.article.title for result in results] == expected
    assert [result.rank for result in results] == sorted(
        (result.rank for result in results), reverse=True
    )
    assert "<mark>lamplighter</mark>" in results[2].snippet
    # Looked up among the live articles best first, stopping at the limit.
    assert [result.article.title for result in search_articles(query, limit=2)] == expected[:2]


@only_sqlite
def test_as_many_matches_as_are_ranked_are_all_ranked_with_bm25(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "RANKED_MATCHES", 7)
    make_lamplighter_stories()

    # Seven matches: every live one is ranked, title matches first as bm25 weighs them.
    titles = [result.article.title for result in search_articles("lamplighter", limit=6)]
    # A limit above RANKED_MATCHES ranks that many.
    titles_over_limit = [result.article.title for result in search_articles("lamplighter")]

    assert len(titles) == 6
    assert set(titles[:3]) == {
        "Lamplighter retires",
        "Lamplighter guild meets",
        "Lamplighter festival",
    }
    assert titles.index("Gaslight history") < titles.index("Evening walk")  # said it thrice
    assert titles_over_limit == titles


def test_a_complete_last_word_is_matched_whole(client: Client) -> None:
    make_article("Port reopens after the storm", body="Ferries sail again from Monday.")
    make_article("Portrait prize shortlist", body="Six painters are in the running.")

    html = search_page(client, "port")

    assert "1 result for" in html
    assert ">Port reopens after the storm</a>" in html
    assert "Portrait prize" not in html


@only_sqlite
def test_a_partial_last_word_is_matched_as_the_start_of_words(client: Client) -> None:
    make_article("Port reopens after the storm", body="Ferries sail again from Monday.")
    make_article("Portrait prize shortlist", body="Six painters are in the running.")

    html = search_page(client, "portr")
    assert "1 result for" in html
    assert ">Portrait prize shortlist</a>" in html
    assert "<mark>painters</mark>" in search_page(client, "prize paint")

    # Whole words are looked for among live articles only: a word that only a draft has
    # leaves the reader's word a prefix, and tells nothing about the draft.
    make_article("Paint costs", status=Article.Status.DRAFT, body="Paint prices rise.")
    html = search_page(client, "paint")
    assert "1 result for" in html
    assert ">Portrait prize shortlist</a>" in html


@only_sqlite
def test_fts5_query_is_built_from_quoted_words() -> None:
    # Every word whole: search.py appends the * of a prefix only when that finds nothing.
    assert fts5_match_expression('rent AND "freeze" NEAR(') == '"rent" "AND" "freeze" "NEAR"'
    assert fts5_match_expression("'; DROP TABLE x;--") == '"DROP" "TABLE" "x"'
    assert fts5_match_expression("*^:()") == ""


@only_sqlite
def test_sqlite_matches_prefixes_of_the_last_word_and_ignores_diacritics(client: Client) -> None:
    make_article("Café owners petition", body="Owners of the seafront cafés want longer hours.")

    assert ">Café owners petition</a>" in search_page(client, "seafront caf")
    assert ">Café owners petition</a>" in search_page(client, "cafe")


LIVE_LOOKUP = "SEARCH publishing_article USING COVERING INDEX publishing_article_search_live (id=?"


@only_sqlite
def test_sqlite_search_looks_each_match_up_in_the_live_index() -> None:
    # Written as `rowid IN (live ids)`, or with the join order left to the planner, SQLite
    # ran the match once for every live article: minutes on a site of 100,000 articles.
    make_article("Tenants win rent freeze")
    with CaptureQueriesContext(connection) as captured:
        assert [result.article.title for result in search_articles("tenants")] == [
            "Tenants win rent freeze"
        ]
    search_sqls = [query["sql"] for query in captured if " MATCH " in query["sql"]]

    # The ranking query checks that matches are live; the snippet query after it reads
    # only ids the ranking returned, so it need not touch the articles.
    assert any("bm25(" in sql for sql in search_sqls)
    for sql in search_sqls:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            steps = [row[-1] for row in cursor.fetchall()]
        article_steps = [step for step in steps if re.search(r"\bpublishing_article\b", step)]
        assert article_steps or "bm25(" not in sql, steps
        for step in article_steps:
            assert step.startswith(LIVE_LOOKUP), steps


@only_postgresql
def test_postgresql_websearch_syntax_works(client: Client) -> None:
    make_article("Tenants win rent freeze", body="The union celebrated.")
    make_article("Rent rises again", body="Landlords cite costs.")

    html = search_page(client, "rent -tenants")

    assert ">Rent rises again</a>" in html
    assert "Tenants win" not in html
    assert "2 results for" in search_page(client, '"rent freeze" or landlords')


@only_postgresql
def test_postgresql_search_uses_the_gin_index() -> None:
    # Enough other live rows that a rare word is worth an index lookup, and fresh statistics.
    newsdesk = make_user("newsdesk")
    Article.objects.bulk_create(
        Article(
            title=f"Routine notice {number}",
            slug=f"routine-notice-{number}",
            body_text="Bins, buses and bank holidays.",
            submitted_by=newsdesk,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - dt.timedelta(days=1),
        )
        for number in range(500)
    )
    make_article("Tenants win rent freeze")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE publishing_article")

    with CaptureQueriesContext(connection) as captured:
        results = search_articles("tenants")
        assert len(results) == len(results[:10]) == 1
    search_sqls = [query["sql"] for query in captured if "@@" in query["sql"]]

    assert len(search_sqls) == 2  # the count and the page
    for search_sql in search_sqls:
        with connection.cursor() as cursor:
            # With sequential scans priced out, the planner takes the index if it can match it.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {search_sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "publishing_article_search_idx" in plan
