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

Results are fetched a page at a time (`SearchResults`): a big archive matches tens of
thousands of articles for a common word, and snippets are the expensive part, so only the
rows a reader is shown get them. On SQLite only the newest RANKED_MATCHES live matches
are ranked and sorted (see there); FTS5 still reads every match of a word to weigh it
in bm25(), and of a prefix to expand it, so a common word still costs more than a rare
one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article, ArticleQuerySet

FTS_TABLE = "publishing_article_fts"
SQLITE_LIVE_INDEX = "publishing_article_search_live"  # migration 0004

# bm25() weights per FTS column (title, standfirst, body_text); PostgreSQL gets the same
# order from the A/B/C labels and ts_rank's default weights (1.0, 0.4, 0.2).
SQLITE_WEIGHTS = (10.0, 4.0, 1.0)
SNIPPET_TOKENS = 24
MAX_TERMS = 16  # a longer query only makes the index work harder, not the results better
# SQLite ranks the newest this many live matches (by id, which is creation order), not all
# of them. A word in most articles matches tens of thousands on a big site, and bm25()
# for each, then sorting them, took 100-200 ms; a word in most articles gets almost no
# weight, so their scores differ little anyway, and newer is what a reader of news is
# after. A query with fewer live matches is ranked in full, as before. PostgreSQL still
# ranks every match.
RANKED_MATCHES = 1000

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


class SearchResults(Sequence[SearchResult]):
    """The best `limit` live matches for a query, best first, read from the database a
    slice at a time; what a Paginator needs.

    On PostgreSQL len() costs one query, a count; on SQLite the first len() or slice
    ranks the matches, once, and keeps the ranking. Then a slice or an index costs one
    query for its rows' snippets, plus the articles (`_results()`); snippets are not
    kept, so iterate once, or take list() of it. This base class is the empty result,
    for a query with no words in it; each backend subclasses it.
    """

    def __init__(self, limit: int = 0) -> None:
        self.limit = max(limit, 0)
        self._count: int | None = None

    def _count_matches(self) -> int:
        """How many live articles match, counting no further than self.limit."""
        return 0

    def _fetch(self, offset: int, count: int) -> list[SearchResult]:
        """The results at positions offset to offset + count - 1 (within the limit)."""
        return []

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._count_matches() if self.limit else 0
        return self._count

    @overload
    def __getitem__(self, index: int) -> SearchResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[SearchResult]: ...
    def __getitem__(self, index: int | slice) -> SearchResult | list[SearchResult]:
        if isinstance(index, slice):
            return self._slice(index)
        if index < 0:
            index += len(self)
        found = self._slice(slice(index, index + 1)) if 0 <= index < self.limit else []
        if not found:
            raise IndexError("search result index out of range")
        return found[0]

    def _slice(self, key: slice) -> list[SearchResult]:
        start, stop, step = key.start or 0, key.stop, key.step or 1
        if start < 0 or (stop is not None and stop < 0) or step != 1:
            # Counted from the end or stepped: only the count says which positions those are.
            positions = range(len(self))[key]
            if not positions:
                return []
            low, high = min(positions), max(positions)
            rows = self._slice(slice(low, high + 1))
            return [rows[p - low] for p in positions if p - low < len(rows)]
        stop = self.limit if stop is None else min(stop, self.limit)
        return self._fetch(start, stop - start) if stop > start else []

    def __iter__(self) -> Iterator[SearchResult]:
        return iter(self[:])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SearchResults | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, so unhashable as they are

    def __repr__(self) -> str:
        return f"<{type(self).__name__} limit={self.limit}>"


def search_articles(query: str, limit: int = 100) -> SearchResults:
    """Live articles matching `query`, best first, at most `limit` of them.

    Any text is acceptable input: operators, quotes, stray punctuation and SQL-looking
    fragments give results or no results, never a database error.
    """
    query = unicodedata.normalize("NFKC", query).replace("\x00", "").strip()
    if not query or limit <= 0:
        return SearchResults()
    if connection.vendor == "postgresql":
        return _PostgreSQLResults(query, limit)
    if connection.vendor == "sqlite":
        match = fts5_match_expression(query)
        return _SQLiteResults(match, limit) if match else SearchResults()
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


class _SQLiteResults(SearchResults):
    """Ranks the newest RANKED_MATCHES live matches, not every match (see there).

    The ranking, ids and scores of at most `limit` articles, is read once and kept: the
    count and every slice come from it, so a page costs two queries, one to rank and one
    for the page's snippets, plus the articles.
    """

    def __init__(self, match: str, limit: int) -> None:
        super().__init__(limit)
        self.match = match
        self._ranked: list[tuple[int, float]] | None = None

    def _ranking(self) -> list[tuple[int, float]]:
        """(id, score) of the best `limit` of the newest live matches, best first.

        FTS5 must drive: the match yields its rowids and each is looked up among the live
        articles. Written as `rowid IN (live ids)`, or left to the planner as a plain join,
        SQLite runs the match once for every live article instead (seconds on a big site);
        CROSS JOIN is how SQLite is told to keep the tables in the order written. The
        lookup reads the small index of migration 0004, not the article rows (see there).
        FTS5 hands out matches in rowid order, so `ORDER BY rowid DESC LIMIT` stops after
        the newest ones, and bm25() is computed for those only.
        """
        if self._ranked is None:
            live = Article.objects.live()
            live_where, live_params = live.query.get_compiler(connection=connection).compile(
                live.query.where
            )
            table = connection.ops.quote_name(Article._meta.db_table)
            weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
            # bm25() is lower-is-better; negated so both backends rank the same way round.
            sql = f"""
                SELECT {FTS_TABLE}.rowid, -bm25({FTS_TABLE}, {weights})
                FROM {FTS_TABLE}
                CROSS JOIN {table} INDEXED BY {SQLITE_LIVE_INDEX}
                    ON {table}.id = {FTS_TABLE}.rowid
                WHERE {FTS_TABLE} MATCH %s AND {live_where}
                ORDER BY {FTS_TABLE}.rowid DESC
                LIMIT %s
            """
            with connection.cursor() as cursor:
                cursor.execute(sql, [self.match, *live_params, max(RANKED_MATCHES, self.limit)])
                rows = [(int(pk), float(score)) for pk, score in cursor.fetchall()]
            rows.sort(key=lambda row: (row[1], row[0]), reverse=True)
            self._ranked = rows[: self.limit]
        return self._ranked

    def _count_matches(self) -> int:
        return len(self._ranking())

    def _fetch(self, offset: int, count: int) -> list[SearchResult]:
        page = self._ranking()[offset : offset + count]
        if not page:
            return []
        ids = [pk for pk, _ in page]
        # Snippets read and tokenize the whole article, so only the page's rows get them.
        # FTS5 drives here too, held to the page's range of rowids, and the page's ids
        # only filter what it yields: the unary + keeps SQLite from handing `rowid IN` to
        # FTS5 as lookups, which for a query ending in a common prefix ("counc*") would
        # expand the prefix once for every row of the page.
        placeholders = ", ".join(["%s"] * len(ids))
        sql = f"""
            SELECT {FTS_TABLE}.rowid,
                   snippet({FTS_TABLE}, 1, %s, %s, '…', {SNIPPET_TOKENS}),
                   snippet({FTS_TABLE}, 2, %s, %s, '…', {SNIPPET_TOKENS})
            FROM {FTS_TABLE}
            WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid BETWEEN %s AND %s
                AND +{FTS_TABLE}.rowid IN ({placeholders})
        """
        markers = [_START, _STOP, _START, _STOP]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*markers, self.match, min(ids), max(ids), *ids])
            snippets = {pk: (standfirst, body) for pk, standfirst, body in cursor.fetchall()}
        return _results([(pk, score, *snippets[pk]) for pk, score in page if pk in snippets])


def _document(config: str) -> CombinedExpression:
    """The weighted tsvector; identical to the GIN index expression of migration 0002."""
    return (
        SearchVector("title", config=config, weight="A")
        + SearchVector("standfirst", config=config, weight="B")
        + SearchVector("body_text", config=config, weight="C")
    )


class _PostgreSQLResults(SearchResults):
    def __init__(self, query: str, limit: int) -> None:
        super().__init__(limit)
        self.config = settings.SEARCH_CONFIG
        # websearch_to_tsquery accepts any string: quotes, "or" and "-word" work as readers
        # expect and everything else is read as plain words.
        self.tsquery = SearchQuery(query, config=self.config, search_type="websearch")

    def _matches(self) -> ArticleQuerySet:
        return (
            Article.objects.live()
            .alias(document=_document(self.config))
            .filter(document=self.tsquery)
        )

    def _count_matches(self) -> int:
        # Counted in full, not stopped at the limit like on SQLite: with a LIMIT the planner
        # may scan the table in order, parsing every article until enough match, which takes
        # minutes when the matches are the newest articles, as they are for news.
        return min(self._matches().count(), self.limit)

    def _fetch(self, offset: int, count: int) -> list[SearchResult]:
        options = {
            "config": self.config,
            "start_sel": _START,
            "stop_sel": _STOP,
            "max_words": SNIPPET_TOKENS,
            "min_words": SNIPPET_TOKENS // 2,
            "max_fragments": 2,
            "fragment_delimiter": " … ",
        }
        # With a LIMIT, PostgreSQL computes ts_headline() after sorting: for the rows up to
        # the end of the page, not for every match.
        rows = (
            self._matches()
            .annotate(
                rank=SearchRank(_document(self.config), self.tsquery),
                standfirst_snippet=SearchHeadline(
                    _disguise_lt("standfirst"), self.tsquery, **options
                ),
                body_snippet=SearchHeadline(_disguise_lt("body_text"), self.tsquery, **options),
            )
            .order_by("-rank", "-published_at", "-id")
            .values_list("pk", "rank", "standfirst_snippet", "body_snippet")[
                offset : offset + count
            ]
        )
        return _results(list(rows))


def _results(rows: list[tuple[Any, ...]]) -> list[SearchResult]:
    """SearchResults from (article id, rank, standfirst snippet, body snippet) rows."""
    # Checked with is_live again, so an article unpublished between the two queries drops.
    # Not with live() in the query: SQLite, which has no statistics, would then walk its
    # index of every live article rather than look up these few by primary key.
    articles = Article.objects.for_listing().in_bulk([row[0] for row in rows])
    return [
        SearchResult(articles[pk], _highlight(standfirst, body), float(rank))
        for pk, rank, standfirst, body in rows
        if pk in articles and articles[pk].is_live
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
