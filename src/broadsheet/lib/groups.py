"""Groups given an app's permissions after every migrate (apps name the group, they do
not import the app that also uses it)."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def grant_after_migrate(config: AppConfig, group_name: str, codenames: list[str]) -> None:
    """After every migrate, give `group_name` (made if missing) these permissions of
    `config`'s app. Called from the app's ready()."""

    def grant(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
        from django.contrib.auth.management import create_permissions
        from django.contrib.auth.models import Group, Permission

        # post_migrate calls receivers in the order they were connected, and our apps
        # come before django.contrib.auth, so on a fresh database auth has not yet
        # created this app's permissions: create them first (it is idempotent).
        create_permissions(sender, verbosity=0, using=using)
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        permissions = Permission.objects.using(using).filter(
            content_type__app_label=sender.label, codename__in=codenames
        )
        group.permissions.add(*permissions)

    post_migrate.connect(
        grant, sender=config, weak=False, dispatch_uid=f"grant:{config.label}:{group_name}"
    )
