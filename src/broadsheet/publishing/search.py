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
rows a reader is shown get them.

What SQLite readers get (rules that keep a common word about as cheap as a rare one on a
big site; PostgreSQL is unchanged by them, and a small site never meets the second):

- The last word is matched whole, and only if that finds no live article, as the start of
  a word: "port" finds port, ports and porting (the porter stemmer's forms) but not
  portrait, while "portr" or "counc", no word of any live article, find portrait and
  council. FTS5 builds a prefix's whole list of matches before handing out the first, at
  a cost that grows with the matches; a whole word streams.
- Only the newest RANKED_MATCHES articles that match are ranked (by id, which is creation
  order); drafts and scheduled articles count among them, though readers never see them.
  If no more than that match, the live ones are ranked with bm25(), title above
  standfirst above body. If more match, the newest RANKED_MATCHES are ordered by where
  the words are: every word in the title first, then every word in the title or
  standfirst, then the rest, newest first within each (as WordPress orders its search).
  bm25() would read every match of every word once more to weigh it (tens of thousands
  for a common word, which it then weighs near zero anyway).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, overload

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import SQLITE_LIVE_INDEX, Article, ArticleQuerySet, live_condition_sql

FTS_TABLE = "publishing_article_fts"

# bm25() weights per FTS column (title, standfirst, body_text); PostgreSQL gets the same
# order from the A/B/C labels and ts_rank's default weights (1.0, 0.4, 0.2).
SQLITE_WEIGHTS = (10.0, 4.0, 1.0)
SNIPPET_TOKENS = 24
MAX_TERMS = 16  # a longer query only makes the index work harder, not the results better
# SQLite ranks the newest this many matches (the module docstring says how), not all of
# them. A word in most articles matches tens of thousands on a big site: bm25() for each,
# then sorting them, took 100-200 ms, and bm25() for the newest 1,000 still 2-7 ms, most
# of it reading every match to weigh the word; a word in most articles gets almost no
# weight, so their scores differ little anyway, and newer is what a reader of news is
# after. Drafts count among them because telling them apart means looking each match up
# (a millisecond for a common word on bench/scale's big site). PostgreSQL ranks every match.
RANKED_MATCHES = 1000
# The rank of a result among more than RANKED_MATCHES: every word in the title, every word
# in the title or standfirst, or neither. bm25 scores are not comparable with them.
IN_TITLE, IN_STANDFIRST, IN_BODY = 3.0, 2.0, 1.0

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
    column filters) and no unbalanced quotes or brackets; the words are ANDed. Every word
    is matched whole: `_SQLiteResults` appends the `*` that makes the last one a prefix
    when the whole word finds nothing.
    """
    return " ".join(f'"{word}"' for word in _WORD.findall(query)[:MAX_TERMS])


class _SQLiteResults(SearchResults):
    """Ranks the newest RANKED_MATCHES matches, not every match (see there).

    The ranking, ids and scores of at most `limit` articles, is read once and kept: the
    count and every slice come from it, so a page costs two queries, one to rank and one
    for the page's snippets, plus the articles.
    """

    def __init__(self, match: str, limit: int) -> None:
        super().__init__(limit)
        self.match = match  # every word whole; _ranking() settles whether the last is a prefix
        self._ranked: list[tuple[int, float]] | None = None

    def _ranking(self) -> list[tuple[int, float]]:
        """(id, score) of the best `limit` live matches, best first.

        One statement, so that a page costs the same queries whichever rule applies:

        - `chosen`, the FTS5 query: the words whole if they find a live article, else with
          the last one a prefix;
        - `newest`, the newest matches in the index, one more than are ranked, so that
          `span` can say whether there are more (`many`) and where the ranked ones start
          (`low`); it reads the index alone, which streams;
        - then either every live match with its bm25() (the first SELECT, when no more
          than RANKED_MATCHES match), or the newest RANKED_MATCHES by place, looked up
          among the live articles best first and only until `limit` are found (the
          second). A place says whether every word is in the title (`titled`), in the
          title or standfirst (`headed`), or neither.

        A part that does not apply gets the FTS5 query '""', which matches nothing without
        reading the index: SQLite starts the match of a part even when a condition rules
        out every row, and for a prefix that alone is a pass over all its matches.

        FTS5 must drive: the match yields its rowids and each is looked up among the live
        articles. Written as `rowid IN (live ids)`, or left to the planner as a plain join,
        SQLite runs the match once for every live article instead (seconds on a big site);
        CROSS JOIN is how SQLite is told to keep the tables in the order written. The
        lookup reads the small index of migration 0004, not the article rows (see there).
        FTS5 hands out matches in rowid order, so `ORDER BY rowid DESC LIMIT` stops after
        the newest ones, and `rowid >= low` starts the places' matches there. A column
        filter such as `{title} :` reads where each word is from the index, not the text.
        The LIMIT on `placed` keeps SQLite from checking EXISTS on every row before sorting
        (a subquery with a LIMIT is not merged into a query with a WHERE).
        """
        if self._ranked is None:
            live_where, live_params = live_condition_sql()
            ranked = max(RANKED_MATCHES, self.limit)
            params = {
                **{f"live{number}": value for number, value in enumerate(live_params)},
                **{"whole": self.match, "prefix": f"{self.match}*", "limit": self.limit},
                **{"ranked": ranked, "newest": ranked + 1},
            }
            sql = _ranking_sql(live_where)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                found = cursor.fetchall()
            # The row without an id carries the FTS5 query chosen; the snippets match it too.
            self.match = next(str(query) for pk, query in found if pk is None)
            rows = [(int(pk), float(score)) for pk, score in found if pk is not None]
            # Ties, and each place when ranked by place, go newest first.
            rows.sort(key=itemgetter(1, 0), reverse=True)
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


@functools.cache
def _ranking_sql(live_where: str) -> str:
    """The statement of `_SQLiteResults._ranking()` (see there), given the SQL of
    Article.objects.live()'s condition. Built once: only its parameters change.

    Its parameters are named (`live0`… for the condition's): Django turns positional ones
    into SQLite's with a regular expression over the whole statement, which for one this
    long took longer than the query did on a small site.
    """
    table = connection.ops.quote_name(Article._meta.db_table)
    parts = live_where.split("%s")
    live_where = "".join(
        f"{part}%(live{number})s" if number < len(parts) - 1 else part
        for number, part in enumerate(parts)
    )

    def fts_query(condition: str, query: str) -> str:
        """SQL giving the FTS5 query `query` if `condition` holds, else one matching nothing."""
        return f"""(SELECT CASE WHEN {condition} THEN {query} ELSE '""' END FROM span, chosen)"""

    def live_matches(query: str) -> str:
        return f"""
            FROM {FTS_TABLE} CROSS JOIN {table} INDEXED BY {SQLITE_LIVE_INDEX}
                ON {table}.id = {FTS_TABLE}.rowid
            WHERE {FTS_TABLE} MATCH {query} AND {live_where}
        """

    def ranked_in(columns: str) -> str:
        every_word_in = f"'{{{columns}}} : (' || query || ')'"
        return f"""
            SELECT rowid FROM {FTS_TABLE}
            WHERE {FTS_TABLE} MATCH {fts_query("many", every_word_in)}
                AND rowid >= (SELECT low FROM span)
        """

    weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
    # `low` is used only when there are `many`: then `newest` holds one more than are
    # ranked, and the lowest of those is not. bm25() is lower-is-better; negated so both
    # backends rank the same way round. No -- comments: the statement is put on one line.
    sql = f"""
        WITH chosen(query) AS MATERIALIZED (
            SELECT CASE WHEN EXISTS (SELECT 1 {live_matches("%(whole)s")})
                THEN %(whole)s ELSE %(prefix)s END
        ),
        newest(id) AS MATERIALIZED (
            SELECT rowid FROM {FTS_TABLE}
            WHERE {FTS_TABLE} MATCH (SELECT query FROM chosen)
            ORDER BY rowid DESC
            LIMIT %(newest)s
        ),
        span(low, many) AS MATERIALIZED (
            SELECT (SELECT min(id) FROM newest WHERE id > (SELECT min(id) FROM newest)),
                count(*) > %(ranked)s
            FROM newest
        ),
        titled(id) AS MATERIALIZED ({ranked_in("title")}),
        headed(id) AS MATERIALIZED ({ranked_in("title standfirst")})
        SELECT NULL, query FROM chosen
        UNION ALL
        SELECT {FTS_TABLE}.rowid, -bm25({FTS_TABLE}, {weights})
        {live_matches(fts_query("NOT many", "query"))}
        UNION ALL
        SELECT * FROM (
            SELECT id, place FROM (
                SELECT id,
                    CASE WHEN id IN titled THEN {IN_TITLE}
                        WHEN id IN headed THEN {IN_STANDFIRST}
                        ELSE {IN_BODY} END AS place
                FROM newest
                WHERE (SELECT many FROM span) AND id >= (SELECT low FROM span)
                ORDER BY place DESC, id DESC
                LIMIT %(ranked)s
            ) AS placed
            WHERE EXISTS (
                SELECT 1 FROM {table} INDEXED BY {SQLITE_LIVE_INDEX}
                WHERE {table}.id = placed.id AND {live_where}
            )
            LIMIT %(limit)s
        )
    """
    return " ".join(sql.split())


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
