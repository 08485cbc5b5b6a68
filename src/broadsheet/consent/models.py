"""Cookie categories, consent records and versioned policy pages."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from broadsheet import pagecache
from broadsheet.lib.rendering import render_article_markdown

logger = logging.getLogger(__name__)

NECESSARY = "necessary"
# The published cookie policy version is cached (it is read on every request that carries
# a consent cookie); any save or deletion of a policy page forgets it, so a new version asks
# readers again at once.
POLICY_VERSION_CACHE_KEY = "consent:cookie-policy-version"
COOKIE_POLICY = "cookie-policy"  # the page cache tag of the published cookie policy


def forget_policy_version() -> None:
    # Now, for this process, and again after the commit: a request running between the two
    # could otherwise cache the old version from the not yet committed database.
    _delete_policy_version()
    transaction.on_commit(_delete_policy_version)
    # Pages are shared per consent choice, and a new cookie policy voids every choice:
    # copies of pages kept for a choice (broadsheet/pagecache/replay.py) must go too.
    pagecache.changed(COOKIE_POLICY)


def _delete_policy_version() -> None:
    try:
        cache.delete(POLICY_VERSION_CACHE_KEY)
    except Exception:
        # The policy page is saved all the same; readers are asked again once the cached
        # version expires (consent.services.POLICY_VERSION_CACHE_SECONDS).
        logger.exception("Could not forget the cached cookie policy version.")


class CookieCategory(models.Model):
    """A purpose readers can agree to or refuse; `necessary` is always on."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField()
    cookies = models.TextField(
        blank=True,
        help_text="One cookie per line: name, then a colon and what it is for.",
    )
    always_on = models.BooleanField(
        default=False, help_text="Strictly necessary: set without asking, cannot be refused."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "cookie categories"

    def __str__(self) -> str:
        return self.name

    def cookie_list(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.cookies.splitlines():
            name, _, purpose = line.partition(":")
            if name.strip():
                rows.append((name.strip(), purpose.strip()))
        return rows


class ConsentRecord(models.Model):
    """Proof of one choice: a random id (also in the reader's cookie), what was chosen,
    under which cookie policy version, and when. No address, no account."""

    class Action(models.TextChoices):
        ACCEPT_ALL = "accept-all", "Accepted all"
        REJECT_ALL = "reject-all", "Rejected all"
        CHOOSE = "choose", "Chose categories"

    consent_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    action = models.CharField(max_length=12, choices=Action.choices)
    categories = models.JSONField(default=list)
    policy_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.consent_id} {self.action} at {self.created_at:%Y-%m-%d %H:%M}"


class PolicyPageQuerySet(models.QuerySet["PolicyPage"]):
    def published(self) -> PolicyPageQuerySet:
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())


class PolicyPage(models.Model):
    """One version of a policy page. The newest published version of a kind is current;
    earlier versions stay readable."""

    class Kind(models.TextChoices):
        PRIVACY = "privacy", "Privacy Policy"
        TERMS = "terms", "Terms & Conditions"
        COOKIES = "cookies", "Cookie Policy"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body_source = models.TextField("body", help_text="Markdown, as for articles.")
    body_html = models.TextField(editable=False, default="")
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: a draft, not shown to readers."
    )
    needs_review = models.BooleanField(
        default=False,
        help_text="Shipped sample text: readers see a notice until someone responsible has "
        "reviewed and adapted it.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = PolicyPageQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="policy_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_html = render_article_markdown(self.body_source)
        super().save(*args, **kwargs)
        forget_policy_version()

    def get_absolute_url(self) -> str:
        return reverse("consent:policy-version", args=[self.kind, self.version])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        forget_policy_version()
        return deleted

    def current_url(self) -> str:
        """The address that always shows the current version of this kind of page."""
        routes = {
            self.Kind.PRIVACY: "consent:privacy",
            self.Kind.TERMS: "consent:terms",
            self.Kind.COOKIES: "consent:cookie-policy",
        }
        return reverse(routes[self.Kind(self.kind)])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()
