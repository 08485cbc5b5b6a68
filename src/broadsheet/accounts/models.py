"""The user model: Django's, plus the name shown publicly on articles and comments."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    display_name = models.CharField(
        max_length=80,
        blank=True,
        help_text="Shown publicly, e.g. on 'Submitted by …'. Falls back to the username.",
    )

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username
