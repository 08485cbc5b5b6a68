"""Articles, byline authors, topics and article revisions.

An article's submitter is an account; its byline authors are people who need not have one.
Bodies are Markdown rendered to sanitised HTML when saved, and stored beside the source.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from broadsheet.lib.rendering import html_to_text, render_article_markdown


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:topic", args=[self.slug])


class Author(models.Model):
    """A byline: a person credited with writing, with or without an account."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True, help_text="A sentence or two, plain text.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="Optional: the account of this person, if they have one.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("publishing:author", args=[self.slug])


class ArticleQuerySet(models.QuerySet["Article"]):
    def live(self) -> ArticleQuerySet:
        """Articles readers may see now. A scheduled article turns live when its time comes:
        the query decides, so no worker has to flip a flag."""
        return self.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED],
            published_at__lte=timezone.now(),
        )

    def not_live(self) -> ArticleQuerySet:
        return self.exclude(pk__in=self.live().values("pk"))

    def with_bylines(self) -> ArticleQuerySet:
        """Bylines in order with their authors, for `byline_authors()`: one query more,
        however many articles and authors."""
        return self.prefetch_related(
            models.Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author").order_by("position", "id"),
            )
        )

    def with_relations(self) -> ArticleQuerySet:
        """Submitter, bylines (in order) and topics in a fixed number of queries."""
        return self.select_related("submitted_by").with_bylines().prefetch_related("topics")

    def for_listing(self) -> ArticleQuerySet:
        """What list pages show: summaries with bylines. No bodies, and no topics or
        submitter, which a summary does not show: fetching them would cost a query on
        every list page for nothing."""
        return self.with_bylines().defer("body_source", "body_html", "body_text")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    class Comments(models.TextChoices):
        OPEN = "open", "Open: readers may comment"
        CLOSED = "closed", "Closed: comments shown, no new ones"
        HIDDEN = "hidden", "Hidden: no comments shown"

    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True, help_text="The article's address.")
    standfirst = models.TextField(
        blank=True, max_length=600, help_text="A sentence or two under the title and in lists."
    )
    body_source = models.TextField("body", blank=True, help_text="Markdown.")
    body_html = models.TextField(editable=False, default="")
    body_text = models.TextField(editable=False, default="")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_articles"
    )
    authors: models.ManyToManyField[Author, Byline] = models.ManyToManyField(
        Author, through="Byline", related_name="articles"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When readers first see it; in the future to schedule."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    comments_mode = models.CharField(
        "comments", max_length=10, choices=Comments.choices, default=Comments.OPEN
    )
    # Published reader comments, kept by the discussion app so list pages need no count query.
    comment_count = models.PositiveIntegerField(default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_time",
                violation_error_message="A scheduled or published article needs a publish time.",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_html = render_article_markdown(self.body_source)
        self.body_text = html_to_text(self.body_html)
        self.updated_at = timezone.now()
        if self.status != self.Status.DRAFT and self.published_at is None:
            self.published_at = self.updated_at
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body_html", "body_text", "updated_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("publishing:article", args=[self.slug])

    @property
    def is_live(self) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def public_status(self) -> str:
        """What a reader would experience now: draft, scheduled (not yet) or published."""
        if self.status == self.Status.DRAFT:
            return "draft"
        return "published" if self.is_live else "scheduled"

    def publish(self, at: Any = None) -> None:
        """Publish now, or schedule for `at` when it lies in the future."""
        self.published_at = at or self.published_at or timezone.now()
        if self.published_at > timezone.now():
            self.status = self.Status.SCHEDULED
        else:
            self.status = self.Status.PUBLISHED
        self.save()

    def unpublish(self) -> None:
        self.status = self.Status.DRAFT
        self.save()

    def byline_authors(self) -> list[Author]:
        """Byline authors in order, using prefetched bylines when present."""
        return [byline.author for byline in self.bylines.all()]


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="byline_once_per_article")
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.article}"


class ArticleRevision(models.Model):
    """A snapshot of an article's editable fields, kept at every save in the admin."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    created_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    data = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.article} at {self.created_at:%Y-%m-%d %H:%M}"
