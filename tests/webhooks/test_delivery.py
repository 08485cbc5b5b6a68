"""How a delivery fares: retries with backoff, timeouts, refused addresses, giving up,
and a publishing request that never waits for an endpoint."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.publishing import services as publishing
from broadsheet.publishing.models import Article
from broadsheet.publishing.services import EDITORS_GROUP, ensure_editors_group
from broadsheet.webhooks.models import WebhookDelivery
from broadsheet.webhooks.tasks import RefusedAddress, checked_address
from tests.helpers import deliver_mail, make_article, make_user
from tests.webhooks.helpers import Receiver, make_endpoint, make_retries_due, verify_snippet

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_retries(settings: Any, allow_loopback: None) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30


def _publish_one(receiver_url: str) -> WebhookDelivery:
    endpoint = make_endpoint(receiver_url)
    draft = make_article("Pier reopens", status=Article.Status.DRAFT)
    publishing.publish_now(draft, None)
    [delivery] = WebhookDelivery.objects.filter(endpoint=endpoint)
    return delivery


def test_a_500_is_retried_later_and_then_delivered(receiver: Receiver, fast_retries: None) -> None:
    receiver.answers = [(500, 0.0)]
    delivery = _publish_one(receiver.url)

    before = timezone.now()
    deliver_mail()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1 and delivery.response_status == 500
    assert delivery.last_error == "The endpoint answered 500."
    assert delivery.next_attempt_at is not None
    assert (
        before + dt.timedelta(seconds=29)
        <= delivery.next_attempt_at
        <= timezone.now() + dt.timedelta(seconds=31)
    )
    [retry] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert retry.run_after == delivery.next_attempt_at
    assert retry.args_kwargs["kwargs"] == {"delivery_id": delivery.pk, "attempt": 2}
    deliver_mail()  # not due yet
    assert len(receiver.requests) == 1

    make_retries_due()
    deliver_mail()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 2 and delivery.response_status == 200
    assert delivery.last_error == "" and delivery.next_attempt_at is None
    first, second = receiver.requests
    # The same delivery, signed afresh.
    assert first.body == second.body
    assert first.headers["Broadsheet-Delivery"] == second.headers["Broadsheet-Delivery"]
    assert verify_snippet()(delivery.endpoint.secret, second.headers, second.body)


def test_the_wait_doubles_with_each_failure(receiver: Receiver, fast_retries: None) -> None:
    receiver.answers = [(503, 0.0)] * 3
    delivery = _publish_one(receiver.url)
    waits = []
    for _ in range(3):
        deliver_mail()
        delivery.refresh_from_db()
        assert delivery.last_attempt_at is not None and delivery.next_attempt_at is not None
        waits.append(round((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()))
        make_retries_due()

    assert waits == [30, 60, 120]


def test_a_timeout_is_logged_as_a_failed_attempt(
    receiver: Receiver, fast_retries: None, settings: Any
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.answers = [(200, 1.0)]
    delivery = _publish_one(receiver.url)

    deliver_mail()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.attempts == 1 and delivery.response_status is None
    assert "timed out" in delivery.last_error
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > timezone.now()


def test_after_the_last_attempt_the_delivery_is_failed(
    receiver: Receiver, fast_retries: None, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [(500, 0.0), (404, 0.0)]
    delivery = _publish_one(receiver.url)

    deliver_mail()
    make_retries_due()
    deliver_mail()
    make_retries_due()
    deliver_mail()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == 2 and delivery.response_status == 404
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == 2


def test_private_addresses_are_refused_unless_allowed(receiver: Receiver, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    delivery = _publish_one(receiver.url)

    deliver_mail()

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == WebhookDelivery.Status.FAILED  # at once: no retries
    assert delivery.attempts == 1
    assert "127.0.0.1, which is not a public address" in delivery.last_error
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://10.1.2.3/",
        "http://192.168.0.10:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fd00::1]/",
        "http://0.0.0.0/",
        "ftp://example.org/",
        "file:///etc/passwd",
    ],
)
def test_addresses_the_site_will_not_reach(url: str, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(RefusedAddress):
        checked_address(url)


def test_a_public_address_is_allowed(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    resolved = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: resolved)

    assert checked_address("https://hooks.example.org/in") == (
        "https",
        "hooks.example.org",
        443,
        "93.184.215.14",
    )


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A port that accepts connections and never answers: an endpoint that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    listener.close()


def test_publishing_does_not_wait_for_a_hanging_endpoint(
    black_hole: str, allow_loopback: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 30
    make_endpoint(black_hole)
    ensure_editors_group()
    edith = make_user("edith", display_name="Edith Okafor", is_staff=True)
    edith.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client = Client()
    client.force_login(edith)
    draft = make_article("Pier reopens", status=Article.Status.DRAFT)
    network: list[Any] = []

    def no_network(*args: Any, **kwargs: Any) -> Any:
        network.append(args)
        raise AssertionError("no network I/O in a request")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    started = time.monotonic()
    response = client.post(
        "/admin/publishing/article/",
        {"action": "publish_now", "_selected_action": [str(draft.pk)]},
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < 2
    assert network == []
    draft.refresh_from_db()
    assert draft.is_live
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 0
    assert DBTaskResult.objects.filter(
        task_path="broadsheet.webhooks.tasks.deliver_webhook", status=TaskResultStatus.READY
    ).exists()
