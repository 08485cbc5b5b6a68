from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "broadsheet.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import signals

        signals.connect()
