"""Posting and publishing comments: the rules, in one place for the form and the API.

`check_can_comment()` says whether an article takes comments now; `post_comment()` stores
one under the site's policy; `set_status()` is the one way to change a stored comment's
status (the moderation queue, the API, the admin, a confirmed address and an author's edit
all go through it; `update_comments()` is its bulk form, for erasure), and
`comment_status_changed()` does what follows: the article's count, reply notifications and
the webhook event. Which webhook event a comment's change is, and what a receiver learns of
it (`serializers.comment_payload()`), is decided here; the webhook outbox only delivers it.

`post_comment()` is the hot path of a busy discussion (bench/run, scenario c): it runs
inside one write transaction that every other post waits for on SQLite, so it does no
work twice and none that could wait: screening and rendering the body happen before it,
a new comment adds one to its article's count rather than counting them all, and its
page-cache invalidation comes from the save signal alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connection, connections, router, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from broadsheet import pagecache
from broadsheet.accounts.models import User
from broadsheet.lib.mail import queue_mail
from broadsheet.lib.versioned import read_together
from broadsheet.publishing.models import Article
from broadsheet.webhooks import services as webhooks
from broadsheet.webhooks.models import Event

from .models import Comment
from .screening import SubmissionSignals, is_stricter, screen
from .serializers import comment_payload

CONFIRM_SALT = "broadsheet.discussion.confirm"
UNSUBSCRIBE_SALT = "broadsheet.discussion.unsubscribe"


class CommentingClosed(Exception):
    """The article does not take comments; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CommentSubmission:
    """What a commenter sent, already validated by a form (or the API)."""

    body: str
    name: str = ""
    email: str = ""
    homepage: str = ""
    parent: Comment | None = None
    notify_replies: bool = False
    confirm_address: bool = False
    signals: SubmissionSignals = field(default_factory=SubmissionSignals)


@dataclass(frozen=True)
class PostOutcome:
    comment: Comment
    duplicate: bool

    @property
    def published(self) -> bool:
        return self.comment.status == Comment.Status.PUBLISHED


def comments_are_shown(article: Article) -> bool:
    return article.comments_mode != Article.Comments.HIDDEN


def comments_are_open(article: Article) -> bool:
    if article.comments_mode != Article.Comments.OPEN or not article.is_live:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at is not None:
        return timezone.now() < article.published_at + dt.timedelta(days=days)
    return True


def seconds_until_comments_close(article: Article) -> float | None:
    """How long until the article's comments close by age (None: they do not), so a
    cached page showing the form expires when they do."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if not days or article.published_at is None:
        return None
    closes = article.published_at + dt.timedelta(days=days)
    return max(0.0, (closes - timezone.now()).total_seconds())


def check_can_comment(article: Article | None) -> Article:
    if article is None or not article.is_live:
        raise CommentingClosed("There is no published article here to comment on.", 404)
    if article.comments_mode == Article.Comments.HIDDEN:
        raise CommentingClosed("Comments are switched off for this article.", 403)
    if not comments_are_open(article):
        raise CommentingClosed("Comments on this article are closed.", 403)
    return article


def reply_parent(parent: Comment | None) -> Comment | None:
    """The comment a reply attaches to: at the depth limit, the parent's own parent, so the
    reply sits beside the comment it answers instead of one level deeper."""
    while parent is not None and parent.depth >= settings.COMMENT_MAX_DEPTH - 1:
        parent = parent.parent
    return parent


def initial_status(*, user: User | None, email_confirmed: bool) -> str:
    verified = (user is not None and user.can_comment_as_registered) or email_confirmed
    if verified:
        return (
            Comment.Status.PUBLISHED if settings.COMMENTS_PUBLISH_VERIFIED else Comment.Status.HELD
        )
    return Comment.Status.HELD if settings.COMMENTS_HOLD_ANONYMOUS else Comment.Status.PUBLISHED


def _recent_duplicate(
    article: Article, submission: CommentSubmission, user: User | None, parent: Comment | None
) -> Comment | None:
    """The same words from the same commenter in the same place within the duplicate window:
    a second press of Save. The same "Thanks!" under two different comments is two replies.
    A window of zero seconds (or less) switches the check off without a query."""
    if settings.COMMENT_DUPLICATE_WINDOW_SECONDS <= 0:
        return None
    since = timezone.now() - dt.timedelta(seconds=settings.COMMENT_DUPLICATE_WINDOW_SECONDS)
    same = Comment.objects.filter(
        article=article, parent=parent, body_source=submission.body, created_at__gte=since
    )
    if user is not None:
        same = same.filter(user=user)
    else:
        same = same.filter(user=None, name=submission.name, email__iexact=submission.email)
    return same.order_by("-created_at").first()


def is_confirmed_address(email: str, confirmed_email: str | None) -> bool:
    """Whether `email` is the address this browser proved it reads (its signed cookie)."""
    return bool(confirmed_email and email and confirmed_email.lower() == email.lower())


@read_together()  # what screening and the webhooks keep per process: see views.post_comment
def post_comment(
    article: Article,
    submission: CommentSubmission,
    *,
    user: User | None,
    address_hash: str = "",
    confirmed_email: str | None = None,
) -> PostOutcome:
    """Store a comment under the site's policy. A repeat of the same comment by the same
    commenter within the duplicate window returns the first one instead of a second."""
    check_can_comment(article)
    if submission.parent is not None and submission.parent.article_id != article.pk:
        raise ValueError("A reply must belong to the same article as its parent.")
    if user is not None:
        name, email = user.public_name, user.email
    else:
        name, email = submission.name, submission.email
    email_confirmed = user is None and is_confirmed_address(email, confirmed_email)
    parent = reply_parent(submission.parent)
    # A second press of Save usually arrives after the first was stored: answered before
    # screening, so it neither counts against the rate limits nor costs the filter's work.
    if duplicate := _recent_duplicate(article, submission, user, parent):
        return PostOutcome(duplicate, duplicate=True)
    comment = Comment(
        article=article,
        parent=parent,
        thread=parent.thread if parent else None,
        depth=parent.depth + 1 if parent else 0,
        name=name,
        email=email,
        homepage="" if user else submission.homepage,
        user=user,
        email_confirmed=email_confirmed,
        body_source=submission.body,
        notify_replies=submission.notify_replies and bool(email),
        address_hash=address_hash,
        status=initial_status(user=user, email_confirmed=email_confirmed),
    )
    if comment.status == Comment.Status.HELD:
        comment.held_reasons = ["moderation-policy"]
    # Screening only reads, so it runs before the write transaction: on SQLite every post
    # waits for the one before it to commit, and the filter's and the blocked terms'
    # queries would lengthen that wait for all of them.
    verdict = screen(comment, submission.signals)
    comment.spam_score = verdict.score
    comment.abuse_score = verdict.abuse_score
    comment.held_reasons = [*comment.held_reasons, *verdict.reasons]
    if verdict.status and is_stricter(verdict.status, comment.status):
        comment.status = verdict.status
    # Rendering only reads as well (a long comment's Markdown is the slowest part of a
    # post): done here, save() keeps it, and the write lock is held for less time.
    comment.render_body()
    # IMMEDIATE transactions on SQLite (and the row lock on PostgreSQL) make the duplicate
    # check and the insert one step for concurrent double submits.
    with transaction.atomic():
        # Locking the article row serialises posts to one article on PostgreSQL, so two
        # identical submits cannot both pass the duplicate check. SQLite has no row locks
        # (Django would send a plain SELECT): its IMMEDIATE transactions already serialise
        # every write, so the query is skipped there. Without a duplicate window there is
        # no check to serialise: a round trip less, and only the count's UPDATE locks the
        # row, for less of the transaction.
        if (
            settings.COMMENT_DUPLICATE_WINDOW_SECONDS > 0
            and connection.features.has_select_for_update
        ):
            Article.objects.select_for_update().filter(pk=article.pk).exists()
        if duplicate := _recent_duplicate(article, submission, user, parent):
            return PostOutcome(duplicate, duplicate=True)
        comment.save()
        # Never for spam: a spammer must not be able to make the site mail any address.
        if (
            user is None
            and email
            and submission.confirm_address
            and not email_confirmed
            and comment.status != Comment.Status.SPAM
        ):
            send_confirmation_request(comment)
        comment_posted(comment)
        if verdict.after_publish is not None and comment.status == Comment.Status.PUBLISHED:
            follow_up = verdict.after_publish
            transaction.on_commit(lambda: follow_up(comment), robust=True)
    return PostOutcome(comment, duplicate=False)


def published_comment_count() -> Coalesce:
    """An article's published comments, counted in the database, for an UPDATE of
    Article.comment_count over any set of articles."""
    published = (
        Comment.objects.published()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(published), 0)


def refresh_comment_count(article_id: int) -> None:
    Article.objects.filter(pk=article_id).update(comment_count=published_comment_count())
    pagecache.changed(pagecache.tag("article", article_id))


def _count_one_more(article_id: int) -> None:
    """Add one to the article's comment_count in one atomic UPDATE (concurrent posts lose
    none). Written as SQL: Django takes about 0.3 ms to build it from an F() expression,
    ten times what running it takes, under the write lock every other post waits for."""
    connection = connections[router.db_for_write(Article)]  # the router notes the write
    quote = connection.ops.quote_name
    count = quote(Article._meta.get_field("comment_count").column)
    table, key = quote(Article._meta.db_table), quote(Article._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {count} = {count} + 1 WHERE {key} = %s", [article_id])


def comment_posted(comment: Comment) -> None:
    """What follows a new comment being stored: comment_status_changed() for a comment
    that was not there before, done in less work. A published comment adds one to its
    article's count in the same write transaction (an atomic increment: concurrent posts
    cannot lose one), a held or spam one leaves it alone; counting every comment of the
    article again would cost more with each comment. The article's cached pages were
    already invalidated by the comment's save (discussion.invalidation). A held or
    published one is announced to webhook endpoints."""
    if comment.is_published:
        _count_one_more(comment.article_id)
        notify_parent_of_reply(comment)
    announce_comment(comment)


def comment_status_changed(comment: Comment, *, was_published: bool, previous_status: str) -> None:
    """What follows a stored comment's status being set (set_status()), changed or not."""
    refresh_comment_count(comment.article_id)
    if comment.is_published and not was_published:
        notify_parent_of_reply(comment)
    if comment.status != previous_status:
        announce_comment(comment)


def set_status(comment: Comment, status: str, *, other_fields: Collection[str] = ()) -> None:
    """Give a stored comment `status`, and what follows (comment_status_changed()).

    `other_fields` names fields the caller has already changed on `comment` (an author's
    edit, a confirmed address), written in the same UPDATE. The caller must not have set
    the status itself: what follows depends on the one stored before."""
    was_published = comment.is_published
    previous_status = comment.status
    with transaction.atomic():
        comment.status = status
        fields = ["status", *other_fields]
        if status == Comment.Status.PUBLISHED and comment.body_before_edit:
            # Published as it now reads: the earlier text is no longer what readers saw.
            comment.body_before_edit = ""
            fields.append("body_before_edit")
        comment.save(update_fields=fields)
        comment_status_changed(
            comment, was_published=was_published, previous_status=previous_status
        )


# Statuses a set of comments may be given at once: no reply notice and no webhook follows
# a comment into either, so what set_status() does after is one count per article.
BULK_STATUSES = frozenset({Comment.Status.SPAM, Comment.Status.DELETED})


def update_comments(comments: QuerySet[Comment], **changes: Any) -> list[int]:
    """Change many comments in one UPDATE (an erasure: their personal data, perhaps their
    text and status), with what set_status() would do after, once per article: its count
    and its cached pages, which no save signal reaches from a bulk UPDATE. A status is
    allowed only from BULK_STATUSES; a comment published or held one by one owes notices
    and webhooks. Returns the ids of the articles touched."""
    if "status" in changes and changes["status"] not in BULK_STATUSES:
        raise ValueError(f"Comments are not given the status {changes['status']!r} in bulk.")
    with transaction.atomic():
        article_ids = sorted(set(comments.values_list("article_id", flat=True)))
        comments.update(**changes)
        for article_id in article_ids:
            refresh_comment_count(article_id)
    return article_ids


# Webhook events -------------------------------------------------------------------------

# The event a comment's status is to webhook receivers; spam and deleted ones are none.
STATUS_EVENTS: dict[str, str] = {
    Comment.Status.HELD: Event.COMMENT_HELD,
    Comment.Status.PUBLISHED: Event.COMMENT_PUBLISHED,
}


def announce_comment(comment: Comment) -> None:
    """Tell webhook endpoints, once the transaction commits, that a comment is now held
    or published (never spam)."""
    if (event := STATUS_EVENTS.get(comment.status)) is not None:
        # Built now: the comment as this change left it, whatever the caller does next.
        webhooks.queue_event_on_commit(event, {"comment": comment_payload(comment)})


# Confirmation of an anonymous commenter's address -------------------------------------


def confirmation_token(comment: Comment) -> str:
    return signing.dumps({"c": comment.pk, "e": comment.email.lower()}, salt=CONFIRM_SALT)


def send_confirmation_request(comment: Comment) -> None:
    link = reverse("discussion:confirm", args=[confirmation_token(comment)])
    queue_mail(
        comment.email,
        "discussion/emails/confirm-address",
        {"comment": comment, "article": comment.article, "link": settings.SITE_URL + link},
    )


def confirm_address(token: str) -> Comment:
    """Mark the comment a signed link names as confirmed, publishing it if the policy
    publishes confirmed commenters and it was held only for being anonymous.

    Raises signing.BadSignature (or SignatureExpired) for a bad or old link."""
    max_age = dt.timedelta(days=settings.COMMENT_CONFIRM_MAX_AGE_DAYS)
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=data["c"])
        if comment.email.lower() != data["e"]:
            raise signing.BadSignature("The comment's address has changed since the link was sent.")
        comment.email_confirmed = True
        # Published only if it was held for nothing but being anonymous: a comment that
        # screening held waits for a moderator whoever wrote it.
        held_only_by_policy = set(comment.held_reasons) <= {"moderation-policy"}
        status = comment.status
        if (
            status == Comment.Status.HELD
            and held_only_by_policy
            and settings.COMMENTS_PUBLISH_VERIFIED
        ):
            status = Comment.Status.PUBLISHED
        # Through set_status() even when the status stays, as it always did what follows
        # one: the count is refreshed, and the page shows the commenter as verified.
        set_status(comment, status, other_fields=["email_confirmed"])
    return comment


# Reply notifications ------------------------------------------------------------------


def unsubscribe_token(comment: Comment) -> str:
    return signing.dumps(comment.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe(token: str) -> Comment:
    """Stop reply e-mails for the comment a signed link names (no expiry: an unsubscribe
    link must keep working)."""
    comment = Comment.objects.get(pk=signing.loads(token, salt=UNSUBSCRIBE_SALT))
    Comment.objects.filter(pk=comment.pk).update(notify_replies=False)
    comment.notify_replies = False
    return comment


def notify_parent_of_reply(reply: Comment) -> None:
    """E-mail the parent's author about a published reply, if they asked and their address
    is proven: an unconfirmed address could be anyone's, and must not be sent mail."""
    parent = reply.parent
    if reply.reply_notice_sent or parent is None or not parent.notify_replies or not parent.email:
        return
    if not parent.is_verified or parent.status != Comment.Status.PUBLISHED:
        return
    # Never about one's own reply: the same address, or the same account (whose address
    # may have changed since the parent was written).
    if parent.email.lower() == reply.email.lower():
        return
    if parent.user_id is not None and parent.user_id == reply.user_id:
        return
    queue_mail(
        parent.email,
        "discussion/emails/reply",
        {
            "reply": reply,
            "parent": parent,
            "article": reply.article,
            "link": settings.SITE_URL + reply.get_absolute_url(),
            "unsubscribe_link": settings.SITE_URL
            + reverse("discussion:unsubscribe", args=[unsubscribe_token(parent)]),
        },
    )
    # Once per reply, even if it is unpublished and approved again later.
    reply.reply_notice_sent = True
    Comment.objects.filter(pk=reply.pk).update(reply_notice_sent=True)


# Editing by the author ----------------------------------------------------------------


def can_edit(comment: Comment, user: User | None) -> bool:
    if user is None or comment.user_id != user.pk or comment.status == Comment.Status.DELETED:
        return False
    window = dt.timedelta(minutes=settings.COMMENT_EDIT_WINDOW_MINUTES)
    return timezone.now() <= comment.created_at + window


def edit_comment(comment: Comment, body: str) -> Comment:
    """Change the text of a comment its author may still edit (see can_edit()).

    The new text is screened as a new comment is: an edit that screening would hold is
    held (or stored as spam), with "edited" first among its reasons, and a published
    comment keeps the text readers saw in `body_before_edit` so the queue can show what
    changed. An edit screening passes keeps the comment's status."""
    previous_body, previous_status = comment.body_source, comment.status
    comment.body_source = body
    # Screening and rendering only read: outside the write transaction, as for a new post.
    verdict = screen(comment, SubmissionSignals(via_form=False, is_edit=True))
    comment.render_body()
    fields = ["body_source", "edited_at", "spam_score", "abuse_score"]
    comment.edited_at = timezone.now()
    comment.spam_score = verdict.score
    comment.abuse_score = verdict.abuse_score
    status = previous_status
    if verdict.status and is_stricter(verdict.status, previous_status):
        status = verdict.status
    if status != previous_status and comment.is_published:
        comment.body_before_edit = previous_body
        fields.append("body_before_edit")
    if status != Comment.Status.PUBLISHED:
        # The reasons are the new text's; the site's policy still holds what it held.
        kept = [reason for reason in comment.held_reasons if reason == "moderation-policy"]
        comment.held_reasons = list(dict.fromkeys([*kept, "edited", *verdict.reasons]))
        fields.append("held_reasons")
    if status != previous_status:
        set_status(comment, status, other_fields=fields)
    else:
        comment.save(update_fields=fields)
    return comment


# Retention ----------------------------------------------------------------------------


def purge_address_hashes(now: dt.datetime | None = None) -> int:
    """Clear the address hash of comments older than COMMENT_ADDRESS_RETENTION_DAYS."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.COMMENT_ADDRESS_RETENTION_DAYS)
    return (
        Comment.objects.filter(created_at__lt=cutoff)
        .exclude(address_hash="")
        .update(address_hash="")
    )
