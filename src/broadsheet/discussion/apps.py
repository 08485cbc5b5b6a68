from __future__ import annotations

from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "broadsheet.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from . import invalidation

        invalidation.connect()
