from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

# Editors configure endpoints and read the delivery log; nobody edits a delivery.
EDITORS_GROUP = "Editors"
EDITOR_PERMISSIONS = [
    "add_webhookendpoint",
    "change_webhookendpoint",
    "delete_webhookendpoint",
    "view_webhookendpoint",
    "view_webhookdelivery",
]


def grant_editor_permissions(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Give the Editors group (created here if publishing has not yet) this app's editor
    permissions."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # On a fresh database auth has not yet created this app's permissions when
    # post_migrate reaches us: create them first (it is idempotent).
    create_permissions(sender, verbosity=0, using=using)
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS_GROUP)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label=sender.label, codename__in=EDITOR_PERMISSIONS
    )
    group.permissions.add(*permissions)


class WebhooksConfig(AppConfig):
    name = "broadsheet.webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        post_migrate.connect(grant_editor_permissions, sender=self)
