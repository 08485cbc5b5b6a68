"""The user model: Django's, plus the name shown publicly and the state of the address.

Display names are unique by `names.name_key()`, stored in `display_name_key` so the database
enforces it; the key is filled on every save.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .names import DISPLAY_NAME_MAX_LENGTH, NAME_KEY_MAX_LENGTH, name_key

DISPLAY_NAME_TAKEN = "Someone already uses this name, or one that looks just like it."


class User(AbstractUser):
    display_name = models.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        blank=True,
        help_text="Shown publicly, e.g. on 'Submitted by …'. Falls back to the username.",
    )
    # Null, not "", for users without a display name, so they don't collide in the index.
    display_name_key = models.CharField(
        max_length=NAME_KEY_MAX_LENGTH,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The display name as compared for uniqueness: case and look-alikes folded.",
    )
    email_confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the owner followed the confirmation link sent to the current address.",
    )

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def can_comment_as_registered(self) -> bool:
        return self.is_active and self.email_confirmed_at is not None

    def clean(self) -> None:
        super().clean()
        key = self.computed_display_name_key()
        if key and User.objects.filter(display_name_key=key).exclude(pk=self.pk).exists():
            raise ValidationError({"display_name": DISPLAY_NAME_TAKEN})

    def computed_display_name_key(self) -> str | None:
        return name_key(self.display_name) or None

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.display_name_key = self.computed_display_name_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "display_name_key"}
        super().save(*args, **kwargs)

    def confirm_email(self, address: str) -> bool:
        """Mark `address` confirmed if it is still this account's address; True when it is
        now (or was already) confirmed. The check and the write are one UPDATE, so an
        address changed in the meantime can never be confirmed by an old link."""
        now = timezone.now()
        matching = User.objects.filter(pk=self.pk, email=address, is_active=True)
        if matching.filter(email_confirmed_at__isnull=True).update(email_confirmed_at=now):
            self.email_confirmed_at = now
            return True
        return matching.filter(email_confirmed_at__isnull=False).exists()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token for the JSON API, acting with its owner's current permissions.

    The token itself is shown once, when it is made; only `prefix` (to find the row and to
    tell tokens apart in lists) and the SHA-256 of the whole token are stored. A token is
    random (secrets.token_urlsafe), so an unsalted fast hash is enough: there is nothing
    to guess from a dictionary. Revoking keeps the row, so the list shows what existed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    prefix = models.CharField(max_length=8, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
