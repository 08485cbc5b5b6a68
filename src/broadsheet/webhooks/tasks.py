"""Delivering webhooks from the worker: signed POSTs, retried with backoff, all logged.

`deliver_webhook(delivery_id, attempt)` sends one WebhookDelivery. The row is claimed by
moving its attempt count from `attempt - 1` to `attempt` in one UPDATE, so a task that is
stale (the delivery was sent again from the admin, or already settled) does nothing. The
POST carries the JSON payload and the headers Broadsheet-Event, Broadsheet-Delivery,
Broadsheet-Timestamp and Broadsheet-Signature: `v1=` and the hex HMAC-SHA256 of
"<timestamp>.<body>" keyed with the endpoint's secret.

A 2xx answer is delivered. Any other status, a timeout or a connection error is retried:
the task queues itself again with `run_after` WEBHOOK_RETRY_BASE_SECONDS *
2**(attempt - 1) later (capped at six hours), and the delivery is left pending with that
time as `next_attempt_at`; after WEBHOOK_MAX_ATTEMPTS it is failed. An address the site
must not reach (not http(s), or resolving to a private, loopback, link-local or otherwise
non-public address while WEBHOOK_ALLOW_PRIVATE_ADDRESSES is off) fails at once: trying
again would not change the answer. The host is resolved here, at delivery time, and the
connection goes to the address that was checked, so a name cannot be re-pointed between
the check and the connect.

Tasks are found again by dotted path (`broadsheet.webhooks.tasks.deliver_webhook`): rows
already queued keep it, so moving the function strands them.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import WebhookDelivery

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 6 * 60 * 60
USER_AGENT = "Broadsheet-Webhooks/1"


def timeout_seconds() -> float:
    return float(settings.WEBHOOK_TIMEOUT_SECONDS)


def max_attempts() -> int:
    return int(settings.WEBHOOK_MAX_ATTEMPTS)


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1 for the first)."""
    seconds = int(settings.WEBHOOK_RETRY_BASE_SECONDS) * 2 ** (attempt - 1)
    return timedelta(seconds=min(seconds, MAX_RETRY_DELAY_SECONDS))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The Broadsheet-Signature header's value for this body sent at `timestamp`."""
    signed = timestamp.encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class RefusedAddress(Exception):
    """The endpoint's address is one the site will not send to; retrying cannot help."""


def checked_address(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, IP address to connect to) for `url`, after resolving the host;
    RefusedAddress if any address it resolves to is not public (unless allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RefusedAddress(f"Only http and https URLs are delivered to, not {url!r}.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"Cannot resolve {parts.hostname}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            mapped = getattr(ip, "ipv4_mapped", None)
            if not (mapped or ip).is_global or ip.is_multicast:
                raise RefusedAddress(
                    f"{parts.hostname} resolves to {address}, which is not a public "
                    "address (WEBHOOK_ALLOW_PRIVATE_ADDRESSES is off)."
                )
    return parts.scheme, parts.hostname, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address already checked, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address already checked; the certificate is verified for the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to `url` and return the response status; raises on network errors."""
    scheme, host, port, address = checked_address(url)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout_seconds())
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        # The answer's body is not wanted, and a large one must not hold the worker.
        response.read(1024)
        return response.status
    finally:
        connection.close()


@task()
def deliver_webhook(delivery_id: int, attempt: int) -> dict[str, Any]:
    """Make attempt number `attempt` at one delivery; on failure queue the next or give up."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, attempts=attempt - 1
    ).update(attempts=attempt, last_attempt_at=now)
    if not claimed:
        return {"skipped": True, "attempt": attempt}
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint

    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Broadsheet-Event": delivery.event,
        "Broadsheet-Delivery": str(delivery.pk),
        "Broadsheet-Timestamp": timestamp,
        "Broadsheet-Signature": signature(endpoint.secret, timestamp, body),
    }
    status: int | None = None
    retry = True
    if not endpoint.active:
        error, retry = "The endpoint is switched off.", False
    else:
        try:
            status = post(endpoint.url, body, headers)
        except RefusedAddress as exc:
            error, retry = str(exc), False
        except (OSError, http.client.HTTPException) as exc:  # timeouts are OSErrors too
            error = f"{type(exc).__name__}: {exc}"
        else:
            error = "" if 200 <= status < 300 else f"The endpoint answered {status}."

    delivery.response_status = status
    delivery.last_error = error
    with transaction.atomic():  # the log row and the next attempt's task row together
        _settle(delivery, attempt, error, retry)
    return {"status": delivery.status, "attempt": attempt, "response_status": status}


def _settle(delivery: WebhookDelivery, attempt: int, error: str, retry: bool) -> None:
    endpoint = delivery.endpoint
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif retry and attempt < max_attempts():
        delivery.next_attempt_at = timezone.now() + retry_delay(attempt)
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(
            delivery_id=delivery.pk, attempt=attempt + 1
        )
        logger.warning(
            "Webhook delivery %d (%s to %s) failed on attempt %d of %d: %s; retrying after %s",
            delivery.pk,
            delivery.event,
            endpoint.url,
            attempt,
            max_attempts(),
            error,
            delivery.next_attempt_at.isoformat(timespec="seconds"),
        )
    else:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
        logger.error(
            "Giving up on webhook delivery %d (%s to %s) after %d attempt(s): %s",
            delivery.pk,
            delivery.event,
            endpoint.url,
            attempt,
            error,
        )
    delivery.save(
        update_fields=[
            "status",
            "response_status",
            "last_error",
            "next_attempt_at",
            "delivered_at",
        ]
    )
