"""Reader comments.

A comment belongs to an article and may reply to another comment. `thread` points at the
top-level comment of its thread (itself for a top-level one), so one query fetches whole
threads for a page; `depth` is 0 for a top-level comment.

A comment's body is Markdown, or for an imported one (`body_format`) the HTML the source
site stored, sanitised to the comment allow-list rather than rendered.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from broadsheet.lib.rendering import render_comment_markdown, sanitise_comment_html
from broadsheet.publishing.models import Article


class CommentQuerySet(models.QuerySet["Comment"]):
    def published(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.PUBLISHED)


class Comment(models.Model):
    class Status(models.TextChoices):
        HELD = "held", "Held for review"
        PUBLISHED = "published", "Published"
        SPAM = "spam", "Spam"
        DELETED = "deleted", "Deleted"

    class BodyFormat(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML (imported)"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    # Removing a comment for good removes its replies too (as in Drupal); moderators remove
    # comments by status, which keeps the replies and shows a placeholder.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(default=0)

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, help_text="Never shown to readers.")
    homepage = models.URLField(blank=True, max_length=500)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    email_confirmed = models.BooleanField(
        default=False, help_text="The commenter proved they read this address's mail."
    )

    body_source = models.TextField("comment")
    # The text readers saw before an edit that screening held: kept until a moderator
    # publishes the comment again, so the queue can show what the edit changed.
    body_before_edit = models.TextField(blank=True, default="", editable=False)
    body_html = models.TextField(editable=False, default="")
    # "html" only for imported comments: their source is the old site's HTML, which
    # Markdown would show as tags and entities.
    body_format = models.CharField(
        max_length=10,
        choices=BodyFormat.choices,
        default=BodyFormat.MARKDOWN,
        editable=False,
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    notify_replies = models.BooleanField(default=False)
    reply_notice_sent = models.BooleanField(
        default=False, editable=False, help_text="The parent's author was told of this reply."
    )
    # HMAC of the client address (see broadsheet.lib.addresses), cleared after
    # COMMENT_ADDRESS_RETENTION_DAYS; the address itself is never stored.
    address_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Why the comment was held or taken for spam (e.g. "anonymous", "too-fast", "links"),
    # written when it is posted so moderators can see the reasons in the queue.
    held_reasons = models.JSONField(default=list, blank=True)
    spam_score = models.FloatField(
        null=True, blank=True, help_text="The learning filter's score, 0 (ham) to 1 (spam)."
    )
    abuse_score = models.FloatField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The abuse model's score, 0 (civil) to 1 (insult, threat, identity attack "
        "or obscenity).",
    )

    objects = CommentQuerySet.as_manager()

    # The (format, text) body_html was last rendered from by render_body(); not a field.
    _rendered_from: tuple[str, str] | None = None

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("moderate_comment", "Can moderate readers' comments")]
        indexes = [
            models.Index(fields=["article", "status", "depth", "created_at"]),
            models.Index(fields=["thread", "status"]),
            models.Index(fields=["email", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.article_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        # The stored HTML follows the text: a change of status alone (every moderator's
        # action) does not render a long comment again, and nor does a save after
        # render_body() of the same text.
        if update_fields is None or {"body_source", "body_format"} & set(update_fields):
            if self._rendered_from != (self.body_format, self.body_source):
                self.render_body()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)
        if self.thread_id is None and self.parent_id is None:
            # A top-level comment is its own thread; its id exists only after the insert.
            type(self).objects.filter(pk=self.pk).update(thread=self.pk)
            self.thread_id = self.pk

    def get_absolute_url(self) -> str:
        return reverse("discussion:permalink", args=[self.pk])

    def rendered_body(self) -> str:
        if self.body_format == self.BodyFormat.HTML:
            return sanitise_comment_html(self.body_source)
        return render_comment_markdown(self.body_source)

    def render_body(self) -> None:
        """Set body_html from the text now, so that the save() that follows need not:
        discussion's services render before they take the write lock, not under it."""
        self.body_html = self.rendered_body()
        self._rendered_from = (self.body_format, self.body_source)

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_verified(self) -> bool:
        """Shown without "(not verified)": a registered commenter, or a confirmed address."""
        return self.user_id is not None or self.email_confirmed

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
