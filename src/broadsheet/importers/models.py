"""What imports remember: which site object each source item became, and old addresses.

`ImportedItem` makes an import repeatable: a second run of the same source finds the
objects the first made and updates them. `Redirect` answers the old site's addresses with
a permanent redirect to the imported article (see `middleware.py`).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from broadsheet.publishing.models import Article


class ImportedItem(models.Model):
    """One item of a source (a WordPress post, a Drupal comment) and the object it became.

    `source` names the import, e.g. "wxr:https://example.org" or "drupal:newsroom";
    `kind` the record type ("account", "article", "comment", "policy"); `object_id` the
    pk of the site object of that kind (User, Article, Comment, PolicyPage)."""

    source = models.CharField(max_length=200)
    kind = models.CharField(max_length=20)
    source_id = models.CharField(max_length=200)
    object_id = models.PositiveBigIntegerField()
    # A fingerprint of the record as last stored: an unchanged item is not written again.
    fingerprint = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="imported_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.source_id} → {self.object_id}"


class Redirect(models.Model):
    """An address of the old site (path, and query string if it had one: "/?p=12")."""

    old_path = models.CharField(max_length=500, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["old_path"]

    def __str__(self) -> str:
        return f"{self.old_path} → article {self.article_id}"
