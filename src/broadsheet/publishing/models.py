"""Articles, byline authors, topics and article revisions.

An article's submitter is an account; its byline authors are people who need not have one.
Bodies are Markdown rendered to sanitised HTML when saved, and stored beside the source;
an imported body may be HTML instead (`body_format`), which is only sanitised.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import OuterRef, Q
from django.db.models.expressions import RawSQL, Star
from django.urls import reverse
from django.utils import timezone

from broadsheet.lib.rendering import html_to_text, render_article_markdown, sanitise_article_html

# An author or topic with at most this many articles is counted and listed on SQLite from
# its own rows (bylines, topic links) rather than from the whole site's articles:
# count_live_articles(), live_articles_linked(). On the bench/scale site (100,000
# articles) the two ways cost the same at about 2,700 articles for the count and 600 for
# a first page; a page and its count together, at about 1,400.
FEW_LINKS = 1_000
# On SQLite, an index on publishing_article (id, published_at, status); migration 0004
# made it (for search, which names it too).
SQLITE_LIVE_INDEX = "publishing_article_search_live"


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:topic", args=[self.slug])


class Author(models.Model):
    """A byline: a person credited with writing, with or without an account."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True, help_text="A sentence or two, plain text.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="Optional: the account of this person, if they have one.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:author", args=[self.slug])


class ArticleQuerySet(models.QuerySet["Article"]):
    def live(self) -> ArticleQuerySet:
        """Articles readers may see now. A scheduled article turns live when its time comes:
        the query decides, so no worker has to flip a flag."""
        return self.filter(status__in=Article.LIVE_STATUSES, published_at__lte=timezone.now())

    def not_live(self) -> ArticleQuerySet:
        """Every article live() leaves out: drafts, and the others until their time comes.
        Written out rather than as `exclude(live)` so each part is a range of the
        (status, published_at) index (NOT IN would read all of it)."""
        now = timezone.now()
        return self.filter(
            Q(status__in=Article.NEVER_LIVE_STATUSES)
            | Q(status__in=Article.LIVE_STATUSES, published_at__gt=now)
            | Q(status__in=Article.LIVE_STATUSES, published_at__isnull=True)
        )

    def on_topic(self, topic: Topic) -> ArticleQuerySet:
        """Articles about `topic`; an EXISTS, for the reason by_author() gives."""
        return self.filter(
            models.Exists(
                Article.topics.through.objects.filter(article=OuterRef("pk"), topic=topic)
            )
        )

    def by_author(self, author: Author) -> ArticleQuerySet:
        """Articles with `author` on the byline.

        An EXISTS rather than the join `filter(authors=...)` makes: with the join SQLite
        walks all of the author's (or a topic's) articles and sorts them to show the
        newest ten (20 ms for a topic of 22,000); with EXISTS it walks the newest live
        articles down the (status, published_at) index and stops at the tenth that
        qualifies. An author or topic with few articles among very many makes that walk
        long (it then reads the whole index, as the join did, but sorts nothing).
        """
        return self.filter(
            models.Exists(Byline.objects.filter(article=OuterRef("pk"), author=author))
        )

    def with_bylines(self) -> ArticleQuerySet:
        """Bylines in order with their authors, for `byline_authors()`: one query more,
        however many articles and authors."""
        return self.prefetch_related(
            models.Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author").order_by("position", "id"),
            )
        )

    def with_relations(self) -> ArticleQuerySet:
        """Submitter, bylines (in order) and topics in a fixed number of queries."""
        return self.select_related("submitted_by").with_bylines().prefetch_related("topics")

    def for_listing(self) -> ArticleQuerySet:
        """What list pages show: summaries with bylines. No bodies, and no topics or
        submitter, which a summary does not show: fetching them would cost a query on
        every list page for nothing."""
        return self.with_bylines().defer("body_source", "body_html", "body_text")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    class BodyFormat(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        # Imported bodies (WordPress, Drupal) stay as the HTML they were written in:
        # converting them to Markdown would lose what Markdown cannot say.
        HTML = "html", "HTML (imported)"

    class Comments(models.TextChoices):
        OPEN = "open", "Open: readers may comment"
        CLOSED = "closed", "Closed: comments shown, no new ones"
        HIDDEN = "hidden", "Hidden: no comments shown"

    # Live once published_at has come (ArticleQuerySet.live()); never live.
    LIVE_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)
    NEVER_LIVE_STATUSES = (Status.DRAFT,)

    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True, help_text="The article's address.")
    standfirst = models.TextField(
        blank=True, max_length=600, help_text="A sentence or two under the title and in lists."
    )
    body_source = models.TextField("body", blank=True, help_text="Markdown.")
    body_format = models.CharField(
        max_length=10, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN
    )
    body_html = models.TextField(editable=False, default="")
    body_text = models.TextField(editable=False, default="")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_articles"
    )
    authors: models.ManyToManyField[Author, Byline] = models.ManyToManyField(
        Author, through="Byline", related_name="articles"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When readers first see it; in the future to schedule."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    comments_mode = models.CharField(
        "comments", max_length=10, choices=Comments.choices, default=Comments.OPEN
    )
    # Published reader comments, kept by the discussion app so list pages need no count query.
    comment_count = models.PositiveIntegerField(default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_time",
                violation_error_message="A scheduled or published article needs a publish time.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_html = self.rendered_body()
        self.body_text = html_to_text(self.body_html)
        self.updated_at = timezone.now()
        if self.status != self.Status.DRAFT and self.published_at is None:
            self.published_at = self.updated_at
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body_html", "body_text", "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publishing:article", args=[self.slug])

    def rendered_body(self) -> str:
        """The body as readers get it: Markdown rendered, or imported HTML sanitised."""
        if self.body_format == self.BodyFormat.HTML:
            return sanitise_article_html(self.body_source)
        return render_article_markdown(self.body_source)

    @property
    def is_live(self) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def public_status(self) -> str:
        """What a reader would experience now: draft, scheduled (not yet) or published."""
        if self.status == self.Status.DRAFT:
            return "draft"
        return "published" if self.is_live else "scheduled"

    def publish(self, at: Any = None) -> None:
        """Publish now, or schedule for `at` when it lies in the future."""
        self.published_at = at or self.published_at or timezone.now()
        if self.published_at > timezone.now():
            self.status = self.Status.SCHEDULED
        else:
            self.status = self.Status.PUBLISHED
        self.save()

    def unpublish(self) -> None:
        self.status = self.Status.DRAFT
        self.save()

    def byline_authors(self) -> list[Author]:
        """Byline authors in order, using prefetched bylines when present."""
        return [byline.author for byline in self.bylines.all()]


def months_with_live_articles() -> list[dt.date]:
    """The months (first days, in the site's time zone) that have live articles, newest
    first: what the archive index lists.

    On SQLite, `datetimes()` would call a Python function for every live article to put
    its date in the site's time zone (half a second for 100,000 articles). Instead a
    recursive query skips from month to month down the (status, published_at) index:
    the latest live article before a bound, then the start of its month as the next
    bound, so the functions run once or twice per month listed, not per article. It
    calls the functions Django registers on SQLite connections for Trunc(), so month
    boundaries follow the time zone (and its summer time) exactly as `datetimes()` does.
    PostgreSQL truncates natively and keeps `datetimes()`.
    """
    if connection.vendor != "sqlite":
        months = Article.objects.live().datetimes("published_at", "month", order="DESC")
        return [timezone.localtime(month).date() for month in months]
    table = connection.ops.quote_name(Article._meta.db_table)
    local, utc = timezone.get_current_timezone_name(), connection.timezone_name

    def latest_live(comparison: str, bound: str) -> str:
        # One max() per status: SQLite answers each with one seek down the index, where
        # `status IN (...)` would scan; and one bound on published_at for the same reason.
        per_status = " UNION ALL ".join(
            f"SELECT max(published_at) AS latest FROM {table} "
            f"WHERE status = %s AND published_at {comparison} {bound}"
            for _ in Article.LIVE_STATUSES
        )
        return f"(SELECT max(latest) FROM ({per_status}))"

    def month_start(moment: str) -> str:
        # The start, in UTC as stored, of the site-time month holding `moment`; never after
        # `moment`, so every step moves down even where a zone skips its midnight.
        return (
            f"min({moment}, django_datetime_trunc('second', "
            f"django_datetime_trunc('month', {moment}, %s, %s), %s, %s))"
        )

    first, step = latest_live("<=", "%s"), latest_live("<", "months.bound")
    sql = f"""
        WITH RECURSIVE months(bound) AS (
            SELECT {month_start(first)}
            UNION ALL
            SELECT {month_start(step)} FROM months WHERE months.bound IS NOT NULL
        )
        SELECT DISTINCT django_datetime_trunc('month', bound, %s, %s) AS start
        FROM months WHERE bound IS NOT NULL ORDER BY start DESC
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    first_params = [value for status in Article.LIVE_STATUSES for value in (status, now)]
    step_params = list(Article.LIVE_STATUSES)
    zones = [local, utc, utc, local]
    params = [
        *first_params, *first_params, *zones,
        *step_params, *step_params, *zones,
        local, utc,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dt.date(int(start[:4]), int(start[5:7]), 1) for (start,) in cursor.fetchall()]


def count_live_articles(links: models.QuerySet[Any] | None = None) -> int:
    """How many live articles there are; or, given `links`, how many of those its rows
    name, one row per article: a topic's (`Article.topics.through.objects.filter(...)`)
    or an author's (`Byline.objects.filter(author=...)`).

    Counted as all articles (or rows) less those that are not live. Counting the live
    ones directly reads an index entry for each (95,000 on a big site: 4 ms), and for a
    topic looks each of its articles up (22,000: 90 ms). SQLite counts a whole table from
    its b-tree without reading the rows, and a topic's or author's rows from the index on
    the foreign key; the articles that are not live (drafts, scheduled ones still to
    come) are few and come from the (status, published_at) index, each checked against
    the through table's unique (article, topic) or (article, author) index. The cost
    grows with the drafts and scheduled articles, not with what is published. One query,
    so the two counts agree.

    On SQLite, `links` of at most FEW_LINKS rows are counted the other way round: each
    row's article is looked up in the narrow (id, published_at, status) index, so the
    cost grows with the author's or topic's own articles, not with the site's drafts
    (0.2 ms for an author of 330 articles where the site had 4,979 articles not live,
    against 1.9 ms subtracting those). The same query decides which way, from its count
    of at most FEW_LINKS + 1 of the rows.
    """
    rows = Article.objects.all() if links is None else links
    if rows.query.is_empty():  # .none(): no SQL to build, nothing to count
        return 0
    not_live = Article.objects.not_live()
    if links is not None:
        not_live = not_live.filter(models.Exists(links.filter(article=OuterRef("pk"))))
    # Each a plain `SELECT COUNT(*) FROM ... WHERE ...`: SQLite's whole-table count only
    # works on exactly that, and `aggregate()` would add the other count beside it.
    rows_sql, rows_params = _count_query(rows)
    not_live_sql, not_live_params = _count_query(not_live)
    sql = f"SELECT ({rows_sql}) - ({not_live_sql})"
    params: list[Any] = [*rows_params, *not_live_params]
    if links is not None and connection.vendor == "sqlite":
        # SQLite runs only the branch of the CASE it takes.
        first_rows = links.order_by().values("pk")[: FEW_LINKS + 1]
        few_sql, few_params = first_rows.query.get_compiler(using=links.db).as_sql()
        live_sql, live_params = _live_linked_sqlite(links)
        sql = (
            f"SELECT CASE WHEN (SELECT count(*) FROM ({few_sql})) <= %s "
            f"THEN (SELECT count(*) {live_sql}) ELSE ({sql[len('SELECT ') :]}) END"
        )
        params = [*few_params, FEW_LINKS, *live_params, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def live_articles_linked(
    links: models.QuerySet[Any], count: int, start: int, stop: int
) -> ArticleQuerySet:
    """The live articles `links` names (see count_live_articles()), newest first, from
    `start` to `stop`, as list pages show them (`for_listing()`). `count` is
    count_live_articles(links).

    Many articles (a topic's): walk the newest live articles down the (status,
    published_at) index and stop at the last one of the page (`on_topic()`,
    `by_author()`). Few (an author's, on SQLite): that walk reads the whole index's worth
    of other people's articles to find each of theirs (1 in 300 on a big site: 0.9 ms for
    a first page), so instead their rows are looked up in the narrow (id, published_at,
    status) index, sorted and sliced there (0.3 ms), and only the page's articles read.
    """
    if connection.vendor != "sqlite" or count > FEW_LINKS:
        linked = models.Exists(links.filter(article=OuterRef("pk")))
        return Article.objects.live().filter(linked).for_listing()[start:stop]
    live_sql, live_params = _live_linked_sqlite(links)
    page = RawSQL(
        f"SELECT id {live_sql} ORDER BY published_at DESC, id DESC LIMIT %s OFFSET %s",
        (*live_params, stop - start, start),
    )
    return Article.objects.filter(pk__in=page).for_listing()


def _live_linked_sqlite(links: models.QuerySet[Any]) -> tuple[str, list[Any]]:
    """`FROM ... WHERE ...` for the live articles `links` names, through the (id,
    published_at, status) index. Without INDEXED BY SQLite, having no statistics, walks
    all live articles in the (status, published_at) index to test each against the list,
    or reads each row from the table, where status and published_at come after the
    three copies of the body (25 ms for 330 articles)."""
    table = connection.ops.quote_name(Article._meta.db_table)
    links_sql, links_params = (
        links.order_by().values("article_id").query.get_compiler(using=links.db).as_sql()
    )
    live_sql, live_params = live_condition_sql()
    sql = f"FROM {table} INDEXED BY {SQLITE_LIVE_INDEX} WHERE id IN ({links_sql}) AND {live_sql}"
    return sql, [*links_params, *live_params]


def live_condition_sql() -> tuple[str, list[Any]]:
    """Article.objects.live()'s condition as SQL on the article table (its columns named
    with the table's), for the statements written by hand, so they cannot part from it."""
    live = Article.objects.live()
    sql, params = live.query.get_compiler(connection=connection).compile(live.query.where)
    return sql, list(params)


def _count_query(queryset: models.QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    counting = queryset.order_by().values(
        n=models.Func(Star(), function="COUNT", output_field=models.IntegerField())
    )
    sql: tuple[str, tuple[Any, ...]] = counting.query.get_compiler(using=queryset.db).as_sql()
    return sql


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_once_per_article")
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


class ArticleRevision(models.Model):
    """A snapshot of an article's editable fields, kept at every save in the admin."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    created_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    data = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.article} at {self.created_at:%Y-%m-%d %H:%M}"
