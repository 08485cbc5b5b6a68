from __future__ import annotations

from django.apps import AppConfig

from broadsheet.lib.groups import grant_after_migrate

# Editors configure endpoints and read the delivery log; nobody edits a delivery.
EDITORS_GROUP = "Editors"
EDITOR_PERMISSIONS = [
    "add_webhookendpoint",
    "change_webhookendpoint",
    "delete_webhookendpoint",
    "view_webhookendpoint",
    "view_webhookdelivery",
]


class WebhooksConfig(AppConfig):
    name = "broadsheet.webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from .models import WebhookEndpoint
        from .services import active_endpoints

        grant_after_migrate(self, EDITORS_GROUP, EDITOR_PERMISSIONS)
        active_endpoints.follow(WebhookEndpoint)
