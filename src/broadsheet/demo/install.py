"""Writing the demo newsroom to the database, and the demo editor's login file.

Rows are found by slug or username (comments by article and time, see `DemoComment` in
`content.py`; policy pages by kind and version 1, see `policies.py`), so running again
creates no duplicates. Rows that already exist are left alone, so whatever someone changed
while trying the admin survives the next `make demo`; `reset=True` puts the shipped
topics, authors, articles, comments and policy pages back. The editor's password is
generated once, written to the login file and reused from there.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction

from broadsheet.accounts.models import User
from broadsheet.consent.models import PolicyPage
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import refresh_comment_count
from broadsheet.lib import linear
from broadsheet.publishing.models import Article, Author, Topic
from broadsheet.publishing.services import ensure_editors_group, record_revision, set_bylines

from .comments import COMMENTS, READER, READER_CONFIRMED_AT
from .content import (
    AUTHORS,
    EDITOR,
    NEWSDESK,
    TOPICS,
    DemoComment,
    DemoContentError,
    check_comments,
    load_articles,
)
from .policies import POLICIES, POLICIES_PUBLISHED_AT, DemoPolicy

LOGIN_FILE_NAME = "demo-login.txt"
# RE2 (broadsheet.lib.linear), as the file may have been edited by hand. RE2's \s is ASCII
# only, which is all write_login_file() writes between the words.
_LOGIN_LINE = linear.compile(r"(?m)^\s*Editor login:\s*\S+\s*/\s*(?P<password>\S+)\s*$")

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class DemoSummary:
    articles: int
    authors: int
    topics: int
    accounts: int
    comments: int
    policies: int
    created: int
    reset: bool
    login_file: Path

    def __str__(self) -> str:
        total = (
            self.articles + self.authors + self.topics + self.accounts + self.comments
            + self.policies
        )  # fmt: skip
        changes = f"{self.created} new"
        if self.reset:
            changes += f", {total - self.accounts - self.created} reset"
        return (
            f"Demo content: {self.articles} articles, {self.authors} authors, "
            f"{self.topics} topics, {self.accounts} accounts, {self.comments} comments, "
            f"{self.policies} policy pages to review ({changes}); "
            f"editor login in {self.login_file}"
        )


def install_demo_content(var_dir: Path, *, reset: bool = False) -> DemoSummary:
    """Create (or with `reset`, restore) the demo rows and the editor's login file."""
    # Parsed before any write, so a broken article file leaves the database untouched.
    articles = load_articles()
    check_comments(COMMENTS, articles)
    login_file = var_dir / LOGIN_FILE_NAME
    password = read_login_password(login_file)
    new_password = password is None
    if password is None:
        password = secrets.token_urlsafe(18)

    created = 0
    with transaction.atomic():
        editor, made = _ensure_editor(password, set_password=new_password)
        created += made
        newsdesk, made = User.objects.get_or_create(
            username=NEWSDESK.username,
            defaults={"display_name": NEWSDESK.display_name, "email": NEWSDESK.email},
        )
        if made:
            # A desk, not a person: it submits articles but nobody signs in as it.
            newsdesk.set_unusable_password()
            newsdesk.save(update_fields=["password"])
        created += made
        reader, made = _ensure_reader()
        created += made
        accounts = {user.username: user for user in (editor, newsdesk, reader)}

        topics: dict[str, Topic] = {}
        for topic in TOPICS:
            topics[topic.slug], made = _put(
                Topic, reset, slug=topic.slug, name=topic.name, description=topic.description
            )
            created += made

        authors: dict[str, Author] = {}
        for author in AUTHORS:
            values: dict[str, Any] = {"name": author.name, "bio": author.bio}
            account = accounts.get(author.username)
            # Author.user is one-to-one: never take an account another byline already holds.
            if account is not None and not account_has_other_byline(account, author.slug):
                values["user"] = account
            authors[author.slug], made = _put(Author, reset, slug=author.slug, **values)
            created += made

        rows: dict[str, Article] = {}
        for item in articles:
            article, made = _put(
                Article,
                reset,
                slug=item.slug,
                title=item.title,
                standfirst=item.standfirst,
                body_source=item.body,
                submitted_by=newsdesk,
                status=item.status,
                published_at=item.published_at,
                comments_mode=item.comments,
            )
            created += made
            if made or reset:
                set_bylines(article, [authors[slug] for slug in item.authors])
                article.topics.set([topics[slug] for slug in item.topics])
                # A first revision, so the admin's history can restore the shipped text.
                record_revision(article, edited_by=None)
            rows[item.slug] = article

        created += _put_comments(COMMENTS, rows, reader, reset)
        created += _put_policies(POLICIES, reset)
        for article in rows.values():
            refresh_comment_count(article.pk)

    # Written only after the commit: if this fails, the next run makes a fresh password.
    if new_password:
        write_login_file(login_file, password)
    return DemoSummary(
        articles=len(articles),
        authors=len(AUTHORS),
        topics=len(TOPICS),
        accounts=len(accounts),
        comments=len(COMMENTS),
        policies=len(POLICIES),
        created=created,
        reset=reset,
        login_file=login_file,
    )


def _ensure_editor(password: str, *, set_password: bool) -> tuple[User, bool]:
    editor, made = User.objects.get_or_create(
        username=EDITOR.username,
        defaults={"display_name": EDITOR.display_name, "email": EDITOR.email},
    )
    if made or set_password or not editor.has_usable_password():
        editor.set_password(password)
    # The login file promises an editor who can edit articles but not manage accounts.
    editor.is_staff = True
    editor.is_superuser = False
    editor.is_active = True
    editor.save()
    editor.groups.add(ensure_editors_group())
    return editor, made


def _ensure_reader() -> tuple[User, bool]:
    reader, made = User.objects.get_or_create(
        username=READER.username,
        defaults={
            "display_name": READER.display_name,
            "email": READER.email,
            "email_confirmed_at": READER_CONFIRMED_AT,
        },
    )
    if made:
        # Only there to have written comments as a registered reader; nobody signs in as it.
        reader.set_unusable_password()
        reader.save(update_fields=["password"])
    return reader, made


def _put_comments(
    items: list[DemoComment], articles: dict[str, Article], reader: User, reset: bool
) -> int:
    """Create the missing demo comments, and on reset put the shipped values back into the
    existing ones; the number created. Parents come before their replies in `items`, so
    each reply finds its parent's row."""
    created = 0
    rows: dict[tuple[str, str], Comment] = {}
    for item in items:
        parent = rows[item.article, item.reply_to] if item.reply_to else None
        values: dict[str, Any] = {
            "parent": parent,
            # None for a top-level comment: Comment.save() makes it its own thread.
            "thread_id": (parent.thread_id or parent.pk) if parent else None,
            "depth": parent.depth + 1 if parent else 0,
            "name": reader.public_name if item.by_reader else item.name,
            "email": reader.email if item.by_reader else item.email,
            "homepage": item.homepage,
            "user": reader if item.by_reader else None,
            "email_confirmed": item.email_confirmed,
            "body_source": item.body,
            "status": Comment.Status.HELD if item.held else Comment.Status.PUBLISHED,
            # As posting leaves an anonymous comment that the default policy holds.
            "held_reasons": ["moderation-policy"] if item.held else [],
            "edited_at": None,
            "notify_replies": False,
            "address_hash": "",
        }
        article = articles[item.article]
        manager = Comment.objects
        find = manager.update_or_create if reset else manager.get_or_create
        comment, made = find(article=article, created_at=item.created_at, defaults=values)
        rows[item.article, item.key] = comment
        created += made
    return created


def _put_policies(items: tuple[DemoPolicy, ...], reset: bool) -> int:
    """Version 1 of each policy page, published and marked for review; the number created.
    A later version someone published is never touched, even on reset."""
    created = 0
    for item in items:
        values = {
            "title": item.title,
            "body_source": item.body,
            "published_at": POLICIES_PUBLISHED_AT,
            "needs_review": True,
        }
        manager = PolicyPage.objects
        find = manager.update_or_create if reset else manager.get_or_create
        _, made = find(kind=item.kind, version=1, defaults=values)
        created += made
    return created


def account_has_other_byline(account: User, slug: str) -> bool:
    return Author.objects.filter(user=account).exclude(slug=slug).exists()


def _put(model: type[M], reset: bool, *, slug: str, **values: Any) -> tuple[M, bool]:
    """The row with this slug: created if missing; overwritten with `values` on reset."""
    manager = model._default_manager
    if reset:
        return manager.update_or_create(slug=slug, defaults=values)
    return manager.get_or_create(slug=slug, defaults=values)


def read_login_password(path: Path) -> str | None:
    """The password kept in the login file, or None when there is no file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    match = _LOGIN_LINE.search(text)
    if match is None:
        raise DemoContentError(
            f"{path} has no 'Editor login: editor / <password>' line; "
            "delete it and run demo-content again for a new password"
        )
    return str(match["password"])


def write_login_file(path: Path, password: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Lines line up with the addresses `make demo` prints above them.
    text = (
        f"  Editor login:    {EDITOR.username} / {password}\n"
        f"  Signs in as:     {EDITOR.display_name}, in the Editors group (not a superuser)\n"
    )
    # Created 0600 rather than chmod-ed afterwards: the file holds a working password.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
