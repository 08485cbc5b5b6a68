"""The API's operations. Thin, as the pages' views are: parse, ask the app that owns the
rule, answer. Visibility is the anonymous reader's, decided by the same helpers the pages
use (`visible_articles()`, `thread_roots()`, `build_threads()`), so the API shows exactly
what a reader without an account or session sees; editors' previews and a commenter's own
held comments stay on the pages.

GET answers record what they show with `pagecache.depends_on()`, as pages do, so the page
cache stores them for anonymous clients and throws them away on the same changes. Only a
request with no query string (or `?page=N`) is stored: lists read with a filter or a
cursor are rendered each time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Status, Swagger
from ninja.decorators import decorate_view

from broadsheet import pagecache
from broadsheet.discussion import serializers as comment_serializers
from broadsheet.discussion import services
from broadsheet.discussion.access import CommentNode, build_threads, is_visible, thread_roots
from broadsheet.discussion.forms import CommentForm
from broadsheet.discussion.models import Comment
from broadsheet.discussion.screening import SubmissionSignals
from broadsheet.lib.addresses import address_hash, client_address
from broadsheet.moderation.screening import over_rate_limit
from broadsheet.pagecache import tag
from broadsheet.publishing import serializers
from broadsheet.publishing.access import get_visible_article_or_404
from broadsheet.publishing.models import Article, Author, Topic
from broadsheet.publishing.views import shows_live_articles

from . import errors, pagination
from .errors import ApiError
from .schemas import (
    ArticleOut,
    ArticlePage,
    AuthorList,
    AuthorOut,
    CommentIn,
    CommentPage,
    CommentPosted,
    ErrorOut,
    TopicList,
    TopicOut,
)

api = NinjaAPI(
    title="Broadsheet API",
    version="1",
    description="Public, read-only articles, authors, topics and comments, and posting "
    "a comment; with a personal API token (Authorization: Bearer), editing articles and "
    'moderating comments. Errors: {"error": {"code", "message", "field"}}. See docs/api.md.',
    urls_namespace="api-v1",
    # validatorUrl None: Swagger UI would otherwise send the document to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)

# The reader every answer is made for: no account, no session, so no held comments.
PUBLIC_READER = HttpRequest()
PUBLIC_READER.user = AnonymousUser()
# Cache-Control of every successful GET: anyone may keep it, but must ask again before
# using it (an ETag makes that cheap), so nobody is shown a stale list. The page cache
# sets the same on answers it stores.
PUBLIC_CACHE_CONTROL = "public, max-age=0, must-revalidate"
COMMON_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut}


def _api_url(name: str, *args: Any) -> str:
    return reverse(f"api-v1:{name}", args=args)


def _person(author: dict[str, Any]) -> dict[str, Any]:
    return {**author, "api_url": _api_url("author", author["slug"])}


def _topic(topic: dict[str, Any]) -> dict[str, Any]:
    return {**topic, "api_url": _api_url("topic", topic["slug"])}


def _summary(article: Article) -> dict[str, Any]:
    data = serializers.article_data(article)
    return {
        **data,
        "api_url": _api_url("article", article.slug),
        "bylines": [_person(author) for author in data["bylines"]],
    }


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


# Articles, authors, topics -------------------------------------------------------------


@api.get(
    "/articles", response={200: ArticlePage, **COMMON_ERRORS}, url_name="articles",
    tags=["articles"],
)  # fmt: skip
def list_articles(
    request: HttpRequest,
    response: HttpResponse,
    topic: str | None = None,
    author: str | None = None,
    published_since: dt.date | None = None,
    published_before: dt.date | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Live articles, newest first. `topic` and `author` take a slug; `published_since`
    (on or after) and `published_before` (before) take a date in the site's time zone."""
    size = pagination.page_size(limit)
    articles = Article.objects.live().for_listing()
    if topic is not None:
        found_topic = Topic.objects.filter(slug=topic).first()
        if found_topic is None:
            raise ApiError(400, "There is no topic with this slug.", field="topic")
        pagecache.depends_on(request, tag("topic", found_topic.pk))
        articles = articles.on_topic(found_topic)
    if author is not None:
        found_author = Author.objects.filter(slug=author).first()
        if found_author is None:
            raise ApiError(400, "There is no author with this slug.", field="author")
        pagecache.depends_on(request, tag("author", found_author.pk))
        articles = articles.by_author(found_author)
    if published_since is not None:
        articles = articles.filter(published_at__gte=_day_start(published_since))
    if published_before is not None:
        articles = articles.filter(published_at__lt=_day_start(published_before))
    ordered: QuerySet[Article] = articles.order_by("-published_at", "-id")
    if cursor is not None:
        key = pagination.decode("articles", cursor)
        ordered = pagination.after(ordered, "published_at", key, descending=True)
    rows, more = pagination.split_page(list(ordered[: size + 1]), size)
    shows_live_articles(request, rows)
    last = rows[-1] if more else None
    next_cursor = (
        pagination.encode("articles", last.published_at, last.pk)
        if last is not None and last.published_at is not None
        else None
    )
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return {
        "items": [_summary(article) for article in rows],
        "next": pagination.next_url(request, next_cursor),
    }


@api.get(
    "/articles/{slug}", response={200: ArticleOut, **COMMON_ERRORS}, url_name="article",
    tags=["articles"],
)  # fmt: skip
def article_detail(request: HttpRequest, response: HttpResponse, slug: str) -> dict[str, Any]:
    """One live article with its rendered body, bylines and topics."""
    article = get_visible_article_or_404(AnonymousUser(), slug)
    authors = article.byline_authors()
    topics = list(article.topics.all())
    # What the article page shows, so both change together.
    pagecache.depends_on(
        request,
        tag("article", article.pk),
        tag("user", article.submitted_by_id),
        *(tag("author", author.pk) for author in authors),
        *(tag("topic", topic.pk) for topic in topics),
    )
    pagecache.cache_until(request, lambda: services.seconds_until_comments_close(article))
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    shown = services.comments_are_shown(article)
    return {
        **_summary(article),
        "body_html": article.body_html,
        "topics": [_topic(serializers.topic_data(topic)) for topic in topics],
        "comments_open": services.comments_are_open(article),
        "comments_url": _api_url("comments", article.slug) if shown else None,
    }


# Lists of authors and topics are not stored by the page cache: a new author or topic
# names no tag a stored list could carry. They are small, and cheap to render.


@api.get("/authors", response=AuthorList, url_name="authors", tags=["authors"])
def list_authors(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """Every byline author, by name."""
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    authors = Author.objects.order_by("name", "id")
    return {"items": [_person(serializers.author_data(author)) for author in authors]}


@api.get(
    "/authors/{slug}", response={200: AuthorOut, 404: ErrorOut}, url_name="author",
    tags=["authors"],
)  # fmt: skip
def author_detail(request: HttpRequest, response: HttpResponse, slug: str) -> dict[str, Any]:
    """One author; their articles are /articles?author=<slug>."""
    author = Author.objects.filter(slug=slug).first()
    if author is None:
        raise Http404("There is no author with this slug.")
    pagecache.depends_on(request, tag("author", author.pk))
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return _person(serializers.author_data(author))


@api.get("/topics", response=TopicList, url_name="topics", tags=["topics"])
def list_topics(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """Every topic, by name."""
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    topics = Topic.objects.order_by("name", "id")
    return {"items": [_topic(serializers.topic_data(topic)) for topic in topics]}


@api.get(
    "/topics/{slug}", response={200: TopicOut, 404: ErrorOut}, url_name="topic",
    tags=["topics"],
)  # fmt: skip
def topic_detail(request: HttpRequest, response: HttpResponse, slug: str) -> dict[str, Any]:
    """One topic; its articles are /articles?topic=<slug>."""
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        raise Http404("There is no topic with this slug.")
    pagecache.depends_on(request, tag("topic", topic.pk))
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return _topic(serializers.topic_data(topic))


# Comments ---------------------------------------------------------------------------------


def _commented_article(slug: str) -> Article:
    article = Article.objects.live().filter(slug=slug).first()
    if article is None:
        raise Http404("There is no published article with this slug.")
    return article


def _comment(node: CommentNode) -> dict[str, Any]:
    """A comment in the tree; one no longer shown keeps its place, its id and its date,
    and nothing else."""
    comment = node.comment
    replies = [_comment(child) for child in node.children]
    if not node.visible:
        return {
            "id": comment.pk, "parent": comment.parent_id, "removed": True, "name": None,
            "homepage": None, "verified": False, "created_at": comment.created_at,
            "edited_at": None, "body_html": None, "url": None, "replies": replies,
        }  # fmt: skip
    data = comment_serializers.comment_data(comment)
    return {
        **data,
        "parent": data["parent_id"],
        "removed": False,
        "homepage": data["homepage"] or None,
        "replies": replies,
    }


@api.get(
    "/articles/{slug}/comments", response={200: CommentPage, **COMMON_ERRORS},
    url_name="comments", tags=["comments"],
)  # fmt: skip
def list_comments(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Published comments of a live article, a page of whole threads at a time, in the
    order the article page shows them; replies nested under their parent."""
    size = pagination.page_size(limit)
    article = _commented_article(slug)
    if not services.comments_are_shown(article):
        raise ApiError(404, "Comments are switched off for this article.", code="comments_off")
    newest_first = settings.COMMENTS_NEWEST_FIRST
    roots = thread_roots(article, PUBLIC_READER)
    if cursor is not None:
        key = pagination.decode("comments", cursor)
        roots = pagination.after(roots, "created_at", key, descending=newest_first)
    page_roots, more = pagination.split_page(list(roots[: size + 1]), size)
    comments = (
        Comment.objects.filter(thread__in=[root.pk for root in page_roots])
        # What is never shown: the Markdown source, the e-mail, screening data.
        .defer("body_source", "email", "address_hash", "held_reasons", "spam_score", "abuse_score")
        .order_by("created_at", "id")
    )
    threads = build_threads(page_roots, list(comments), PUBLIC_READER)
    # A comment's changes replace its article's tag (discussion.invalidation).
    pagecache.depends_on(request, tag("article", article.pk))
    pagecache.cache_until(request, lambda: services.seconds_until_comments_close(article))
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    last = page_roots[-1] if more else None
    next_cursor = pagination.encode("comments", last.created_at, last.pk) if last else None
    return {
        "comments_open": services.comments_are_open(article),
        "comment_count": article.comment_count,
        "threads": [_comment(node) for node in threads],
        "next": pagination.next_url(request, next_cursor),
    }


def guard_comment_post(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """What is refused before the body is read: too large (413), not JSON (415), sent
    with a session (403), too many from this client address (429). Nothing is stored."""

    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = errors.refused_body(request)
        if refused is not None:
            return refused
        # The API takes no cookies: a browser's session would otherwise ride along with a
        # request another site's script made (CSRF). API clients send none.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return errors.error_response(
                403,
                "Comments are posted through the API without cookies; signed-in readers "
                "use the form on the article page.",
                code="session_not_accepted",
            )
        limit = settings.API_COMMENT_RATE_LIMIT
        subject = address_hash(client_address(request))
        if over_rate_limit("api-comment", subject, limit):
            assert limit is not None
            seconds = limit[1]
            wait = seconds - int(timezone.now().timestamp()) % seconds
            return errors.error_response(
                429,
                "Too many comments from this address; try again later.",
                headers={"Retry-After": str(wait)},
            )
        return run(request, *args, **kwargs)

    return guarded


def _closed(article: Article | None, error: services.CommentingClosed) -> ApiError:
    if error.status == 404 or article is None:
        return ApiError(404, str(error))
    if not services.comments_are_shown(article):
        return ApiError(403, str(error), code="comments_off")
    return ApiError(409, str(error), code="comments_closed")


@api.post(
    "/articles/{slug}/comments",
    response={
        200: CommentPosted,
        201: CommentPosted,
        **{status: ErrorOut for status in (400, 403, 404, 409, 413, 415, 429)},
    },
    url_name="post_comment",
    tags=["comments"],
)
@decorate_view(guard_comment_post)
def post_comment(request: HttpRequest, slug: str, payload: CommentIn) -> Status[dict[str, Any]]:
    """Post a comment as an anonymous reader. It goes through the same checks, spam
    defences and moderation as the comment form; the answer says whether it was published
    or held for a moderator (201), or is the first of two identical posts (200)."""
    article = Article.objects.live().filter(slug=slug).first()
    try:
        services.check_can_comment(article)
    except services.CommentingClosed as error:
        raise _closed(article, error) from None
    assert article is not None
    # The form's own rules (lengths, names, e-mail for mail), nothing else.
    form = CommentForm(payload.dict(), logged_in=False, can_remember=False)
    if not form.is_valid():
        field, messages = next(iter(form.errors.items()))
        raise ApiError(400, str(messages[0]), field=None if field == "__all__" else field)
    data = form.cleaned_data
    parent = None
    if data.get("parent"):
        parent = Comment.objects.filter(pk=data["parent"], article=article).first()
        if parent is None or not is_visible(PUBLIC_READER, parent):
            raise ApiError(
                400, "There is no published comment with this id on this article.",
                code="unknown_parent", field="parent",
            )  # fmt: skip
    # No honeypot or signed form time: those say how a form was used (see docs/api.md).
    submission = form.submission(parent, signals=SubmissionSignals(via_form=False))
    try:
        outcome = services.post_comment(
            article, submission, user=None, address_hash=address_hash(client_address(request))
        )
    except services.CommentingClosed as error:
        raise _closed(article, error) from None
    comment = outcome.comment
    # A comment taken for spam gets the held answer, as on the form: the sender learns
    # nothing about the defences.
    return Status(
        200 if outcome.duplicate else 201,
        {
            "status": "published" if outcome.published else "held",
            "id": comment.pk,
            "url": serializers.site_url(comment.get_absolute_url()) if outcome.published else None,
            "duplicate": outcome.duplicate,
        },
    )
