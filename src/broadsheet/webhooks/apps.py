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
        from django.db.models.signals import post_delete, post_save

        from .models import WebhookEndpoint
        from .services import endpoints_changed

        grant_after_migrate(self, EDITORS_GROUP, EDITOR_PERMISSIONS)
        post_save.connect(endpoints_changed, sender=WebhookEndpoint, dispatch_uid="endpoints")
        post_delete.connect(endpoints_changed, sender=WebhookEndpoint, dispatch_uid="endpoints-del")
