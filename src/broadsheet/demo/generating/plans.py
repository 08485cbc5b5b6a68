"""The random half of `broadsheet generate`: what the articles and comments will be, drawn
from one seeded `random.Random` before and between the inserts.

Every random draw is made by a function here (and the account times by
`rows.create_accounts()`), never from what the database holds, so a seed gives the same
content whatever is already stored. `run.py` calls them in a fixed order, and that order
is part of the promise: moving one draw changes everything drawn after it. The text comes
from `broadsheet.demo.generated`; Markdown is rendered here, once per body in a pool that
the articles and comments reuse. Nothing here writes to the database: `rows.py` does,
from the plans made here.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.text import slugify

from broadsheet.accounts.models import User
from broadsheet.demo import generated as text
from broadsheet.demo.generated_words import SPAM_DOMAINS
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import reply_parent
from broadsheet.lib.rendering import html_to_text, render_article_markdown, render_comment_markdown
from broadsheet.publishing.models import Article

SPAN = dt.timedelta(days=5 * 365)  # articles are published over the last five years
ARTICLE_POOL = 300  # distinct article bodies, each rendered once
COMMENT_POOL = 400
SPAM_POOL = 40
REPLY_SHARE = 0.4


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


@dataclass(frozen=True)
class People:
    """Everyone a run adds or names, and the topics, before any row exists."""

    topic_names: list[str]
    topic_descriptions: list[str]
    author_names: list[str]
    author_bios: list[str]
    desk_names: list[str]  # the accounts that submit the articles
    reader_names: list[str]  # registered readers who comment
    commenters: list[Commenter]


@dataclass
class Tally:
    published: int = 0
    replies: int = 0


def comment_cast(
    readers: list[User], commenters: list[Commenter], bodies: list[Rendered], spam: list[Rendered]
) -> Cast:
    """The cast, with the few busy readers and commenters who write most of the comments."""
    return Cast(
        readers=readers,
        readers_cumulative=_zipf(len(readers), offset=3),
        commenters=commenters,
        commenters_cumulative=_zipf(len(commenters), offset=10),
        bodies=bodies,
        spam=spam,
    )


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


def plan_people(
    rng: random.Random, *, topics: int, authors: int, desks: int, readers: int, commenters: int
) -> People:
    topic_names = [text.topic_name(index) for index in range(topics)]
    topic_descriptions = [text.topic_description(rng, name) for name in topic_names]
    author_names = [text.person_name(rng) for _ in range(authors)]
    author_bios = [text.author_bio(rng) for _ in range(authors)]
    desk_names = [text.person_name(rng) for _ in range(desks)]
    reader_names = [text.reader_name(rng) for _ in range(readers)]
    return People(
        topic_names=topic_names,
        topic_descriptions=topic_descriptions,
        author_names=author_names,
        author_bios=author_bios,
        desk_names=desk_names,
        reader_names=reader_names,
        commenters=[anonymous_commenter(rng) for _ in range(commenters)],
    )


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


def comment_pool(
    rng: random.Random, size: int, write: Callable[[random.Random], str]
) -> list[Rendered]:
    """`size` comment bodies from `write` (`text.comment_body` or `text.spam_body`)."""
    return [_rendered_comment(write(rng)) for _ in range(size)]


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
        domain = rng.choice(SPAM_DOMAINS)
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
