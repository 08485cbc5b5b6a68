from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What the Editors group may do here: read (and export) consent records, write policy
# pages (new versions; never delete one), and edit the cookie categories' texts.
EDITORS_GROUP = "Editors"
EDITOR_PERMISSIONS = [
    "view_consentrecord",
    "add_policypage",
    "change_policypage",
    "view_policypage",
    "change_cookiecategory",
]


def grant_editor_permissions(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Give the Editors group (created here if publishing has not yet) this app's editor
    permissions. The group is named, not imported: consent uses no other domain app."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate calls receivers in the order they were connected, and this app comes
    # before django.contrib.auth, so on a fresh database auth has not yet created this
    # app's permissions: create them first (it is idempotent).
    create_permissions(sender, verbosity=0, using=using)
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label=sender.label, codename__in=EDITOR_PERMISSIONS
    )
    group.permissions.add(*permissions)


class ConsentConfig(AppConfig):
    name = "broadsheet.consent"
    verbose_name = "Consent and policies"

    def ready(self) -> None:
        from broadsheet.lib.page_cache import varies_with_cookie

        from .services import COOKIE_NAME

        post_migrate.connect(grant_editor_permissions, sender=self)
        # Each choice gets its own shared pages (the notice, embeds, analytics).
        varies_with_cookie(COOKIE_NAME)
