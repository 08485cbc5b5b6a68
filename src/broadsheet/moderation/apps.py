from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ModerationConfig(AppConfig):
    name = "broadsheet.moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Ban, BlockedTerm
        from .screening import blocked_terms_changed
        from .services import bans_changed, ensure_moderators_group

        # Permissions exist only after migrate has created them (as for Editors).
        post_migrate.connect(ensure_moderators_group, sender=self)
        for signal in (post_save, post_delete):
            signal.connect(bans_changed, sender=Ban, dispatch_uid=f"bans-{signal is post_save}")
            signal.connect(
                blocked_terms_changed,
                sender=BlockedTerm,
                dispatch_uid=f"blocked-terms-{signal is post_save}",
            )
