"""Bans, blocked terms, the moderation audit log and the classifiers' learned state.

The site's models live in the database, not in a process, so every server and worker
scores with the same knowledge.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from broadsheet.discussion.models import Comment


class BanQuerySet(models.QuerySet["Ban"]):
    def active(self) -> BanQuerySet:
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))


class Ban(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail address"
        ADDRESS = "address", "Client address (hashed)"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # A lower-cased e-mail address, or an address hash from broadsheet.lib.addresses.
    value = models.CharField(max_length=254)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"

    @property
    def is_active(self) -> bool:
        return self.expires_at is None or self.expires_at > timezone.now()


class BlockedTerm(models.Model):
    """A word or phrase, or a link domain, that holds a comment containing it."""

    class Kind(models.TextChoices):
        WORD = "word", "Word or phrase"
        DOMAIN = "domain", "Link domain"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200, help_text="Matched ignoring case.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="blocked_term_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ModerationLogEntry(models.Model):
    """Who did what to which comment, when and why. Entries are never edited or deleted
    through the site."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approved"
        UNPUBLISH = "unpublish", "Unpublished"
        SPAM = "spam", "Marked as spam"
        DELETE = "delete", "Deleted"
        BAN = "ban", "Banned"
        UNBAN = "unban", "Lifted a ban"
        ERASE = "erase", "Erased personal data"
        BLOCK_TERM = "block-term", "Blocked a term"
        UNBLOCK_TERM = "unblock-term", "Unblocked a term"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept by id as well, so the entry still names the comment if its row is ever removed.
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_log"
    )
    comment_ref = models.PositiveBigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "moderation log entries"

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"


class ClassifierState(models.Model):
    """The site's own model of one kind (moderation/classifier.py), learned from
    moderators' decisions: weights as little-endian float32 bytes, never a pickle."""

    class Kind(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Abuse"

    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)
    weights = models.BinaryField(default=b"", editable=False)
    bias = models.FloatField(default=0.0)
    decisions = models.PositiveIntegerField(default=0)
    # Score thresholds by false-positive rate, measured on held-out decisions at the last
    # retrain; empty until the site has enough of its own (the starting model's are used).
    thresholds = models.JSONField(default=dict, blank=True)
    retrained_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} model ({self.decisions} decisions)"


class FilterDecision(models.Model):
    """A moderator's last word on a comment (spam or not), so `spam-filter retrain` can
    rebuild the site's model from every decision, and forget those of an erased person."""

    class Label(models.TextChoices):
        SPAM = "spam", "Spam"
        HAM = "ham", "Not spam"

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, related_name="filter_decision"
    )
    label = models.CharField(max_length=4, choices=Label.choices)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The site's thresholds read the most recent genuine decisions after every one.
        indexes = [models.Index(fields=["label", "-decided_at"], name="decision_label_recent")]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.label}"
