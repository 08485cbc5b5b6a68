"""The API's operations for staff, with a personal API token (api.auth): moderators work
the moderation queue, editors create and change articles.

Each is a second door to what the pages and the admin already do, through the same
services: `moderation.services.moderate()` and `ban_commenter()` (so the audit log, the
spam filter's lessons and comment counts follow), and `publishing.services.save_article()`
(so bylines, topics, the revision and its webhooks are written as the admin writes them).
Every check runs before anything is written, and each write is one transaction, so an
error answer leaves nothing behind. Answers are personal: `Cache-Control: private,
no-store`, and the page cache never sees a request that carries a token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from ninja import Status
from ninja.decorators import decorate_view

from broadsheet.discussion.models import Comment
from broadsheet.discussion.serializers import comment_private_data
from broadsheet.moderation import services as moderation
from broadsheet.moderation.models import Ban, ModerationLogEntry
from broadsheet.publishing import serializers
from broadsheet.publishing import services as publishing
from broadsheet.publishing.models import Article, Author, Topic

from . import errors, pagination
from .auth import require_perm, token_auth
from .errors import ApiError
from .schemas import (
    ArticleCreateIn,
    ArticleUpdateIn,
    BanIn,
    BanList,
    EditedArticleOut,
    ErrorOut,
    HeldCommentPage,
    ModeratedOut,
)
from .views import api

PRIVATE = "private, no-store"
# Every answer an operation with a token may give besides its success.
TOKEN_ERRORS: dict[int, Any] = {status: ErrorOut for status in (401, 403, 429)}
BODY_ERRORS: dict[int, Any] = {status: ErrorOut for status in (400, 413, 415)}

# The queue's actions the API offers, by the name in the path. "reject" is the queue's
# "Delete": a held comment is already unpublished, so rejecting it removes it.
ACTIONS = {
    "approve": ModerationLogEntry.Action.APPROVE,
    "reject": ModerationLogEntry.Action.DELETE,
    "spam": ModerationLogEntry.Action.SPAM,
}
MODERATE = "discussion.moderate_comment"


def guard_json_body(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse, before the body is read, one that is too large (413) or not JSON (415)."""

    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = errors.refused_body(request)
        if refused is not None:
            return refused
        return run(request, *args, **kwargs)

    return guarded


# Moderation ------------------------------------------------------------------------------


@api.get(
    "/moderation/held-comments",
    response={200: HeldCommentPage, 400: ErrorOut, **TOKEN_ERRORS},
    auth=token_auth,
    url_name="held_comments",
    tags=["moderation"],
)
def held_comments(
    request: HttpRequest,
    response: HttpResponse,
    cursor: str | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Comments held for review, newest first, as the moderation queue lists them."""
    require_perm(request, MODERATE, "moderate comments")
    size = pagination.page_size(limit)
    comments: QuerySet[Comment] = (
        Comment.objects.filter(status=Comment.Status.HELD)
        .select_related("article", "user")
        .order_by("-created_at", "-id")
    )
    if cursor is not None:
        key = pagination.decode("held-comments", cursor)
        comments = pagination.after(comments, "created_at", key, descending=True)
    rows, more = pagination.split_page(list(comments[: size + 1]), size)
    last = rows[-1] if more else None
    next_cursor = pagination.encode("held-comments", last.created_at, last.pk) if last else None
    response["Cache-Control"] = PRIVATE
    return {
        "items": [
            {
                **comment_private_data(comment),
                "article": {"slug": comment.article.slug, "title": comment.article.title},
                "body": comment.body_source,
                "held_reasons": [str(reason) for reason in comment.held_reasons or []],
                "spam_score": comment.spam_score,
                "abuse_score": comment.abuse_score,
            }
            for comment in rows
        ],
        "next": pagination.next_url(request, next_cursor),
    }


def _moderation_operation(name: str, action: str) -> None:
    @api.post(
        f"/moderation/comments/{{comment_id}}/{name}",
        response={
            200: ModeratedOut,
            400: ErrorOut,
            404: ErrorOut,
            409: ErrorOut,
            **TOKEN_ERRORS,
        },  # fmt: skip
        auth=token_auth,
        url_name=f"{name}_comment",
        tags=["moderation"],
        operation_id=f"{name}_comment",
        summary=f"{name.capitalize()} a comment",
    )
    def operate(
        request: HttpRequest, response: HttpResponse, comment_id: int, reason: str = ""
    ) -> dict[str, Any]:
        user = require_perm(request, MODERATE, "moderate comments")
        if len(reason) > 500:
            raise ApiError(400, "A reason may be at most 500 characters.", field="reason")
        comment = Comment.objects.filter(pk=comment_id).first()
        if comment is None:
            raise Http404("There is no comment with this id.")
        target = moderation.ACTIONS[action][0]
        if comment.status == target:
            raise ApiError(409, f"This comment is already {target}.", code=f"already_{target}")
        moderation.moderate(comment, action, user, reason)
        response["Cache-Control"] = PRIVATE
        return {"id": comment.pk, "status": comment.status}

    operate.__doc__ = (
        f"{name.capitalize()} a comment, as the moderation queue's "
        f"{dict(ModerationLogEntry.Action.choices)[action]!r} does, logged with `reason`."
    )


for _name, _action in ACTIONS.items():
    _moderation_operation(_name, _action)


@api.post(
    "/moderation/bans",
    response={201: BanList, 404: ErrorOut, **BODY_ERRORS, **TOKEN_ERRORS},
    auth=token_auth,
    url_name="bans",
    tags=["moderation"],
)
@decorate_view(guard_json_body)
def create_bans(request: HttpRequest, response: HttpResponse, payload: BanIn) -> Status[Any]:
    """Ban a commenter for `days` (null: for good): by `comment` (its e-mail address and
    address hash; the comment is deleted, as the queue's ban does), by `email`, or both."""
    user = require_perm(request, "moderation.add_ban", "ban commenters")
    email = (payload.email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApiError(400, "Enter a valid e-mail address.", field="email") from None
    comment = None
    if payload.comment is not None:
        comment = Comment.objects.filter(pk=payload.comment).first()
        if comment is None:
            raise ApiError(400, "There is no comment with this id.", code="unknown_comment",
                           field="comment")  # fmt: skip
        if not (comment.email or comment.address_hash) and not email:
            raise ApiError(400, "This comment has no e-mail address or client address left "
                           "to ban.", code="nothing_to_ban", field="comment")  # fmt: skip
    elif not email:
        raise ApiError(400, "Name a comment or an e-mail address to ban.", code="required",
                       field="email")  # fmt: skip
    expires_at = timezone.now() + dt.timedelta(days=payload.days) if payload.days else None
    bans: list[Ban] = []
    with transaction.atomic():
        if comment is not None:
            bans += moderation.ban_commenter(
                comment, user, reason=payload.reason, expires_at=expires_at
            )
        if email and not any(ban.kind == Ban.Kind.EMAIL and ban.value == email for ban in bans):
            bans.append(
                moderation.ban_email(email, user, reason=payload.reason, expires_at=expires_at)
            )
    response["Cache-Control"] = PRIVATE
    return Status(
        201,
        {"items": [{"id": b.pk, "kind": b.kind, "expires_at": b.expires_at} for b in bans]},
    )


# Articles ---------------------------------------------------------------------------------


def _edited(article: Article, revision: int) -> dict[str, Any]:
    data = serializers.article_source_data(article)
    return {
        **data,
        "body": data["body_source"],
        "bylines": [author["slug"] for author in data["bylines"]],
        "topics": sorted(topic["slug"] for topic in data["topics"]),
        "revision": revision,
    }


def _by_slugs(model: type[Author] | type[Topic], slugs: list[str], field: str) -> list[Any]:
    """The rows with these slugs in this order (repeats dropped); 400 naming the first
    unknown one."""
    wanted = list(dict.fromkeys(slugs))
    found = {row.slug: row for row in model.objects.filter(slug__in=wanted)}
    for slug in wanted:
        if slug not in found:
            kind = "author" if model is Author else "topic"
            raise ApiError(400, f"There is no {kind} with the slug {slug!r}.",
                           code=f"unknown_{kind}", field=field)  # fmt: skip
    return [found[slug] for slug in wanted]


def _check_article(article: Article) -> None:
    """The rules the admin's form applies, as 400s (the slug's uniqueness is a 409)."""
    if not article.title.strip():
        raise ApiError(400, "This field is required.", code="required", field="title")
    if len(article.title) > 255:
        raise ApiError(400, "A title may be at most 255 characters.", field="title")
    if not article.slug:
        raise ApiError(400, "Give a slug: none can be made from this title.", field="slug")
    try:
        validate_slug(article.slug)
    except ValidationError:
        raise ApiError(400, "A slug is letters, digits, hyphens and underscores.",
                       field="slug") from None  # fmt: skip
    if len(article.slug) > 255:
        raise ApiError(400, "A slug may be at most 255 characters.", field="slug")
    if len(article.standfirst) > 600:
        raise ApiError(400, "A standfirst may be at most 600 characters.", field="standfirst")
    moment = article.published_at
    if moment is not None and timezone.is_naive(moment):
        raise ApiError(400, "Give the time with its time zone.", field="published_at")
    future = moment is not None and moment > timezone.now()
    if article.status == Article.Status.SCHEDULED and not future:
        raise ApiError(400, "A scheduled article needs a publish time in the future.",
                       field="published_at")  # fmt: skip
    if article.status == Article.Status.PUBLISHED and future:
        raise ApiError(400, "A publish time in the future is for a scheduled article.",
                       field="published_at")  # fmt: skip
    taken = Article.objects.filter(slug=article.slug).exclude(pk=article.pk).exists()
    if taken:
        raise ApiError(409, "Another article has this slug.", code="slug_taken", field="slug")


def _save(article: Article, user: Any, authors: Any, topics: Any) -> int:
    try:
        with transaction.atomic():
            revision = publishing.save_article(article, user, authors=authors, topics=topics)
    except IntegrityError:
        # Another article took the slug between the check and the write.
        raise ApiError(409, "Another article has this slug.", code="slug_taken",
                       field="slug") from None  # fmt: skip
    return revision.pk


ARTICLE_ERRORS: dict[int, Any] = {409: ErrorOut, **BODY_ERRORS, **TOKEN_ERRORS}


@api.post(
    "/articles",
    response={201: EditedArticleOut, **ARTICLE_ERRORS},
    auth=token_auth,
    url_name="create_article",
    tags=["editing"],
)
@decorate_view(guard_json_body)
def create_article(
    request: HttpRequest, response: HttpResponse, payload: ArticleCreateIn
) -> Status[Any]:
    """Create an article, as the admin does: bylines and topics by slug, the body in
    Markdown, a revision kept and webhooks told. `slug` defaults to the title's."""
    user = require_perm(request, "publishing.add_article", "create articles")
    article = Article(
        title=payload.title.strip(),
        slug=payload.slug if payload.slug is not None else slugify(payload.title)[:255],
        standfirst=payload.standfirst,
        body_source=payload.body,
        status=payload.status,
        published_at=payload.published_at,
        submitted_by=user,
    )
    _check_article(article)
    authors = _by_slugs(Author, payload.bylines, "bylines")
    topics = _by_slugs(Topic, payload.topics, "topics")
    revision = _save(article, user, authors, topics)
    response["Cache-Control"] = PRIVATE
    return Status(201, _edited(article, revision))


@api.patch(
    "/articles/{slug}",
    response={200: EditedArticleOut, 404: ErrorOut, **ARTICLE_ERRORS},
    auth=token_auth,
    url_name="update_article",
    tags=["editing"],
)
@decorate_view(guard_json_body)
def update_article(
    request: HttpRequest, response: HttpResponse, slug: str, payload: ArticleUpdateIn
) -> dict[str, Any]:
    """Change an article (any status): only the fields sent. The slug may change too."""
    user = require_perm(request, "publishing.change_article", "change articles")
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        raise Http404("There is no article with this slug.")
    sent = payload.model_fields_set
    for name in ("title", "slug", "standfirst", "status"):
        if name in sent:
            value = getattr(payload, name)
            if value is None:
                raise ApiError(400, "This field may not be null.", field=name)
            setattr(article, name, value.strip() if name == "title" else value)
    if "body" in sent:
        if payload.body is None:
            raise ApiError(400, "This field may not be null.", field="body")
        article.body_source = payload.body
        article.body_format = Article.BodyFormat.MARKDOWN
    if "published_at" in sent:
        article.published_at = payload.published_at
    _check_article(article)
    authors = topics = None
    if "bylines" in sent:
        authors = _by_slugs(Author, payload.bylines or [], "bylines")
    if "topics" in sent:
        topics = _by_slugs(Topic, payload.topics or [], "topics")
    revision = _save(article, user, authors, topics)
    response["Cache-Control"] = PRIVATE
    return _edited(article, revision)
