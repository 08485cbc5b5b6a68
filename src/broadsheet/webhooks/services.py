"""The webhook outbox: an app hands it an event's name and a payload, it does the rest.

Webhooks are a bottom layer, beside lib: they know no article and no comment. The apps that
own the objects decide what a change means and build what a receiver learns of it
(publishing.services for an article's life, discussion.services for a comment's), and call
`queue_event_on_commit()` with one of the names in `models.Event`. The event is queued in an
`on_commit` hook of the caller's transaction, so a change rolled back announces nothing and
the write transaction (the comment post's above all) does no extra work; a process that dies
between the commit and the hook loses that event (see docs/webhooks.md). The hook writes one
WebhookDelivery row and one task row per subscribed endpoint; the worker sends them
(`tasks.deliver_webhook`). Nothing here touches the network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from broadsheet.lib.versioned import Versioned

from .models import WebhookDelivery, WebhookEndpoint
from .tasks import deliver_webhook

# What a receiver learns, keyed by the kind of object ("article" or "comment"); public facts
# only, never an e-mail address or a client address hash. Built by the app that owns the
# object, or a function that builds it: called only if some endpoint wants the event, since
# building one may cost a query (an article's bylines).
Payload = dict[str, Any]
PayloadSource = Payload | Callable[[], Payload]


def _load_active_endpoints() -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(active=True))


# Read after every comment post; kept per process and loaded again when an endpoint is
# saved or deleted (WebhooksConfig.ready), so most sites, which have none, pay no query.
active_endpoints = Versioned("webhook-endpoints", _load_active_endpoints)


def queue_event(event: str, payload: PayloadSource) -> list[WebhookDelivery]:
    """Log a delivery of `event` for every active endpoint that subscribes to it and queue
    each for the worker, in one transaction, now. For a change inside a transaction, use
    `queue_event_on_commit()`."""
    endpoints = [e for e in active_endpoints.get() if e.receives(event)]
    deliveries: list[WebhookDelivery] = []
    if not endpoints:
        # No transaction at all: on SQLite even an empty one takes the write lock, which
        # every comment post after this one would wait for.
        return deliveries
    body = {"event": event, **(payload() if callable(payload) else payload)}
    with transaction.atomic():
        for endpoint in endpoints:
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                payload=body,
                next_attempt_at=timezone.now(),
            )
            deliver_webhook.enqueue(delivery_id=delivery.pk, attempt=1)
            deliveries.append(delivery)
    return deliveries


def queue_event_on_commit(event: str, payload: PayloadSource) -> None:
    """Queue `event` once the caller's transaction commits (at once outside one), and not
    at all if it rolls back."""
    # robust: an error queueing a webhook is logged, never turned into a failed request
    # for a change that has already been committed.
    transaction.on_commit(lambda: queue_event(event, payload), robust=True)
