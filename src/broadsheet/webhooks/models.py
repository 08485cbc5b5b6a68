"""Webhook endpoints editors configure, and the log of every delivery to them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone


class Event(models.TextChoices):
    """Every event an endpoint may subscribe to: the names the apps that announce them
    (publishing, discussion) and the outbox agree on."""

    ARTICLE_PUBLISHED = "article.published", "Article published"
    ARTICLE_UPDATED = "article.updated", "Article updated"
    ARTICLE_UNPUBLISHED = "article.unpublished", "Article unpublished"
    COMMENT_HELD = "comment.held", "Comment held for moderation"
    COMMENT_PUBLISHED = "comment.published", "Comment published"


def new_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(models.Model):
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Where events are POSTed as JSON; http or https.",
    )
    # Shown to editors in the admin so they can give it to the receiver; never sent.
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    events = models.JSONField(default=list, help_text="The events this endpoint receives.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.url

    def receives(self, event: str) -> bool:
        return self.active and event in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint: its payload, and how each attempt to send it went."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=Event.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(
        "last response status", null=True, blank=True
    )
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["endpoint", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id} at {self.created_at:%Y-%m-%d %H:%M}"
