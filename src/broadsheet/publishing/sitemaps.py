"""sitemap.xml: live articles, authors and topics."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from .models import Article, Author, Topic


class ArticleSitemap(Sitemap[Article]):
    changefreq = "weekly"
    limit = 5000

    def items(self) -> QuerySet[Article]:
        return Article.objects.live().only("slug", "updated_at").order_by("-published_at", "-id")

    def lastmod(self, item: Article) -> datetime:
        return item.updated_at


class AuthorSitemap(Sitemap[Author]):
    changefreq = "weekly"

    def items(self) -> QuerySet[Author]:
        return Author.objects.filter(articles__in=Article.objects.live()).distinct()


class TopicSitemap(Sitemap[Topic]):
    changefreq = "daily"

    def items(self) -> QuerySet[Topic]:
        return Topic.objects.filter(articles__in=Article.objects.live()).distinct()


class HomeSitemap(Sitemap[str]):
    changefreq = "hourly"
    priority = 1.0

    def items(self) -> list[str]:
        return ["publishing:home"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "topics": TopicSitemap,
}
