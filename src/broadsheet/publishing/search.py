"""Full-text search over live articles: one function, two backends.

`search_articles()` picks the backend from `connection.vendor`:

- SQLite: the FTS5 table `publishing_article_fts`, an external-content index over
  publishing_article kept current by the triggers of migration 0002, ranked with bm25().
- PostgreSQL: a weighted tsvector over the same three columns, matched with
  websearch_to_tsquery and ranked with ts_rank. Migration 0002 builds a GIN index over
  exactly the expression `_document()` produces; change one and you must change the other.

Both weigh title above standfirst above body, and both return only Article.objects.live().
The index holds drafts too: visibility is applied at query time, so a scheduled article
turns up in results when its time comes without anything being reindexed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article

FTS_TABLE = "publishing_article_fts"

# bm25() weights per FTS column (title, standfirst, body_text); PostgreSQL gets the same
# order from the A/B/C labels and ts_rank's default weights (1.0, 0.4, 0.2).
SQLITE_WEIGHTS = (10.0, 4.0, 1.0)
SNIPPET_TOKENS = 24
MAX_TERMS = 16  # a longer query only makes the index work harder, not the results better

# Both backends mark matches with these private-use characters rather than with tags: the
# snippet is escaped as a whole and only then are they swapped for <mark>, so text stored in
# an article can never reach the page as markup.
_START, _STOP = "\ue000", "\ue001"
# ts_headline leaves out anything its parser takes for an HTML tag, so a body that quotes
# `<script>` would lose those words; "<" travels through it disguised as this character.
_LT = "\ue002"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchResult:
    article: Article
    snippet: str  # safe HTML: escaped text with <mark> around matched terms
    rank: float  # higher is better; comparable only within one result list


def search_articles(query: str, limit: int = 100) -> list[SearchResult]:
    """Live articles matching `query`, best first.

    Any text is acceptable input: operators, quotes, stray punctuation and SQL-looking
    fragments give results or an empty list, never a database error.
    """
    query = unicodedata.normalize("NFKC", query).replace("\x00", "").strip()
    if not query or limit <= 0:
        return []
    if connection.vendor == "postgresql":
        return _search_postgresql(query, limit)
    if connection.vendor == "sqlite":
        return _search_sqlite(query, limit)
    raise NotImplementedError(f"Search supports SQLite and PostgreSQL, not {connection.vendor}.")


def fts5_match_expression(query: str) -> str:
    """The reader's words as an FTS5 query that cannot be a syntax error.

    Every word becomes a double-quoted string, so FTS5 sees no operators (AND, NEAR, *, ^,
    column filters) and no unbalanced quotes or brackets; the words are ANDed, and the last
    one may be a prefix because people search while still typing it.
    """
    terms = [f'"{word}"' for word in _WORD.findall(query)[:MAX_TERMS]]
    if terms:
        terms[-1] += "*"
    return " ".join(terms)


def _search_sqlite(query: str, limit: int) -> list[SearchResult]:
    match = fts5_match_expression(query)
    if not match:
        return []
    live_sql, live_params = Article.objects.live().order_by().values("pk").query.sql_with_params()
    weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
    # bm25() is lower-is-better; negated so both backends rank the same way round.
    sql = f"""
        SELECT rowid, -bm25({FTS_TABLE}, {weights}) AS score,
               snippet({FTS_TABLE}, 1, %s, %s, '…', {SNIPPET_TOKENS}),
               snippet({FTS_TABLE}, 2, %s, %s, '…', {SNIPPET_TOKENS})
        FROM {FTS_TABLE}
        WHERE {FTS_TABLE} MATCH %s AND rowid IN ({live_sql})
        ORDER BY score DESC, rowid DESC
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [_START, _STOP, _START, _STOP, match, *live_params, limit])
        return _results(cursor.fetchall())


def _document(config: str) -> CombinedExpression:
    """The weighted tsvector; identical to the GIN index expression of migration 0002."""
    return (
        SearchVector("title", config=config, weight="A")
        + SearchVector("standfirst", config=config, weight="B")
        + SearchVector("body_text", config=config, weight="C")
    )


def _search_postgresql(query: str, limit: int) -> list[SearchResult]:
    config = settings.SEARCH_CONFIG
    # websearch_to_tsquery accepts any string: quotes, "or" and "-word" work as readers
    # expect and everything else is read as plain words.
    tsquery = SearchQuery(query, config=config, search_type="websearch")
    options = {
        "config": config,
        "start_sel": _START,
        "stop_sel": _STOP,
        "max_words": SNIPPET_TOKENS,
        "min_words": SNIPPET_TOKENS // 2,
        "max_fragments": 2,
        "fragment_delimiter": " … ",
    }
    rows = (
        Article.objects.live()
        .alias(document=_document(config))
        .filter(document=tsquery)
        .annotate(
            rank=SearchRank(_document(config), tsquery),
            standfirst_snippet=SearchHeadline(_disguise_lt("standfirst"), tsquery, **options),
            body_snippet=SearchHeadline(_disguise_lt("body_text"), tsquery, **options),
        )
        .order_by("-rank", "-published_at", "-id")
        .values_list("pk", "rank", "standfirst_snippet", "body_snippet")[:limit]
    )
    return _results(list(rows))


def _results(rows: list[tuple[Any, ...]]) -> list[SearchResult]:
    """SearchResults from (article id, rank, standfirst snippet, body snippet) rows."""
    # Fetched through live() again, so an article unpublished between the two queries drops.
    articles = Article.objects.live().for_listing().in_bulk([row[0] for row in rows])
    return [
        SearchResult(articles[pk], _highlight(standfirst, body), float(rank))
        for pk, rank, standfirst, body in rows
        if pk in articles
    ]


def _disguise_lt(column: str) -> Replace:
    return Replace(F(column), Value("<"), Value(_LT))


def _highlight(*candidates: str | None) -> SafeString:
    """The first candidate with a match in it, else the first with any text, as safe HTML.

    A title-only match has no marked candidate; the reader then gets the article's opening.
    """
    texts = [(text or "").replace(_LT, "<") for text in candidates]
    chosen = next((t for t in texts if _START in t), None) or next((t for t in texts if t), "")
    # A marker character typed into stored text can at worst add a <mark>, never another tag.
    return mark_safe(escape(chosen).replace(_START, "<mark>").replace(_STOP, "</mark>"))
