"""Moderators' actions on comments, each written to the audit log, and bans.

`moderate()` is the one way a moderator changes a comment: it sets the status through
discussion's services (so counts and reply notices follow), teaches the spam filter when
the decision is about spam, and logs who did what and why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion import services as discussion
from broadsheet.discussion.models import Comment
from broadsheet.lib.versioned import Versioned

from . import spamfilter
from .models import Ban, BlockedTerm, FilterDecision, ModerationLogEntry

MODERATORS_GROUP = "Moderators"
MODERATOR_PERMISSIONS = [
    ("discussion", "moderate_comment"),
    ("discussion", "view_comment"),
    ("moderation", "view_ban"),
    ("moderation", "add_ban"),
    ("moderation", "change_ban"),
    ("moderation", "view_blockedterm"),
    ("moderation", "add_blockedterm"),
    ("moderation", "delete_blockedterm"),
    ("moderation", "view_moderationlogentry"),
]

# action -> the status it gives the comment, and what the filter learns from it
ACTIONS: dict[str, tuple[str, str | None]] = {
    ModerationLogEntry.Action.APPROVE: (Comment.Status.PUBLISHED, FilterDecision.Label.HAM),
    ModerationLogEntry.Action.UNPUBLISH: (Comment.Status.HELD, None),
    ModerationLogEntry.Action.SPAM: (Comment.Status.SPAM, FilterDecision.Label.SPAM),
    ModerationLogEntry.Action.DELETE: (Comment.Status.DELETED, None),
}


def ensure_moderators_group(**kwargs: Any) -> Group:
    """Create or update the Moderators group with the permissions moderating needs."""
    # post_migrate reaches this app before django.contrib.auth has created the permissions
    # of a fresh database; creating them here first is idempotent.
    for label in ("discussion", "moderation"):
        create_permissions(apps.get_app_config(label), verbosity=0)
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    query = Q(pk__in=[])
    for app_label, codename in MODERATOR_PERMISSIONS:
        query |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(query))
    return group


def is_moderator(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm("discussion.moderate_comment"))


def log_action(
    actor: User | None,
    action: str,
    comment: Comment | None = None,
    reason: str = "",
    **details: Any,
) -> ModerationLogEntry:
    return ModerationLogEntry.objects.create(
        actor=actor,
        action=action,
        comment=comment,
        comment_ref=comment.pk if comment else None,
        reason=reason,
        details=details,
    )


def moderate(
    comment: Comment, action: str, actor: User, reason: str = "", *, teach: bool = True
) -> Comment:
    """Approve, unpublish, mark as spam or delete a comment, and log it. The spam filter
    learns from an approval or a spam mark unless `teach` is off (the rest of a group of
    near-duplicates, which counts as one decision)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown moderation action {action!r}.")
    status, label = ACTIONS[action]
    with transaction.atomic():
        previous = comment.status
        discussion.set_status(comment, status)
        if label is not None and teach:
            spamfilter.learn(comment, label)
        log_action(actor, action, comment, reason, previous_status=previous)
    return comment


def ban_commenter(
    comment: Comment,
    actor: User,
    *,
    reason: str = "",
    expires_at: dt.datetime | None = None,
) -> list[Ban]:
    """Ban the comment's e-mail address and address hash (where known), and remove the
    comment. Later posts from either are stored as spam."""
    bans = []
    with transaction.atomic():
        if comment.email:
            bans.append(
                Ban.objects.create(
                    kind=Ban.Kind.EMAIL,
                    value=comment.email.lower(),
                    reason=reason,
                    created_by=actor,
                    expires_at=expires_at,
                )
            )
        if comment.address_hash:
            bans.append(
                Ban.objects.create(
                    kind=Ban.Kind.ADDRESS,
                    value=comment.address_hash,
                    reason=reason,
                    created_by=actor,
                    expires_at=expires_at,
                )
            )
        log_action(
            actor,
            ModerationLogEntry.Action.BAN,
            comment,
            reason,
            bans=[ban.pk for ban in bans],
            expires_at=expires_at.isoformat() if expires_at else None,
        )
        if comment.status != Comment.Status.DELETED:
            moderate(comment, ModerationLogEntry.Action.DELETE, actor, reason or "Banned")
    return bans


def ban_email(
    email: str, actor: User, *, reason: str = "", expires_at: dt.datetime | None = None
) -> Ban:
    """Ban an e-mail address with no comment in hand (the API's bans); logged as a ban."""
    with transaction.atomic():
        ban = Ban.objects.create(
            kind=Ban.Kind.EMAIL,
            value=email.strip().lower(),
            reason=reason,
            created_by=actor,
            expires_at=expires_at,
        )
        log_action(
            actor,
            ModerationLogEntry.Action.BAN,
            None,
            reason,
            bans=[ban.pk],
            expires_at=expires_at.isoformat() if expires_at else None,
        )
    return ban


def lift_ban(ban: Ban, actor: User, reason: str = "") -> None:
    with transaction.atomic():
        ban.expires_at = timezone.now()
        ban.save(update_fields=["expires_at"])
        log_action(actor, ModerationLogEntry.Action.UNBAN, None, reason, ban=ban.pk)


def _load_active_bans() -> dict[tuple[str, str], dt.datetime | None]:
    """(kind, value) of every active ban, with when it ends (None: never)."""
    ends: dict[tuple[str, str], dt.datetime | None] = {}
    for kind, value, expires_at in Ban.objects.active().values_list("kind", "value", "expires_at"):
        known = ends.get((kind, value), expires_at)
        if known is None or expires_at is None:
            ends[(kind, value)] = None
        else:
            ends[(kind, value)] = max(known, expires_at)
    return ends


# Every comment post asks is_banned(): kept per process, loaded again whenever a ban is
# made, lifted or deleted (ModerationConfig.ready), so the next post sees it everywhere.
active_bans = Versioned("active-bans", _load_active_bans)


def is_banned(email: str, address_hash: str) -> bool:
    """Whether an active ban matches this e-mail address or address hash."""
    ends = active_bans.get()
    now = timezone.now()
    for key in ((Ban.Kind.EMAIL, email.lower()), (Ban.Kind.ADDRESS, address_hash)):
        if key[1] and key in ends and ((end := ends[key]) is None or end > now):
            return True
    return False


def active_ban_for(email: str, address_hash: str) -> Ban | None:
    """The active ban matching this e-mail address or address hash, if any."""
    query = Q(pk__in=[])
    if email:
        query |= Q(kind=Ban.Kind.EMAIL, value=email.lower())
    if address_hash:
        query |= Q(kind=Ban.Kind.ADDRESS, value=address_hash)
    # No ORDER BY (which .first() would add): any matching ban will do, and this runs on
    # every comment post.
    return next(iter(Ban.objects.active().filter(query).order_by()[:1]), None)


def block_term(kind: str, value: str, actor: User, reason: str = "") -> BlockedTerm:
    with transaction.atomic():
        term = BlockedTerm.objects.create(kind=kind, value=value, created_by=actor)
        log_action(
            actor, ModerationLogEntry.Action.BLOCK_TERM, None, reason, kind=kind, value=value
        )
    return term


def unblock_term(term: BlockedTerm, actor: User, reason: str = "") -> None:
    with transaction.atomic():
        log_action(
            actor,
            ModerationLogEntry.Action.UNBLOCK_TERM,
            None,
            reason,
            kind=term.kind,
            value=term.value,
        )
        term.delete()
