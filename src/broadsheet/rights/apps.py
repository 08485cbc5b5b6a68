from __future__ import annotations

from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "broadsheet.rights"
    verbose_name = "Commenters' data rights"
