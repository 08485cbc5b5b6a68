from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PublishingConfig(AppConfig):
    name = "broadsheet.publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from . import invalidation
        from .services import ensure_editors_group

        invalidation.connect()

        # Permissions only exist after migrate has created them, so the group is (re)built
        # after every migrate rather than in a data migration.
        post_migrate.connect(ensure_editors_group, sender=self)
