"""Authors, topics and articles as plain dicts: the one place that says what each fact
leaving the site is called and where it comes from, for the API, the JSON export and
webhook payloads alike.

Each object has one function that holds its facts as Python values (datetimes stay
datetimes, so each format writes them its own way), and named variants only where a
public format really differs; each variant says why. The API's schemas drop the keys they
do not declare, so it uses the base dicts as they are.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .models import Article, Author, Topic


def site_url(path: str) -> str:
    """The absolute address of a path on this site, as every public format gives it."""
    return f"{settings.SITE_URL}{path}"


def author_data(author: Author) -> dict[str, Any]:
    return {
        "id": author.pk,
        "name": author.name,
        "slug": author.slug,
        "bio": author.bio,
        "url": site_url(author.get_absolute_url()),
    }


def topic_data(topic: Topic) -> dict[str, Any]:
    return {
        "id": topic.pk,
        "name": topic.name,
        "slug": topic.slug,
        "description": topic.description,
        "url": site_url(topic.get_absolute_url()),
    }


def article_data(article: Article) -> dict[str, Any]:
    """What anyone may know of a live article, bylines included (prefetch them for a
    list: `Article.objects.with_relations()`). Not the body, which a list leaves unread."""
    return {
        "id": article.pk,
        "slug": article.slug,
        "title": article.title,
        "standfirst": article.standfirst,
        "status": article.status,
        "published_at": article.published_at,
        "url": site_url(article.get_absolute_url()),
        "bylines": [author_data(author) for author in article.byline_authors()],
        "comment_count": article.comment_count,
    }


def article_source_data(article: Article) -> dict[str, Any]:
    """An article as its editors see it: the source as typed and who submitted it, for the
    export and the editing API. Not for the public: a draft's source is private."""
    submitter = article.submitted_by
    return {
        **article_data(article),
        "created_at": article.created_at,
        "updated_at": article.updated_at,
        "body_format": article.body_format,
        "body_source": article.body_source,
        "body_html": article.body_html,
        "comments_mode": article.comments_mode,
        "submitted_by": {
            "id": submitter.pk,
            "username": submitter.username,
            "display_name": submitter.public_name,
        },
        "topics": [
            topic_data(topic) for topic in sorted(article.topics.all(), key=lambda t: t.name)
        ],
    }


def article_payload(article: Article) -> dict[str, Any]:
    """What a webhook receiver learns of an article: public facts only.

    A variant, because receivers are told what readers experience now (`public_status`: a
    scheduled article whose time has not come reads "scheduled" whatever its row says),
    bylines as plain names, and dates as ISO 8601 strings, as docs/webhooks.md promises."""
    data = article_data(article)
    published_at = data["published_at"]
    return {
        "id": data["id"],
        "title": data["title"],
        "url": data["url"],
        "status": article.public_status,
        "published_at": published_at.isoformat() if published_at else None,
        "bylines": [author["name"] for author in data["bylines"]],
    }
