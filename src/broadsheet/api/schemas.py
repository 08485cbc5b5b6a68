"""What the API answers with and accepts, as pydantic models: they shape the OpenAPI
document, and every answer is checked against them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict


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
