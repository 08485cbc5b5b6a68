"""`broadsheet generate`: fill the database with invented articles and reader comments, fast,
for benchmarks (100,000 articles and 2,000,000 comments take minutes on SQLite).

Articles are mostly published, spread over the last five years, with one to three byline
authors and one or two topics; comments are spread Zipf-like (a few articles get
thousands, most a handful), about 40% are replies, threaded as the site threads them
(`reply_parent()`), from registered readers and anonymous commenters, mostly published.
The text comes from `broadsheet.demo.generated`. Rendering Markdown is the slow part, so a
pool of a few hundred bodies is rendered once and reused.

Rows go in with bulk_create, one transaction per batch. bulk_create skips save(), so what
save() computes is set here: rendered HTML and text, a top-level comment's thread (itself),
the display-name key, the articles' comment counts. Each committed batch is complete (an
article with its bylines and topics; comments with their threads and their articles'
counts), so an interrupted run leaves a consistent database. Search needs nothing: on
SQLite the FTS5 triggers of publishing migration 0002 fire for bulk inserts too, and on
PostgreSQL the index is an expression index.

Running again adds more: taken slugs, usernames and display names get a number, and topics
are found by name and reused. The same --seed gives the same content, with times relative
to when it runs.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from broadsheet.accounts.models import User
from broadsheet.demo import generated as text
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import published_comment_count, reply_parent
from broadsheet.lib.rendering import html_to_text, render_article_markdown, render_comment_markdown
from broadsheet.publishing.models import Article, Author, Byline, Topic

SPAN = dt.timedelta(days=5 * 365)  # articles are published over the last five years
ARTICLE_POOL = 300  # distinct article bodies, each rendered once
COMMENT_POOL = 400
SPAM_POOL = 40
REPLY_SHARE = 0.4
MAX_READERS = 300
MAX_COMMENTERS = 20_000  # anonymous people who come back under the same name
# Rows per INSERT statement (SQLite lowers it further to its parameter limit). Article rows
# carry three copies of a body, so fewer of them.
ARTICLE_ROWS = 200
OTHER_ROWS = 1000
QUERY_CHUNK = 500  # values per "which of these are taken" query

T = TypeVar("T")


@dataclass
class ArticlePlan:
    title: str
    standfirst: str
    body: int  # index into the body pool
    status: str
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    comments_mode: str
    authors: list[int]
    topics: list[int]
    submitter: int
    comments: int = 0
    pk: int = 0  # once inserted

    @property
    def slug(self) -> str:
        day = (self.published_at or self.created_at).date()
        return f"{slugify(self.title)[:80].rstrip('-')}-{day:%Y-%m-%d}"

    @property
    def takes_comments(self) -> bool:
        return self.status == Article.Status.PUBLISHED and self.comments_mode != "hidden"


@dataclass(frozen=True)
class Rendered:
    source: str
    html: str
    text: str = ""


@dataclass(frozen=True)
class Commenter:
    """An anonymous commenter, who may have confirmed their address."""

    name: str
    email: str
    homepage: str
    confirmed: bool


@dataclass
class Cast:
    """Who writes the comments and what they may say."""

    readers: list[User]
    readers_cumulative: list[float]
    commenters: list[Commenter]
    commenters_cumulative: list[float]
    bodies: list[Rendered]
    spam: list[Rendered]


@dataclass
class Tally:
    published: int = 0
    replies: int = 0


class Command(BaseCommand):
    help = (
        "Fill the database with invented articles and threaded reader comments for "
        "benchmarks; running again adds more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=_count, default=0, help="articles to add")
        parser.add_argument(
            "--comments", type=_count, default=0, help="comments in all, over the new articles"
        )
        parser.add_argument(
            "--authors", type=_count, help="byline authors to add (default: articles/200 + 5)"
        )
        parser.add_argument("--topics", type=_count, default=20, help="topics to use")
        parser.add_argument("--seed", type=int, help="the same seed gives the same content")
        parser.add_argument(
            "--batch-size", type=_positive, default=5000, help="rows per transaction"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        article_count: int = options["articles"]
        comment_count: int = options["comments"]
        author_count: int = options["authors"]
        if author_count is None:
            author_count = article_count // 200 + 5 if article_count else 0
        topic_count: int = options["topics"] if article_count else 0
        batch_size: int = options["batch_size"]
        seed: int = options["seed"] if options["seed"] is not None else secrets.randbelow(2**32)
        if topic_count > text.MAX_TOPICS:
            raise CommandError(f"--topics can be at most {text.MAX_TOPICS}.")
        if article_count and not author_count:
            raise CommandError("Articles need at least one author (--authors).")
        hide_progress = None if options["verbosity"] > 0 else True  # None: shown on terminals

        started = time.monotonic()
        now = timezone.now()
        rng = random.Random(seed)
        desk_count = min(10, 1 + author_count // 20) if article_count else 0
        plans = plan_articles(rng, article_count, now, author_count, topic_count, desk_count)
        commented = [plan for plan in plans if plan.takes_comments]
        if comment_count and not commented:
            raise CommandError("None of the new articles takes comments; add more --articles.")
        for plan, count in zip(commented, spread(rng, comment_count, len(commented)), strict=True):
            plan.comments = count
        reader_count = min(MAX_READERS, max(5, comment_count // 50)) if comment_count else 0
        commenter_count = min(MAX_COMMENTERS, max(20, comment_count // 10)) if comment_count else 0
        topic_names = [text.topic_name(index) for index in range(topic_count)]
        topic_descriptions = [text.topic_description(rng, name) for name in topic_names]
        author_names = [text.person_name(rng) for _ in range(author_count)]
        author_bios = [text.author_bio(rng) for _ in range(author_count)]
        desk_names = [text.person_name(rng) for _ in range(desk_count)]
        reader_names = [text.reader_name(rng) for _ in range(reader_count)]
        commenters = [anonymous_commenter(rng) for _ in range(commenter_count)]
        bodies = article_pool(rng, min(ARTICLE_POOL, article_count))
        comment_bodies = [
            _rendered_comment(text.comment_body(rng))
            for _ in range(min(COMMENT_POOL, comment_count))
        ]
        spam_bodies = [
            _rendered_comment(text.spam_body(rng)) for _ in range(min(SPAM_POOL, comment_count))
        ]

        with transaction.atomic():
            topics, new_topics = ensure_topics(topic_names, topic_descriptions)
            authors = create_authors(author_names, author_bios)
            desks = create_accounts(desk_names, now - SPAN - dt.timedelta(days=400), rng)
            readers = create_accounts(reader_names, now - SPAN, rng)

        with tqdm(total=article_count, unit="article", disable=hide_progress) as bar:
            for batch in _chunks(plans, batch_size):
                insert_articles(batch, bodies, authors, topics, desks)
                bar.update(len(batch))
        articles_done = time.monotonic()

        cast = Cast(
            readers=readers,
            readers_cumulative=_zipf(len(readers), offset=3),
            commenters=commenters,
            commenters_cumulative=_zipf(len(commenters), offset=10),
            bodies=comment_bodies,
            spam=spam_bodies,
        )
        tally = Tally()
        with tqdm(total=comment_count, unit="comment", disable=hide_progress) as bar:
            for chunk in _article_chunks([plan for plan in commented if plan.comments], batch_size):
                comments = [
                    comment
                    for plan in chunk
                    for comment in article_comments(rng, plan, cast, now, tally)
                ]
                with transaction.atomic():
                    insert_comments(comments)
                    refresh_comment_counts(chunk[0].pk, chunk[-1].pk)
                bar.update(len(comments))

        finished = time.monotonic()
        article_seconds = max(articles_done - started, 0.001)
        comment_seconds = max(finished - articles_done, 0.001)
        published = sum(plan.status == Article.Status.PUBLISHED for plan in plans)
        self.stdout.write(
            f"Generated {article_count:,} articles ({published:,} published) in "
            f"{article_seconds:.1f} s ({article_count / article_seconds:,.0f}/s) and "
            f"{comment_count:,} comments ({tally.published:,} published, {tally.replies:,} "
            f"replies) in {comment_seconds:.1f} s ({comment_count / comment_seconds:,.0f}/s), "
            f"with {len(authors)} authors, {len(topics)} topics ({new_topics} new) and "
            f"{len(readers) + len(desks)} accounts; seed {seed}"
        )


# Planning: everything random is drawn here and in article_comments(), never from what the
# database holds, so a seed gives the same content whatever is already stored.


def plan_articles(
    rng: random.Random, count: int, now: dt.datetime, authors: int, topics: int, desks: int
) -> list[ArticlePlan]:
    """The articles in the order they were written, oldest first, as the ids will be."""
    author_weights, topic_weights = _zipf(authors, offset=2), _zipf(topics, offset=1)
    plans = []
    for _ in range(count):
        about = text.story(rng)
        roll = rng.random()
        published_at: dt.datetime | None
        if roll < 0.03:
            status, published_at = Article.Status.DRAFT, None
            created_at = now - dt.timedelta(days=60) * rng.random()
        elif roll < 0.05:
            status = Article.Status.SCHEDULED
            published_at = now + dt.timedelta(hours=1) + dt.timedelta(days=30) * rng.random()
            created_at = now - dt.timedelta(days=10) * rng.random()
        else:
            status = Article.Status.PUBLISHED
            # Daytime publishing: a day in the span, then a time between 06:00 and 21:00.
            day = (now - SPAN * rng.random()).replace(hour=6, minute=0, second=0, microsecond=0)
            published_at = day + dt.timedelta(hours=15) * rng.random()
            if published_at > now:
                published_at -= dt.timedelta(days=1)
            created_at = published_at - dt.timedelta(days=3) * rng.random()
        updated_at = created_at
        if published_at is not None and status == Article.Status.PUBLISHED:
            updated_at = published_at
            if rng.random() < 0.1:  # corrected or updated after publication
                updated_at = min(now, updated_at + dt.timedelta(days=30) * rng.random())
        mode = rng.choices(["open", "closed", "hidden"], [90, 8, 2])[0]
        plans.append(
            ArticlePlan(
                title=text.headline(rng, about)[:255],
                standfirst=text.standfirst(rng, about),
                body=rng.randrange(min(ARTICLE_POOL, count)),
                status=status,
                published_at=published_at,
                created_at=created_at,
                updated_at=updated_at,
                comments_mode=mode,
                authors=_distinct(rng, rng.choices([1, 2, 3], [70, 22, 8])[0], author_weights),
                topics=_distinct(rng, rng.choices([1, 2], [70, 30])[0], topic_weights),
                submitter=rng.randrange(desks),
            )
        )
    plans.sort(key=lambda plan: plan.created_at)
    return plans


def spread(rng: random.Random, total: int, slots: int) -> list[int]:
    """`total` split over `slots` Zipf-like: a rank-r slot gets a share proportional to
    1/(r + slots/1000), and the ranks are shuffled over the slots. For 100,000 slots and
    2,000,000 comments the busiest gets about 3,000 and the median about 6."""
    if not slots:
        return []
    cumulative = _zipf(slots, offset=slots / 1000)
    ranks = list(range(slots))
    rng.shuffle(ranks)
    counts = [0] * slots
    for rank in rng.choices(range(slots), cum_weights=cumulative, k=total):
        counts[rank] += 1
    return [counts[rank] for rank in ranks]


def article_pool(rng: random.Random, size: int) -> list[Rendered]:
    pool = []
    for _ in range(size):
        source = text.article_body(rng, text.story(rng))
        html = render_article_markdown(source)
        pool.append(Rendered(source, html, html_to_text(html)))
    return pool


def anonymous_commenter(rng: random.Random) -> Commenter:
    name = text.commenter_name(rng)
    has_email = rng.random() < 0.75
    email = f"{slugify(name) or 'reader'}.{rng.randrange(100, 999)}@example.net"
    homepage = f"https://{slugify(name) or 'reader'}.example.org/" if rng.random() < 0.1 else ""
    return Commenter(name, email if has_email else "", homepage, has_email and rng.random() < 0.3)


def article_comments(
    rng: random.Random, plan: ArticlePlan, cast: Cast, now: dt.datetime, tally: Tally
) -> list[Comment]:
    """An article's comments, parents before their replies, as the site would store them;
    `thread_id` of replies is filled in at insert time, once the top-level ids exist."""
    assert plan.published_at is not None
    comments: list[Comment] = []
    repliable: list[Comment] = []  # published ones, oldest first
    # An article's first comment cannot be a reply, so the others reply a little more often
    # to make REPLY_SHARE over all comments.
    reply_chance = 0.0
    if plan.comments > 1:
        reply_chance = min(0.9, REPLY_SHARE * plan.comments / (plan.comments - 1))
    for _ in range(plan.comments):
        comment = _comment(rng, cast)
        parent = None
        if comment.status != Comment.Status.SPAM and repliable and rng.random() < reply_chance:
            # Half answer the conversation of the moment, half go back to an older comment.
            target = rng.choice(repliable[-5:] if rng.random() < 0.5 else repliable)
            parent = reply_parent(target)
        comment.article_id = plan.pk
        if parent is None:
            late = rng.random() < 0.15
            comment.created_at = _after(rng, plan.published_at, 30 * 86400 if late else 36000, now)
        else:
            comment.parent = parent
            comment.depth = parent.depth + 1
            comment.created_at = _after(rng, parent.created_at, 5400, now)
            # The site mails the parent's author when a reply is published, and notes it.
            comment.reply_notice_sent = parent.notify_replies and comment.is_published
            tally.replies += 1
        if comment.user_id is not None and comment.is_published and rng.random() < 0.04:
            edit_delay = dt.timedelta(minutes=rng.randint(1, 14))  # within the edit window
            comment.edited_at = min(now, comment.created_at + edit_delay)
        if comment.is_published:
            repliable.append(comment)
            tally.published += 1
        comments.append(comment)
    return comments


def _comment(rng: random.Random, cast: Cast) -> Comment:
    """Who wrote it, what it says and where moderation left it; no place or time yet."""
    roll = rng.random()
    body = rng.choice(cast.bodies)
    status = Comment.Status.PUBLISHED
    reasons: list[str] = []
    score = rng.betavariate(1.2, 12)
    if roll < 0.04:
        body = rng.choice(cast.spam)
        name = text.spammer_name(rng)
        domain = rng.choice(text.SPAM_DOMAINS)
        return Comment(
            name=name,
            email=f"{slugify(name)}@{domain}",
            homepage=f"https://{domain}/",
            body_source=body.source,
            body_html=body.html,
            status=Comment.Status.SPAM,
            held_reasons=["links", "filter-spam"],
            spam_score=0.98 + 0.02 * rng.random(),
        )
    if roll < 0.4:
        reader = cast.readers[_pick(rng, cast.readers_cumulative)]
        user: User | None = reader
        name, email, homepage, confirmed = reader.public_name, reader.email, "", False
    else:
        commenter = cast.commenters[_pick(rng, cast.commenters_cumulative)]
        user = None
        name, email, homepage = commenter.name, commenter.email, commenter.homepage
        confirmed = commenter.confirmed
        if not confirmed:
            reasons = ["moderation-policy"]  # held on arrival; most later approved
    outcome = rng.random()
    if outcome < 0.03:
        status = Comment.Status.DELETED
    elif outcome < (0.12 if reasons else 0.05):
        status = Comment.Status.HELD
        if not reasons:
            reasons, score = ["filter-uncertain"], 0.5 + 0.3 * rng.random()
    return Comment(
        name=name,
        email=email,
        homepage=homepage,
        user=user,
        email_confirmed=confirmed,
        body_source=body.source,
        body_html=body.html,
        status=status,
        held_reasons=reasons,
        spam_score=score,
        notify_replies=bool(email) and rng.random() < 0.2,
    )


# Writing ------------------------------------------------------------------------------


def ensure_topics(names: list[str], descriptions: list[str]) -> tuple[list[Topic], int]:
    """The topics with these names, created where missing; and how many were created."""
    existing: dict[str, Topic] = {}
    for chunk in _chunks(names, QUERY_CHUNK):
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
        for chunk in _chunks(sorted(set(keys.values()) - claimed), QUERY_CHUNK):
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


def _taken(model: type[models.Model], field: str) -> Callable[[list[str]], set[str]]:
    def taken(values: list[str]) -> set[str]:
        rows = model._default_manager.filter(**{f"{field}__in": values})
        return set(rows.values_list(field, flat=True))

    return taken


def _rendered_comment(source: str) -> Rendered:
    return Rendered(source, render_comment_markdown(source))


def _after(
    rng: random.Random, start: dt.datetime, mean_seconds: float, now: dt.datetime
) -> dt.datetime:
    """A moment a minute or more after `start` (on average `mean_seconds`), never later
    than `now`."""
    moment = start + dt.timedelta(seconds=60 + rng.expovariate(1 / mean_seconds))
    if moment > now:
        moment = start + (now - start) * rng.random()
    return moment


def _zipf(count: int, *, offset: float) -> list[float]:
    """Cumulative weights 1/(rank + offset) for ranks 1…count."""
    return list(itertools.accumulate(1 / (rank + offset) for rank in range(1, count + 1)))


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return min(bisect.bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _distinct(rng: random.Random, count: int, cumulative: list[float]) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < min(count, len(cumulative)):
        index = _pick(rng, cumulative)
        if index not in chosen:
            chosen.append(index)
    return chosen


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number
