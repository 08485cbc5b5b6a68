"""Commenters' data rights: a copy of what the site holds about an e-mail address, and the
erasure of it, for whoever can read that address's mail.

The only proof of identity is the mailbox: `request_data_link()` mails signed, expiring
links (one per purpose, each with its own salt, so an export link cannot erase) to the
address asked about, and only if comments exist for it. Whatever the answer, the caller
learns nothing: the same query runs and the same page follows either way.

Erasure anonymises rather than deletes rows, so threads keep their shape: the name becomes
"Anonymous", the e-mail address, homepage, account link and address hash are cleared, the
address is no longer confirmed and reply mail stops. With `keep_bodies=False` the text is
emptied as well (`body_source` and `body_html` set to "") and the comment's status becomes
deleted, so the page shows "This comment has been removed." in its place. Every erasure is
one ModerationLogEntry (action ERASE) holding a keyed hash of the address, never the
address itself.

Settings: DATA_REQUEST_MAX_AGE_HOURS (default 48), how long a mailed link works.

This app sits above moderation (it writes moderation's audit log through `log_action()`)
and discussion (it changes comments through `update_comments()`); neither knows it exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.crypto import salted_hmac

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.discussion.serializers import comment_private_data
from broadsheet.discussion.services import update_comments
from broadsheet.lib.mail import queue_mail
from broadsheet.moderation import spamfilter
from broadsheet.moderation.models import ModerationLogEntry
from broadsheet.moderation.services import log_action
from broadsheet.publishing.serializers import site_url

# The salts still name the module this code came from (moderation/rights.py): a new salt
# would void every link already mailed, and a new hash salt would stop the audit log
# matching an address's later erasures to its earlier ones.
EXPORT_SALT = "broadsheet.moderation.rights.export"
ERASE_SALT = "broadsheet.moderation.rights.erase"
EMAIL_HASH_SALT = "broadsheet.moderation.rights.email-hash"
ANONYMOUS_NAME = "Anonymous"


def normalised_email(email: str) -> str:
    return email.strip().lower()


def link_max_age() -> dt.timedelta:
    # Read here, not from settings.py, which this feature does not own.
    return dt.timedelta(hours=settings.DATA_REQUEST_MAX_AGE_HOURS)


def export_token(email: str) -> str:
    return signing.dumps(normalised_email(email), salt=EXPORT_SALT)


def erase_token(email: str) -> str:
    return signing.dumps(normalised_email(email), salt=ERASE_SALT)


def email_from_export_token(token: str) -> str:
    """The address an export link was mailed to. Raises signing.BadSignature (or
    SignatureExpired) for a bad or old link."""
    return str(signing.loads(token, salt=EXPORT_SALT, max_age=link_max_age()))


def email_from_erase_token(token: str) -> str:
    """The address an erasure link was mailed to; raises as email_from_export_token()."""
    return str(signing.loads(token, salt=ERASE_SALT, max_age=link_max_age()))


def email_hash(email: str) -> str:
    """A keyed hash of the address for the audit log: it tells two erasures of the same
    address apart from others without the log holding the address."""
    return salted_hmac(EMAIL_HASH_SALT, normalised_email(email), algorithm="sha256").hexdigest()


def comments_of(email: str) -> QuerySet[Comment]:
    return Comment.objects.filter(email__iexact=normalised_email(email))


def request_data_link(email: str) -> None:
    """Mail the export and erasure links to `email` if the site holds comments for it.

    Returns nothing on purpose: the caller must answer the same whether or not a mail went.
    The same query runs either way; only the mail itself (queued, not sent, here) differs."""
    address = normalised_email(email)
    if not comments_of(address).exists():
        return
    queue_mail(
        address,
        "rights/emails/data-links",
        {
            "email": address,
            "site_name": settings.SITE_NAME,
            "export_link": settings.SITE_URL
            + reverse("rights:export", args=[export_token(address)]),
            "erase_link": settings.SITE_URL + reverse("rights:erase", args=[erase_token(address)]),
            "max_age_hours": int(link_max_age().total_seconds() // 3600),
        },
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _comment_held(comment: Comment) -> dict[str, Any]:
    """One comment as the commenter's copy shows it: the text as typed, with its article."""
    data = comment_private_data(comment)
    return {
        "id": data["id"],
        "article": {
            "title": comment.article.title,
            "url": site_url(comment.article.get_absolute_url()),
        },
        "created_at": _iso(data["created_at"]),
        "edited_at": _iso(data["edited_at"]),
        **{key: data[key] for key in ("status", "name", "email", "homepage")},
        "body": data["body_source"],
        **{key: data[key] for key in ("verified", "notify_replies", "network_address_hash_kept")},
    }


def export_commenter_data(email: str) -> dict[str, Any]:
    """Everything held about `email`: each comment with its article, and any account with
    that address. Other people's data, address hashes included, is never part of it; the
    commenter's own hash shows only as whether one is still kept."""
    address = normalised_email(email)
    comments = comments_of(address).select_related("article", "user").order_by("created_at", "id")
    accounts = User.objects.filter(email__iexact=address).order_by("date_joined", "id")
    return {
        "email": address,
        "comments": [_comment_held(comment) for comment in comments],
        "accounts": [
            {
                "username": user.username,
                "display_name": user.display_name,
                "date_joined": _iso(user.date_joined),
            }
            for user in accounts
        ],
    }


def erase_comments(
    comments: QuerySet[Comment],
    keep_bodies: bool,
    actor: User | None,
    *,
    email: str = "",
    log_comment: Comment | None = None,
) -> int:
    """Anonymise `comments` (a queryset of one commenter's comments, written with `email`
    if they gave one) as the module docstring says, through discussion's bulk change (so
    their articles' counts and cached pages follow), and log one ERASE entry. Returns how
    many comments were erased."""
    with transaction.atomic():
        ids = list(comments.select_for_update().order_by("pk").values_list("pk", flat=True))
        changes: dict[str, Any] = {
            "name": ANONYMOUS_NAME,
            "email": "",
            "homepage": "",
            "user": None,
            "email_confirmed": False,
            "notify_replies": False,
            "address_hash": "",
        }
        if not keep_bodies:
            changes.update(body_source="", body_html="", status=Comment.Status.DELETED)
        update_comments(Comment.objects.filter(pk__in=ids), **changes)
        # What moderators' decisions on these comments taught the spam model goes too.
        spamfilter.forget(Comment.objects.filter(pk__in=ids))
        log_action(
            actor,
            ModerationLogEntry.Action.ERASE,
            log_comment,
            count=len(ids),
            keep_bodies=keep_bodies,
            email_hash=email_hash(email) if email else "",
            comments=ids,
        )
    return len(ids)


def erase_commenter(email: str, keep_bodies: bool, actor: User | None = None) -> int:
    """Erase the personal data of every comment written with `email` (any case); `actor` is
    None when the commenter asked through their link. Returns the number of comments."""
    return erase_comments(comments_of(email), keep_bodies, actor, email=email)


def erase_commenter_of(comment: Comment, keep_bodies: bool, actor: User) -> int:
    """A moderator's erasure: every comment written with this comment's address (any
    case), or only this comment if it has none."""
    if comment.email:
        comments = comments_of(comment.email)
    else:
        comments = Comment.objects.filter(pk=comment.pk)
    return erase_comments(comments, keep_bodies, actor, email=comment.email, log_comment=comment)
