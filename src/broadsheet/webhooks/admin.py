"""Webhook endpoints (editors configure them) and the delivery log (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import Event, WebhookDelivery, WebhookEndpoint
from .tasks import deliver_webhook


class WebhookEndpointForm(forms.ModelForm[WebhookEndpoint]):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where events are POSTed as JSON; http or https.",
    )
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The events this endpoint receives.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "events", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    form = WebhookEndpointForm
    list_display = ["url", "event_list", "active", "created_by", "created_at"]
    list_filter = ["active"]
    readonly_fields = ["secret", "created_by", "created_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The secret exists once the endpoint is saved; the receiver needs it to verify.
        return ["url", "events", "active", *(["secret", "created_by", "created_at"] if obj else [])]

    @admin.display(description="Events")
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        labels = dict(Event.choices)
        return ", ".join(str(labels.get(event, event)) for event in endpoint.events)

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: Any
    ) -> None:
        if not change and request.user.is_authenticated:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = [
        "created_at",
        "event",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = readonly_fields = (
        "endpoint",
        "event",
        "status",
        "attempts",
        "response_status",
        "last_error",
        "next_attempt_at",
        "created_at",
        "last_attempt_at",
        "delivered_at",
        "payload",
    )

    # The log is evidence: nobody adds or edits a delivery.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_send_again_permission(self, request: HttpRequest) -> bool:
        # Whoever may configure endpoints may resend to them.
        return request.user.has_perm("webhooks.change_webhookendpoint")

    @admin.action(description="Send again", permissions=["send_again"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        """Queue the selected deliveries afresh (same id and payload, so a receiver can
        tell a repeat); those still pending are left to their own retries."""
        count = 0
        with transaction.atomic():
            for delivery in queryset.exclude(status=WebhookDelivery.Status.PENDING):
                delivery.status = WebhookDelivery.Status.PENDING
                delivery.attempts = 0
                delivery.next_attempt_at = timezone.now()
                delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
                deliver_webhook.enqueue(delivery_id=delivery.pk, attempt=1)
                count += 1
        self.message_user(
            request,
            f"Queued {count} deliver{'y' if count == 1 else 'ies'} to be sent again.",
            messages.SUCCESS,
        )
