"""RSS and Atom feeds of live articles: site-wide, per topic and per author."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import SyndicationFeed
from django.utils.html import format_html

from broadsheet import pagecache
from broadsheet.lib.feeds import XmlSafeAtomFeed, XmlSafeRssFeed
from broadsheet.pagecache import tag

from .models import Article, ArticleQuerySet, Author, Topic
from .views import shows_live_articles

FEED_LENGTH = 20
# The request a feed is being built for: Feed.items() is not given it, and the page cache
# needs to hear which articles the feed shows. One feed object serves every thread.
_building_for: ContextVar[HttpRequest | None] = ContextVar("feed_request", default=None)


class LatestRssFeed(Feed[Article, Any]):
    # Titles, standfirsts, bodies and names are stored as typed; the feed type drops what
    # XML 1.0 cannot carry (broadsheet/lib/feeds.py).
    feed_type: type[SyndicationFeed] = XmlSafeRssFeed
    description_template = None

    def title(self, obj: Any = None) -> str:
        return str(settings.SITE_NAME)

    def link(self, obj: Any = None) -> str:
        return reverse("publishing:home")

    def description(self, obj: Any = None) -> str:
        return str(settings.SITE_DESCRIPTION)

    def articles(self, obj: Any) -> ArticleQuerySet:
        return Article.objects.live()

    def get_feed(self, obj: Any, request: HttpRequest) -> Any:
        building = _building_for.set(request)
        try:
            return super().get_feed(obj, request)
        finally:
            _building_for.reset(building)

    def items(self, obj: Any = None) -> list[Article]:
        # One query for the bylines with their authors and one for the topics, for any length.
        articles = list(self.articles(obj).with_bylines().prefetch_related("topics")[:FEED_LENGTH])
        if (request := _building_for.get()) is not None:
            shows_live_articles(request, articles)
            topics = {topic.pk for article in articles for topic in article.topics.all()}
            pagecache.depends_on(request, *(tag("topic", pk) for pk in topics))
        return articles

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        # The standfirst, then the sanitised body: feed readers show the whole article.
        # The standfirst is plain text, so it is escaped; the body was sanitised on save.
        if not item.standfirst:
            return item.body_html
        return format_html('<p class="standfirst">{}</p>\n', item.standfirst) + item.body_html

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(author.name for author in item.byline_authors())

    def item_categories(self, item: Article) -> list[str]:
        return [topic.name for topic in item.topics.all()]


class LatestAtomFeed(LatestRssFeed):
    feed_type = XmlSafeAtomFeed

    def subtitle(self, obj: Any = None) -> str:
        return self.description(obj)


class TopicRssFeed(LatestRssFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Topic:
        topic = get_object_or_404(Topic, slug=slug)
        pagecache.depends_on(request, tag("topic", topic.pk))
        return topic

    def title(self, obj: Any = None) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj: Any = None) -> str:
        return str(obj.get_absolute_url())

    def description(self, obj: Any = None) -> str:
        return str(obj.description or f"Articles on {obj.name}")

    def articles(self, obj: Any) -> ArticleQuerySet:
        return Article.objects.live().on_topic(obj)


class TopicAtomFeed(TopicRssFeed):
    feed_type = XmlSafeAtomFeed

    def subtitle(self, obj: Any = None) -> str:
        return self.description(obj)


class AuthorRssFeed(LatestRssFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Author:
        author = get_object_or_404(Author, slug=slug)
        pagecache.depends_on(request, tag("author", author.pk))
        return author

    def title(self, obj: Any = None) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj: Any = None) -> str:
        return str(obj.get_absolute_url())

    def description(self, obj: Any = None) -> str:
        return str(obj.bio or f"Articles by {obj.name}")

    def articles(self, obj: Any) -> ArticleQuerySet:
        return Article.objects.live().by_author(obj)


class AuthorAtomFeed(AuthorRssFeed):
    feed_type = XmlSafeAtomFeed

    def subtitle(self, obj: Any = None) -> str:
        return self.description(obj)
