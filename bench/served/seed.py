"""The served-page bench's site: run inside `broadsheet shell` against a fresh database.

One published article of about 1,300 words (headings, a block quote, links) with 200
published reader comments in 40 threads, so the whole discussion is on the first page
(COMMENTS_PER_PAGE is 50 threads). The text comes from `broadsheet.demo.generated`, the
generator `broadsheet generate` uses, with fixed seeds, so every run serves the same page.
Prints the article's slug on the last line.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.demo import generated as text
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import refresh_comment_count, reply_parent
from broadsheet.publishing.models import Article, Author, Topic
from broadsheet.publishing.services import set_bylines

SLUG = "harbour-wall-vote"
WORDS = (1200, 1400)
THREADS = 40
COMMENTS = 200


def article_body() -> str:
    """The first generated body of the wanted length that has every kind of block."""
    for seed in range(1, 10_000):
        rng = random.Random(seed)
        about = text.story(rng)
        body = text.article_body(rng, about)
        if (
            WORDS[0] <= len(body.split()) <= WORDS[1]
            and "\n## " in body
            and "\n> " in body
            and "](https://" in body
        ):
            return body
    raise SystemExit("no generated body of the wanted length")


def comments(article: Article, now: dt.datetime) -> None:
    rng = random.Random(20241125)
    threads: list[list[Comment]] = []
    when = now - dt.timedelta(hours=2)
    for index in range(COMMENTS):
        when += dt.timedelta(seconds=rng.randint(5, 60))
        parent = None
        if index >= THREADS:
            # Replies go to a random comment of a random thread, as the site threads them.
            parent = reply_parent(rng.choice(rng.choice(threads)))
        comment = Comment.objects.create(
            article=article,
            parent=parent,
            thread_id=parent.thread_id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            name=text.commenter_name(rng),
            body_source=text.comment_body(rng),
            status=Comment.Status.PUBLISHED,
            created_at=when,
        )
        if parent is None:
            threads.append([comment])
        else:
            next(thread for thread in threads if thread[0].pk == parent.thread_id).append(comment)
    refresh_comment_count(article.pk)


def main() -> None:
    now = timezone.now()
    desk = User.objects.create_user(username="newsdesk", display_name="Newsdesk")
    author = Author.objects.create(name="Ada Reyes", slug="ada-reyes")
    topic = Topic.objects.create(name="Harbour", slug="harbour")
    article = Article.objects.create(
        title="Council votes to rebuild the harbour wall",
        slug=SLUG,
        standfirst="Residents on the north quay say the decision is long overdue.",
        submitted_by=desk,
        status=Article.Status.PUBLISHED,
        published_at=now - dt.timedelta(hours=3),
        body_source=article_body(),
    )
    set_bylines(article, [author])
    article.topics.set([topic])
    comments(article, now)
    words = len(article.body_source.split())
    stored = Comment.objects.filter(article=article, status=Comment.Status.PUBLISHED).count()
    print(f"article of {words} words, {stored} published comments")
    print(SLUG)


main()
