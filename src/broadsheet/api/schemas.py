"""What the API answers with and accepts, as pydantic models: they shape the OpenAPI
document, and every answer is checked against them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None


class ErrorOut(Schema):
    error: ErrorDetail


class PersonOut(Schema):
    name: str
    slug: str
    url: str
    api_url: str


class AuthorOut(PersonOut):
    bio: str


class TopicOut(Schema):
    name: str
    slug: str
    description: str
    url: str
    api_url: str


class ArticleSummaryOut(Schema):
    id: int
    slug: str
    title: str
    standfirst: str
    published_at: dt.datetime
    url: str
    api_url: str
    bylines: list[PersonOut]
    comment_count: int


class ArticleOut(ArticleSummaryOut):
    body_html: str
    topics: list[TopicOut]
    comments_open: bool
    comments_url: str | None


class ArticlePage(Schema):
    items: list[ArticleSummaryOut]
    next: str | None


class AuthorList(Schema):
    items: list[AuthorOut]


class TopicList(Schema):
    items: list[TopicOut]


class CommentOut(Schema):
    """One comment. A comment that is no longer shown but has shown replies stays in the
    tree as a placeholder: `removed` true, no name or body."""

    id: int
    parent: int | None
    removed: bool
    name: str | None
    homepage: str | None
    verified: bool
    created_at: dt.datetime
    edited_at: dt.datetime | None
    body_html: str | None
    url: str | None
    replies: list[CommentOut]


class CommentPage(Schema):
    comments_open: bool
    comment_count: int
    threads: list[CommentOut]
    next: str | None


class CommentIn(Schema):
    """A new comment, checked by the same rules as the comment form."""

    model_config = ConfigDict(extra="forbid")

    name: str
    body: str
    email: str = ""
    homepage: str = ""
    parent: int | None = None
    notify_replies: bool = False
    confirm_address: bool = False


class CommentPosted(Schema):
    status: Literal["published", "held"]
    id: int
    url: str | None
    duplicate: bool


# Moderation (a token whose account moderates) ---------------------------------------------


class HeldArticleOut(Schema):
    slug: str
    title: str


class HeldCommentOut(Schema):
    """A comment waiting in the moderation queue, with what the queue shows of it."""

    id: int
    article: HeldArticleOut
    name: str
    email: str
    homepage: str
    body: str
    created_at: dt.datetime
    held_reasons: list[str]
    spam_score: float | None
    abuse_score: float | None


class HeldCommentPage(Schema):
    items: list[HeldCommentOut]
    next: str | None


class ModerationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=500)


class ModeratedOut(Schema):
    id: int
    status: Literal["held", "published", "spam", "deleted"]


class BanIn(Schema):
    """Ban by a comment (its author's e-mail address and address hash; the comment is
    deleted, as the queue's ban does), by an e-mail address, or both."""

    model_config = ConfigDict(extra="forbid")

    comment: int | None = None
    email: str | None = None
    reason: str = Field("", max_length=500)
    days: int | None = Field(7, ge=1, le=3650, description="Length of the ban; null for good.")


class BanOut(Schema):
    id: int
    kind: Literal["email", "address"]
    expires_at: dt.datetime | None


class BanList(Schema):
    items: list[BanOut]


# Editing articles (a token whose account edits) -------------------------------------------

ArticleStatus = Literal["draft", "published", "scheduled"]


class ArticleCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str
    slug: str | None = None
    standfirst: str = ""
    body: str = ""
    status: ArticleStatus = "draft"
    published_at: dt.datetime | None = None
    bylines: list[str] = Field(default_factory=list, description="Author slugs, in order.")
    topics: list[str] = Field(default_factory=list, description="Topic slugs.")


class ArticleUpdateIn(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    slug: str | None = None
    standfirst: str | None = None
    body: str | None = None
    status: ArticleStatus | None = None
    published_at: dt.datetime | None = None
    bylines: list[str] | None = None
    topics: list[str] | None = None


class EditedArticleOut(Schema):
    id: int
    slug: str
    title: str
    standfirst: str
    body: str
    status: ArticleStatus
    published_at: dt.datetime | None
    bylines: list[str]
    topics: list[str]
    url: str
    revision: int
