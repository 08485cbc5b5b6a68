from __future__ import annotations

from django.apps import AppConfig


class BroadsheetConfig(AppConfig):
    """The project package as an app: base templates, static files and site-wide commands."""

    name = "broadsheet"
    verbose_name = "Broadsheet"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the site-wide system checks)
