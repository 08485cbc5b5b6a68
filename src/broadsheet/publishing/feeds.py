"""RSS and Atom feeds of live articles: site-wide, per topic and per author."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html

from .models import Article, Author, Topic

FEED_LENGTH = 20


class LatestRssFeed(Feed):
    description_template = None

    def title(self, obj: Any = None) -> str:
        return settings.SITE_NAME

    def link(self, obj: Any = None) -> str:
        return reverse("publishing:home")

    def description(self, obj: Any = None) -> str:
        return settings.SITE_DESCRIPTION

    def articles(self, obj: Any) -> QuerySet[Article]:
        return Article.objects.live()

    def items(self, obj: Any = None) -> QuerySet[Article]:
        return (
            self.articles(obj)
            .select_related("submitted_by")
            .prefetch_related("bylines__author", "topics")[:FEED_LENGTH]
        )

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
    feed_type = Atom1Feed

    def subtitle(self, obj: Any = None) -> str:
        return self.description(obj)


class TopicRssFeed(LatestRssFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Topic:
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj: Any = None) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj: Any = None) -> str:
        return str(obj.get_absolute_url())

    def description(self, obj: Any = None) -> str:
        return str(obj.description or f"Articles on {obj.name}")

    def articles(self, obj: Any) -> QuerySet[Article]:
        return Article.objects.live().filter(topics=obj)


class TopicAtomFeed(TopicRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Any = None) -> str:
        return self.description(obj)


class AuthorRssFeed(LatestRssFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Author:
        return get_object_or_404(Author, slug=slug)

    def title(self, obj: Any = None) -> str:
        return f"{settings.SITE_NAME}: {obj.name}"

    def link(self, obj: Any = None) -> str:
        return str(obj.get_absolute_url())

    def description(self, obj: Any = None) -> str:
        return str(obj.bio or f"Articles by {obj.name}")

    def articles(self, obj: Any) -> QuerySet[Article]:
        return Article.objects.live().filter(authors=obj)


class AuthorAtomFeed(AuthorRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Any = None) -> str:
        return self.description(obj)
