"""An RSS feed of the latest published comments on one article."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from broadsheet import pagecache
from broadsheet.lib.feeds import XmlSafeRssFeed
from broadsheet.pagecache import tag
from broadsheet.publishing.models import Article

from .models import Comment
from .services import comments_are_shown

FEED_LENGTH = 30


class ArticleCommentsFeed(Feed[Comment, Article]):
    # A reader's name or comment may hold control characters; the feed type drops what
    # XML 1.0 cannot carry (broadsheet/lib/feeds.py).
    feed_type = XmlSafeRssFeed

    def get_object(self, request: HttpRequest, slug: str) -> Article:
        article = Article.objects.live().filter(slug=slug).first()
        if article is None or not comments_are_shown(article):
            raise Http404("No comments feed here.")
        pagecache.depends_on(request, tag("article", article.pk))
        return article

    def title(self, obj: Article) -> str:
        return f"Comments on “{obj.title}”"

    def link(self, obj: Article) -> str:
        return obj.get_absolute_url() + "#comments"

    def description(self, obj: Article) -> str:
        return f"The latest readers' comments on “{obj.title}”."

    def items(self, obj: Article) -> QuerySet[Comment]:
        return obj.comments.published().order_by("-created_at", "-id")[:FEED_LENGTH]

    def item_title(self, item: Comment) -> str:
        # The day in the site's time zone, as the article page shows it, not in UTC.
        day = timezone.localtime(item.created_at)
        return f"{item.name} on {day.day} {day:%B %Y}"

    def item_description(self, item: Comment) -> str:
        return item.body_html

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Comment) -> datetime:
        return item.created_at

    def item_author_name(self, item: Comment) -> str:
        return item.name
