"""One run of `broadsheet generate`: how much of each thing to make, in which order the
random draws happen, and where the transactions begin and end.

`generate_site()` draws everything that does not depend on row ids first (the article plans,
the people, the body pools), writes the topics, authors and accounts in one transaction,
then the articles batch by batch, then each article's comments with its count refreshed
in the same transaction. It reports progress through a callback and returns the numbers
the command's summary line shows; the command parses options and prints.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from broadsheet.demo import generated as text
from broadsheet.publishing.models import Article

from .plans import (
    ARTICLE_POOL,
    COMMENT_POOL,
    SPAM_POOL,
    SPAN,
    ArticlePlan,
    Tally,
    article_comments,
    article_pool,
    comment_cast,
    comment_pool,
    plan_articles,
    plan_people,
    spread,
)
from .rows import (
    chunks,
    create_accounts,
    create_authors,
    ensure_topics,
    insert_articles,
    insert_comments,
    refresh_comment_counts,
)

MAX_READERS = 300
MAX_COMMENTERS = 20_000  # anonymous people who come back under the same name

Advance = Callable[[int], object]
# Opens a progress display for `total` rows of one kind ("article", "comment"); what it
# yields is called with the number of rows each step adds.
Progress = Callable[[int, str], AbstractContextManager[Advance]]


class GenerationError(ValueError):
    """What was asked for cannot be generated; nothing has been written. The message names
    the options of `broadsheet generate`, the one way in."""


@dataclass(frozen=True)
class GenerationSummary:
    seed: int  # the one given, or the one chosen, to make the run again
    articles: int
    published_articles: int
    comments: int
    published_comments: int
    replies: int
    authors: int
    topics: int
    new_topics: int
    accounts: int
    article_seconds: float  # including the people and the rendered pools
    comment_seconds: float


def no_progress(total: int, unit: str) -> AbstractContextManager[Advance]:
    return nullcontext(_ignore)


def generate_site(
    *,
    articles: int,
    comments: int,
    authors: int | None = None,
    topics: int = 20,
    seed: int | None = None,
    batch_size: int = 5000,
    progress: Progress = no_progress,
) -> GenerationSummary:
    """Add `articles` articles and `comments` comments spread over the new ones, with
    `authors` new byline authors (by default articles/200 + 5) and `topics` topics, found
    by name or created; at most `batch_size` rows per transaction. The same seed gives
    the same content, with times relative to now."""
    article_count, comment_count = articles, comments
    author_count = authors
    if author_count is None:
        author_count = article_count // 200 + 5 if article_count else 0
    topic_count = topics if article_count else 0
    if seed is None:
        seed = secrets.randbelow(2**32)
    if topic_count > text.MAX_TOPICS:
        raise GenerationError(f"--topics can be at most {text.MAX_TOPICS}.")
    if article_count and not author_count:
        raise GenerationError("Articles need at least one author (--authors).")

    started = time.monotonic()
    now = timezone.now()
    rng = random.Random(seed)
    desk_count = min(10, 1 + author_count // 20) if article_count else 0
    plans = plan_articles(rng, article_count, now, author_count, topic_count, desk_count)
    commented = [plan for plan in plans if plan.takes_comments]
    if comment_count and not commented:
        raise GenerationError("None of the new articles takes comments; add more --articles.")
    for plan, count in zip(commented, spread(rng, comment_count, len(commented)), strict=True):
        plan.comments = count
    reader_count = min(MAX_READERS, max(5, comment_count // 50)) if comment_count else 0
    commenter_count = min(MAX_COMMENTERS, max(20, comment_count // 10)) if comment_count else 0
    people = plan_people(
        rng,
        topics=topic_count,
        authors=author_count,
        desks=desk_count,
        readers=reader_count,
        commenters=commenter_count,
    )
    bodies = article_pool(rng, min(ARTICLE_POOL, article_count))
    comment_bodies = comment_pool(rng, min(COMMENT_POOL, comment_count), text.comment_body)
    spam_bodies = comment_pool(rng, min(SPAM_POOL, comment_count), text.spam_body)

    with transaction.atomic():
        topic_rows, new_topics = ensure_topics(people.topic_names, people.topic_descriptions)
        author_rows = create_authors(people.author_names, people.author_bios)
        desks = create_accounts(people.desk_names, now - SPAN - dt.timedelta(days=400), rng)
        readers = create_accounts(people.reader_names, now - SPAN, rng)

    with progress(article_count, "article") as advance:
        for batch in chunks(plans, batch_size):
            insert_articles(batch, bodies, author_rows, topic_rows, desks)
            advance(len(batch))
    articles_done = time.monotonic()

    cast = comment_cast(readers, people.commenters, comment_bodies, spam_bodies)
    tally = Tally()
    with progress(comment_count, "comment") as advance:
        for chunk in _article_chunks([plan for plan in commented if plan.comments], batch_size):
            batch_comments = [
                comment
                for plan in chunk
                for comment in article_comments(rng, plan, cast, now, tally)
            ]
            with transaction.atomic():
                insert_comments(batch_comments)
                refresh_comment_counts(chunk[0].pk, chunk[-1].pk)
            advance(len(batch_comments))

    finished = time.monotonic()
    return GenerationSummary(
        seed=seed,
        articles=article_count,
        published_articles=sum(plan.status == Article.Status.PUBLISHED for plan in plans),
        comments=comment_count,
        published_comments=tally.published,
        replies=tally.replies,
        authors=len(author_rows),
        topics=len(topic_rows),
        new_topics=new_topics,
        accounts=len(readers) + len(desks),
        article_seconds=max(articles_done - started, 0.001),
        comment_seconds=max(finished - articles_done, 0.001),
    )


def _article_chunks(plans: list[ArticlePlan], comments: int) -> Iterator[list[ArticlePlan]]:
    """Consecutive articles holding about `comments` comments between them."""
    chunk: list[ArticlePlan] = []
    size = 0
    for plan in plans:
        chunk.append(plan)
        size += plan.comments
        if size >= comments:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _ignore(count: int) -> None:
    pass
