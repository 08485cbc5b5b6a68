"""Reader pages: home, article, author, topic, archive, search, robots.txt.

Visibility is decided by `access`; views parse the request, fetch and render.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from broadsheet import pagecache
from broadsheet.pagecache import LIVE_ARTICLES, tag

from . import search
from .access import can_preview, get_visible_article_or_404
from .invalidation import seconds_until_next_scheduled
from .models import (
    Article,
    Author,
    Byline,
    Topic,
    count_live_articles,
    live_articles_linked,
    months_with_live_articles,
)


class _CountedPaginator(Paginator[Any]):
    """A Paginator told how many objects there are, where counting them is the costly
    part (`count_live_articles()`)."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _page(request: HttpRequest, articles: QuerySet[Article], count: int | None = None) -> Page[Any]:
    if count is None:
        paginator = Paginator(articles, settings.ARTICLES_PER_PAGE)
    else:
        paginator = _CountedPaginator(articles, settings.ARTICLES_PER_PAGE, count)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None
    shows_live_articles(request, page.object_list)
    return page


def _linked_page(request: HttpRequest, links: QuerySet[Any]) -> Page[Any]:
    """A page of the live articles an author's bylines or a topic's rows name
    (`live_articles_linked()` picks how to find them from how many there are)."""
    count = count_live_articles(links)
    # Paged over a range, whose len() is the count: the page's articles are fetched apart.
    paginator = Paginator(range(count), settings.ARTICLES_PER_PAGE)
    try:
        number = paginator.validate_number(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None
    start = (number - 1) * paginator.per_page
    articles = list(live_articles_linked(links, count, start, start + paginator.per_page))
    shows_live_articles(request, articles)
    return Page(articles, number, paginator)


def shows_live_articles(request: HttpRequest, articles: Any = ()) -> None:
    """For the page cache: this page lists live articles (these ones, with their bylines
    and comment counts), so it changes when any of them does, when which articles are live
    changes, and when the next scheduled article goes live."""
    tags = [LIVE_ARTICLES]
    for article in articles:
        tags.append(tag("article", article.pk))
        tags.extend(tag("author", author.pk) for author in article.byline_authors())
    pagecache.depends_on(request, *tags)
    pagecache.cache_until(request, seconds_until_next_scheduled)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Latest live articles, newest first. Template: publishing/home.html."""
    page = _page(request, Article.objects.live().for_listing(), count_live_articles())
    return render(request, "publishing/home.html", {"page": page})


def article_context(request: HttpRequest, article: Article) -> dict[str, Any]:
    """What publishing/article.html needs; other apps rendering the page start from it."""
    return {
        "article": article,
        "authors": article.byline_authors(),
        "topics": list(article.topics.all()),
        "is_preview": not article.is_live,
        "can_edit": can_preview(request.user),
    }


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One article; drafts and future articles only for editors, marked as previews.
    Template: publishing/article.html, which the site overrides with its own copy that extends
    this app's and adds what goes under the article (src/broadsheet/templates/publishing/)."""
    article = get_visible_article_or_404(request.user, slug)
    context = article_context(request, article)
    pagecache.depends_on(
        request,
        tag("article", article.pk),
        tag("user", article.submitted_by_id),
        *(tag("author", author.pk) for author in context["authors"]),
        *(tag("topic", topic.pk) for topic in context["topics"]),
    )
    response = render(request, "publishing/article.html", context)
    if context["is_preview"]:
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A byline author's bio and live articles. Template: publishing/author.html."""
    author = get_object_or_404(Author, slug=slug)
    pagecache.depends_on(request, tag("author", author.pk))
    page = _linked_page(request, Byline.objects.filter(author=author))
    return render(request, "publishing/author.html", {"author": author, "page": page})


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A topic's description and live articles. Template: publishing/topic.html."""
    topic = get_object_or_404(Topic, slug=slug)
    pagecache.depends_on(request, tag("topic", topic.pk))
    page = _linked_page(request, Article.topics.through.objects.filter(topic=topic))
    return render(request, "publishing/topic.html", {"topic": topic, "page": page})


@require_GET
def archive_index(request: HttpRequest) -> HttpResponse:
    """Months that have live articles, newest first. Template: publishing/archive_index.html."""
    months = months_with_live_articles()
    shows_live_articles(request)
    return render(request, "publishing/archive_index.html", {"months": months})


def _month_start(year: int, month: int) -> dt.datetime | None:
    """Midnight on the first of the month in the current time zone, or None when that moment
    lies outside what datetime and the database can hold (year 10000, or year 1 east of UTC,
    which is still year 0 in UTC). None means "no bound on this side"."""
    if year > dt.MAXYEAR:
        return None
    moment = dt.datetime(year, month, 1, tzinfo=timezone.get_current_timezone())
    try:
        # The database layer converts to UTC; do it here so the overflow is ours to handle.
        moment.astimezone(dt.UTC)
    except OverflowError:
        return None
    return moment


@require_GET
def archive_month(request: HttpRequest, year: int, month: int | None = None) -> HttpResponse:
    """Live articles of a year or a month. Template: publishing/archive.html."""
    if not (dt.MINYEAR <= year <= dt.MAXYEAR) or (month is not None and not 1 <= month <= 12):
        raise Http404("No such month.")
    if month is None:
        start, end = _month_start(year, 1), _month_start(year + 1, 1)
        heading = str(year)
    else:
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        start, end = _month_start(year, month), _month_start(next_year, next_month)
        heading = f"{calendar.month_name[month]} {year}"
    articles = Article.objects.live()
    if start is not None:
        articles = articles.filter(published_at__gte=start)
    if end is not None:
        articles = articles.filter(published_at__lt=end)
    page = _page(request, articles.for_listing())
    return render(request, "publishing/archive.html", {"page": page, "heading": heading})


@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    """Ranked results with highlighted snippets. Template: publishing/search.html."""
    query = request.GET.get("q", "").strip()[:200]
    results = search.search_articles(query) if query else []
    paginator = Paginator(results, settings.ARTICLES_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("No such page.") from None
    return render(request, "publishing/search.html", {"query": query, "page": page})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
