"""Records to rows, in bulk: articles with bylines, topics and redirects; threaded comments.
Private to the loader (`storing.Batch` calls these once per batch)."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F
from django.utils.text import slugify

from broadsheet.discussion.models import Comment
from broadsheet.lib.addresses import address_hash, normalised
from broadsheet.lib.rendering import html_to_text, sanitise_article_html, sanitise_comment_html
from broadsheet.publishing.models import Article, Author, Byline, Topic

from .models import ImportedItem
from .records import ArticleRecord, BodyFormat, CommentRecord
from .wpautop import text_to_html

if TYPE_CHECKING:
    from .storing import Batch

ARTICLE_FIELDS = [
    "title", "standfirst", "body_source", "body_format", "body_html", "body_text", "status",
    "published_at", "created_at", "updated_at", "submitted_by", "comments_mode",
]  # fmt: skip
COMMENT_FIELDS = [
    "name", "email", "homepage", "user", "body_source", "body_format", "body_html",
    "status", "created_at", "address_hash", "held_reasons",
]  # fmt: skip
_SLUG_UNSAFE = re.compile(r"[^-a-zA-Z0-9_]+")
# A line break and the white space after it, of which the runs holding two or more line
# breaks are collapsed: `\n\s*\n` is not a shape plain `re` may run (broadsheet.lib.linear).
_LINE_BREAK_AND_SPACES = re.compile(r"\n\s+")


def fingerprint(record: object) -> str:
    """Changes whenever anything the record says changes (dataclass reprs list every
    field, nested records included)."""
    return hashlib.sha256(repr(record).encode()).hexdigest()


def address_digest(address: str) -> str:
    return address_hash(normalised(address)) if address else ""


def valid_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _ascii_slug(text: str, limit: int) -> str:
    return _SLUG_UNSAFE.sub("-", slugify(unquote(text))).strip("-")[:limit].strip("-")


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


class NamedRows:
    """Authors or topics by name, found or made once per run."""

    def __init__(self, kind: str) -> None:
        self.model: type[Author] | type[Topic] = Author if kind == "author" else Topic
        self.limit = 120 if kind == "author" else 100
        self.pks: dict[str, int] = {}

    def pk(self, name: str) -> int | None:
        name = " ".join(name.split())[: self.limit]
        if not name:
            return None
        key = name.casefold()
        if key not in self.pks:
            self.pks[key] = self._find_or_make(name)
        return self.pks[key]

    def _find_or_make(self, name: str) -> int:
        model: Any = self.model
        slug = _ascii_slug(name, self.limit - 9) or f"{model.__name__.lower()}-{_short_hash(name)}"
        row = model.objects.filter(name__iexact=name).order_by("pk").first()
        if row is None and model is Topic:  # "News" and "news" are one topic
            row = model.objects.filter(slug=slug).first()
        if row is None:
            free, number = slug, 1
            while model.objects.filter(slug=free).exists():
                number += 1
                free = f"{slug}-{number}"
            row = model.objects.create(name=name, slug=free)
        return int(row.pk)


def html_body(body: str, body_format: BodyFormat) -> str:
    """An imported article body as (unsanitised) HTML."""
    return text_to_html(body) if body_format == "text" else body


def policy_markdown(body: str, body_format: BodyFormat) -> str:
    """A policy page's body for PolicyPage.body_source, which is Markdown: HTML is
    sanitised and kept as one HTML block (no blank lines, which would end it)."""
    if body_format == "markdown":
        return body
    return _LINE_BREAK_AND_SPACES.sub(
        _one_line_break, sanitise_article_html(html_body(body, body_format))
    )


def _one_line_break(run: re.Match[str]) -> str:
    # What `\n\s*\n` → `\n` did: the run from its first line break to its last becomes
    # one line break, and the white space after the last one stays.
    return "\n" + run.group().rpartition("\n")[2]


def old_path(path: str) -> str:
    """An old address as the redirect middleware compares it: the path decoded as
    request.path is, the query string as sent."""
    parts = urlsplit(path.strip())
    decoded = unquote(parts.path or "/")
    return f"{decoded}?{parts.query}" if parts.query else decoded


# Articles -----------------------------------------------------------------------------


def _fill_article(batch: Batch, article: Article, record: ArticleRecord) -> None:
    now = batch.now
    article.title = record.title.strip()[:255] or f"Untitled ({record.source_id})"
    article.standfirst = html_to_text(record.standfirst)[:600]
    if record.body_format == "markdown":
        article.body_format, article.body_source = Article.BodyFormat.MARKDOWN, record.body
    else:
        html = sanitise_article_html(html_body(record.body, record.body_format))
        article.body_format, article.body_source = Article.BodyFormat.HTML, html
    article.body_html = article.rendered_body()
    article.body_text = html_to_text(article.body_html)
    article.created_at = record.created_at or record.published_at or now
    article.updated_at = record.updated_at or now
    article.submitted_by_id = batch.submitter(record.submitted_by)
    article.comments_mode = Article.Comments.OPEN if record.comments_open else "closed"
    article.published_at = record.published_at
    if record.status == "private":
        article.status = Article.Status.DRAFT
        batch.report.note("article", "private, stored as a draft")
    elif record.status == "draft":
        article.status = Article.Status.DRAFT
    elif record.status == "scheduled" and record.published_at is None:
        article.status = Article.Status.DRAFT
        batch.report.note("article", "scheduled without a time, stored as a draft")
    else:
        article.published_at = record.published_at or article.created_at
        future = article.published_at > now
        scheduled = record.status == "scheduled" or future
        article.status = Article.Status.SCHEDULED if scheduled else Article.Status.PUBLISHED


def _free_slugs(batch: Batch, wanted: list[tuple[Article, ArticleRecord]]) -> None:
    candidates = {}
    for article, record in wanted:
        base = _ascii_slug(record.slug, 240) or _ascii_slug(record.title, 240)
        candidates[id(article)] = base or f"article-{_short_hash(record.source_id)}"
    taken = set(
        Article.objects.filter(slug__in=set(candidates.values())).values_list("slug", flat=True)
    )
    for article, record in wanted:
        slug = base = candidates[id(article)]
        number = 1
        while slug in taken or (slug != base and Article.objects.filter(slug=slug).exists()):
            number += 1
            slug = f"{base}-{number}"
        if record.slug and slug != record.slug:
            batch.report.note("article", "slug changed to a free or URL-safe one")
        taken.add(slug)
        article.slug = slug


def store_articles(batch: Batch, records: list[ArticleRecord]) -> None:
    existing = batch.existing("article", [record.source_id for record in records])
    current = Article.objects.in_bulk([item.object_id for item in existing.values()])
    new: list[tuple[Article, ArticleRecord, str]] = []
    changed: list[tuple[Article, ArticleRecord, ImportedItem]] = []
    seen: set[str] = set()
    for record in records:
        if record.source_id in seen:
            batch.report.skip("article", "repeated in the source")
            continue
        seen.add(record.source_id)
        print_ = fingerprint(record)
        item = existing.get(record.source_id)
        if item is not None:
            article = current.get(item.object_id)
            if article is None:
                batch.report.skip("article", "deleted on this site since the last import")
            elif item.fingerprint == print_:
                batch.report.unchanged("article")
                batch.remember("article", record.source_id, article.pk)
            else:
                _fill_article(batch, article, record)
                item.fingerprint = print_
                changed.append((article, record, item))
            continue
        article = Article()
        _fill_article(batch, article, record)
        new.append((article, record, print_))

    _free_slugs(batch, [(article, record) for article, record, _ in new])
    Article.objects.bulk_create([article for article, _, _ in new])
    Article.objects.bulk_update([article for article, _, _ in changed], ARTICLE_FIELDS)
    batch.mark("article", [(record.source_id, article.pk, p) for article, record, p in new])
    batch.refresh_marks([item for _, _, item in changed])
    for article, record, _ in changed:
        batch.remember("article", record.source_id, article.pk)
    batch.report.create("article", len(new))
    batch.report.update("article", len(changed))

    written = [(article, record) for article, record, _ in new]
    written += [(article, record) for article, record, _ in changed]
    _store_relations(batch, written, [article.pk for article, _, _ in changed])


def _store_relations(
    batch: Batch, written: list[tuple[Article, ArticleRecord]], replaced: list[int]
) -> None:
    Byline.objects.filter(article_id__in=replaced).delete()
    through: Any = Article.topics.through
    through.objects.filter(article_id__in=replaced).delete()
    bylines, topics, redirects = [], [], []
    for article, record in written:
        names = record.bylines or [_submitter_name(record)]
        authors = dict.fromkeys(pk for name in names if (pk := batch.authors.pk(name)))
        bylines += [
            Byline(article_id=article.pk, author_id=author, position=position)
            for position, author in enumerate(authors)
        ]
        topic_pks = dict.fromkeys(pk for name in record.topics if (pk := batch.topics.pk(name)))
        topics += [through(article_id=article.pk, topic_id=topic) for topic in topic_pks]
        redirects += [(old_path(path), article.pk) for path in record.old_paths if path]
    Byline.objects.bulk_create(bylines)
    through.objects.bulk_create(topics)
    batch.store_redirects(redirects)


def _submitter_name(record: ArticleRecord) -> str:
    account = record.submitted_by
    return (account.display_name or account.username) if account else ""


# Comments -----------------------------------------------------------------------------


def _fill_comment(batch: Batch, comment: Comment, record: CommentRecord) -> None:
    if record.body_format == "markdown":
        comment.body_format, comment.body_source = Comment.BodyFormat.MARKDOWN, record.body
    else:
        html = sanitise_comment_html(html_body(record.body, record.body_format))
        comment.body_format, comment.body_source = Comment.BodyFormat.HTML, html
    comment.body_html = comment.rendered_body()
    account = record.account
    comment.user_id = batch.account(account) if account else None
    fallback = (account.display_name or account.username) if account else ""
    comment.name = " ".join((record.name or fallback).split())[:200] or "Anonymous"
    comment.email = record.email.strip()[:254]
    if comment.email and not valid_email(comment.email):
        comment.email = ""
        batch.report.note("comment", "invalid e-mail address dropped")
    homepage = record.homepage.strip()
    parts = urlsplit(homepage)
    if homepage and (
        parts.scheme not in ("http", "https") or not parts.netloc or len(homepage) > 500
    ):
        homepage = ""
        batch.report.note("comment", "homepage that is not an http(s) address dropped")
    comment.homepage = homepage
    comment.status = record.status
    comment.created_at = record.created_at or batch.now
    comment.address_hash = address_digest(record.address)
    comment.held_reasons = ["imported"] if record.status == "held" else []


def _article_of(batch: Batch, record: CommentRecord) -> int | None:
    if record.article_source_id:
        return batch.pk_of("article", record.article_source_id)
    if record.article_id is not None and Article.objects.filter(pk=record.article_id).exists():
        return record.article_id
    return None


def store_comments(batch: Batch, records: list[CommentRecord]) -> None:
    existing = batch.existing("comment", [record.source_id for record in records])
    current = Comment.objects.in_bulk([item.object_id for item in existing.values()])
    new: dict[str, tuple[Comment, CommentRecord, str]] = {}
    changed: list[tuple[Comment, ImportedItem]] = []
    for record in records:
        print_ = fingerprint(record)
        item = existing.get(record.source_id)
        if item is not None or record.source_id in new:
            comment = current.get(item.object_id) if item else None
            if comment is None:
                reason = "deleted on this site since the last import" if item else "repeated"
                batch.report.skip("comment", reason)
            elif item is not None and item.fingerprint == print_:
                batch.report.unchanged("comment")
                batch.remember("comment", record.source_id, comment.pk)
            elif item is not None:  # threading stays as stored: only the content changes
                _fill_comment(batch, comment, record)
                item.fingerprint = print_
                changed.append((comment, item))
                batch.touched_articles.add(comment.article_id)
            continue
        article_pk = _article_of(batch, record)
        if article_pk is None:
            batch.report.skip("comment", "its article was not imported")
            continue
        comment = Comment(article_id=article_pk)
        _fill_comment(batch, comment, record)
        new[record.source_id] = (comment, record, print_)

    Comment.objects.bulk_update([comment for comment, _ in changed], COMMENT_FIELDS)
    batch.refresh_marks([item for _, item in changed])
    for comment, item in changed:
        batch.remember("comment", item.source_id, comment.pk)
    batch.report.update("comment", len(changed))
    _insert_threaded(batch, new)


def _insert_threaded(batch: Batch, new: dict[str, tuple[Comment, CommentRecord, str]]) -> None:
    """Insert new comments a level at a time: each round those whose parent has a pk."""
    waiting = list(new.values())
    while waiting:
        ready, later = [], []
        for entry in waiting:
            comment, record, _ = entry
            parent_id = record.parent_source_id
            if not parent_id:
                comment.depth = 0
                ready.append(entry)
            elif parent_id in new and new[parent_id][0].pk is None:
                later.append(entry)
            elif (parent_pk := batch.pk_of("comment", parent_id)) is not None and (
                position := batch.reply_position(parent_pk)
            ):
                comment.parent_id, comment.thread_id, comment.depth = position
                ready.append(entry)
            else:
                batch.report.skip("comment", "its parent was not imported")
        if not ready:
            batch.report.skip("comment", "its parent was not imported", len(later))
            return
        Comment.objects.bulk_create([comment for comment, _, _ in ready])
        tops = [comment.pk for comment, _, _ in ready if comment.parent_id is None]
        Comment.objects.filter(pk__in=tops).update(thread=F("pk"))
        for comment, _, _ in ready:
            comment.thread_id = comment.thread_id or comment.pk
            batch.threads[comment.pk] = (comment.thread_id, comment.depth, comment.parent_id)
            batch.touched_articles.add(comment.article_id)
        batch.mark("comment", [(r.source_id, c.pk, p) for c, r, p in ready])
        batch.report.create("comment", len(ready))
        waiting = later
