from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "broadsheet.api"
    label = "broadsheet_api"
    verbose_name = "API"
