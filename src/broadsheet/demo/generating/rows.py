"""The writing half of `broadsheet generate`: planned articles and comments into the
database with bulk_create, many rows per INSERT.

bulk_create skips save(), so what save() computes is set here: a top-level comment's
thread (itself), the display-name key, the articles' comment counts (the rendered HTML and
text come with the plans). Values that must be unique (slugs, usernames, display names)
are checked against what is stored, and a taken one gets a number (`unique_values()`),
which is why running again adds beside what is there. The callers choose the
transactions; `insert_articles()` takes its own, so that its slug check and its insert
cannot be separated. Nothing here draws at random except the join and confirmation times
of `create_accounts()`, a fixed number of draws per account whatever is stored.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils.text import slugify

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import published_comment_count
from broadsheet.publishing.models import Article, Author, Byline, Topic

from .plans import ArticlePlan, Rendered

# Rows per INSERT statement (SQLite lowers it further to its parameter limit). Article rows
# carry three copies of a body, so fewer of them.
ARTICLE_ROWS = 200
OTHER_ROWS = 1000
QUERY_CHUNK = 500  # values per "which of these are taken" query

T = TypeVar("T")


def ensure_topics(names: list[str], descriptions: list[str]) -> tuple[list[Topic], int]:
    """The topics with these names, created where missing; and how many were created."""
    existing: dict[str, Topic] = {}
    for chunk in chunks(names, QUERY_CHUNK):
        existing.update((topic.name, topic) for topic in Topic.objects.filter(name__in=chunk))
    missing = [index for index, name in enumerate(names) if name not in existing]
    slugs = unique_values([slugify(names[index]) for index in missing], _taken(Topic, "slug"))
    created = Topic.objects.bulk_create(
        Topic(name=names[index], slug=slug, description=descriptions[index])
        for index, slug in zip(missing, slugs, strict=True)
    )
    existing.update((topic.name, topic) for topic in created)
    return [existing[name] for name in names], len(created)


def create_authors(names: list[str], bios: list[str]) -> list[Author]:
    slugs = unique_values([slugify(name) for name in names], _taken(Author, "slug"))
    return Author.objects.bulk_create(
        Author(name=name, slug=slug, bio=bio)
        for name, slug, bio in zip(names, slugs, bios, strict=True)
    )


def create_accounts(names: list[str], joined_by: dt.datetime, rng: random.Random) -> list[User]:
    """Accounts nobody signs in to (no usable password), with confirmed addresses, joined
    before `joined_by`. Display names someone already uses get a number."""
    names = unique_values(
        names,
        _taken(User, "display_name_key"),
        key=lambda name: User(display_name=name).computed_display_name_key() or "",
        variant=lambda name, number: f"{name} {number}",
    )
    usernames = unique_values(
        [slugify(name) or "reader" for name in names], _taken(User, "username")
    )
    users = []
    for name, username in zip(names, usernames, strict=True):
        joined = joined_by - dt.timedelta(days=365) * rng.random()
        user = User(
            username=username,
            email=f"{username}@example.net",
            display_name=name,
            date_joined=joined,
            email_confirmed_at=joined + dt.timedelta(minutes=rng.randint(2, 600)),
        )
        user.set_unusable_password()
        user.display_name_key = user.computed_display_name_key()
        users.append(user)
    return User.objects.bulk_create(users, batch_size=OTHER_ROWS)


def insert_articles(
    plans: Sequence[ArticlePlan],
    bodies: list[Rendered],
    authors: list[Author],
    topics: list[Topic],
    desks: list[User],
) -> None:
    """One transaction: the articles with their bylines and topics. The slug check runs
    inside it, so on SQLite (whose transactions take the write lock) nothing can take a
    slug between the check and the insert."""
    through = Article.topics.through
    with transaction.atomic():
        slugs = unique_values([plan.slug for plan in plans], _taken(Article, "slug"))
        rows = Article.objects.bulk_create(
            [
                Article(
                    title=plan.title,
                    slug=slug,
                    standfirst=plan.standfirst,
                    body_source=bodies[plan.body].source,
                    body_html=bodies[plan.body].html,
                    body_text=bodies[plan.body].text,
                    submitted_by=desks[plan.submitter],
                    status=plan.status,
                    published_at=plan.published_at,
                    created_at=plan.created_at,
                    updated_at=plan.updated_at,
                    comments_mode=plan.comments_mode,
                )
                for plan, slug in zip(plans, slugs, strict=True)
            ],
            batch_size=ARTICLE_ROWS,
        )
        for plan, row in zip(plans, rows, strict=True):
            plan.pk = row.pk
        Byline.objects.bulk_create(
            [
                Byline(article_id=plan.pk, author_id=authors[index].pk, position=position)
                for plan in plans
                for position, index in enumerate(plan.authors)
            ],
            batch_size=OTHER_ROWS,
        )
        through.objects.bulk_create(
            [
                through(article_id=plan.pk, topic_id=topics[index].pk)
                for plan in plans
                for index in plan.topics
            ],
            batch_size=OTHER_ROWS,
        )


def insert_comments(comments: list[Comment]) -> None:
    """Insert level by level, so every parent has its id before its replies go in."""
    levels: dict[int, list[Comment]] = {}
    for comment in comments:
        levels.setdefault(comment.depth, []).append(comment)
    for depth in sorted(levels):
        level = levels[depth]
        if depth:
            for comment in level:
                assert comment.parent is not None
                comment.thread_id = comment.parent.thread_id
        Comment.objects.bulk_create(level, batch_size=OTHER_ROWS)
        if not depth:
            # A top-level comment is its own thread, as Comment.save() makes it after the
            # insert. Any other top-level row still without a thread in the range is in
            # the middle of that save(), and this is the value it is about to get.
            ids = [comment.pk for comment in level]
            Comment.objects.filter(pk__range=(min(ids), max(ids)), parent=None, thread=None).update(
                thread=F("pk")
            )
            for comment in level:
                comment.thread_id = comment.pk


def refresh_comment_counts(first_pk: int, last_pk: int) -> None:
    """`discussion.services.refresh_comment_count()` for a range of articles, in one UPDATE."""
    Article.objects.filter(pk__range=(first_pk, last_pk)).update(
        comment_count=published_comment_count()
    )


def unique_values(
    wanted: Sequence[str],
    taken: Callable[[list[str]], set[str]],
    *,
    key: Callable[[str], str] = lambda value: value,
    variant: Callable[[str, int], str] = lambda value, number: f"{value}-{number}",
) -> list[str]:
    """`wanted`, with each value that is taken (by a stored row, which `taken` reports for
    a list of keys, or by an earlier value in the list) replaced by its first free
    variant: value-2, value-3…"""
    result = list(wanted)
    claimed: set[str] = set()
    pending = list(range(len(wanted)))
    for number in itertools.count(1):
        if not pending:
            break
        candidates = {
            index: wanted[index] if number == 1 else variant(wanted[index], number)
            for index in pending
        }
        keys = {index: key(value) for index, value in candidates.items()}
        stored: set[str] = set()
        for chunk in chunks(sorted(set(keys.values()) - claimed), QUERY_CHUNK):
            stored |= taken(list(chunk))
        retry = []
        for index in pending:
            if keys[index] in stored or keys[index] in claimed:
                retry.append(index)
            else:
                claimed.add(keys[index])
                result[index] = candidates[index]
        pending = retry
    return result


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _taken(model: type[models.Model], field: str) -> Callable[[list[str]], set[str]]:
    def taken(values: list[str]) -> set[str]:
        rows = model._default_manager.filter(**{f"{field}__in": values})
        return set(rows.values_list(field, flat=True))

    return taken
