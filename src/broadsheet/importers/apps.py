from __future__ import annotations

from django.apps import AppConfig


class ImportersConfig(AppConfig):
    """Importing from other systems (WordPress, Drupal, Disqus) and exporting again."""

    name = "broadsheet.importers"
    verbose_name = "Imports"
