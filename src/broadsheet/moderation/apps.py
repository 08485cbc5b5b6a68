from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ModerationConfig(AppConfig):
    name = "broadsheet.moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from .models import Ban, BlockedTerm
        from .screening import blocked_terms
        from .services import active_bans, ensure_moderators_group

        # Permissions exist only after migrate has created them (as for Editors).
        post_migrate.connect(ensure_moderators_group, sender=self)
        active_bans.follow(Ban)
        blocked_terms.follow(BlockedTerm)
