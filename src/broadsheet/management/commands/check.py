"""`broadsheet check`: Django's check command, checking every database unless told which.

Django 5.2 gives checks tagged "database" only the aliases named with `--database`, so a
plain `check` would never try the database and could not say it is unreachable
(broadsheet/checks.py). Without `--database` this one passes every configured alias, as
Django 6.0's check does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands.check import Command as DjangoCheckCommand


class Command(DjangoCheckCommand):
    def handle(self, *app_labels: Any, **options: Any) -> None:
        if not options.get("databases"):
            options["databases"] = list(settings.DATABASES)
        super().handle(*app_labels, **options)
