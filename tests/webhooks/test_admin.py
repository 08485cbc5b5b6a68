"""Editors configure endpoints and read the delivery log; they cannot edit deliveries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.accounts.models import User
from broadsheet.webhooks.models import Event, WebhookDelivery, WebhookEndpoint
from tests.helpers import make_user
from tests.webhooks.helpers import make_endpoint

pytestmark = pytest.mark.django_db

ENDPOINTS_URL = "/admin/webhooks/webhookendpoint/"
DELIVERIES_URL = "/admin/webhooks/webhookdelivery/"


def _delivery(endpoint: WebhookEndpoint, **fields: Any) -> WebhookDelivery:
    values: dict[str, Any] = {
        "event": Event.ARTICLE_PUBLISHED,
        "payload": {"event": "article.published", "article": {"id": 1}},
        "status": WebhookDelivery.Status.FAILED,
        "attempts": 8,
        "response_status": 500,
        "last_error": "The endpoint answered 500.",
    }
    values.update(fields)
    return WebhookDelivery.objects.create(endpoint=endpoint, **values)


def test_an_editor_adds_an_endpoint_and_sees_its_secret(
    editor_client: Client, editor: User
) -> None:
    response = editor_client.post(
        ENDPOINTS_URL + "add/",
        {
            "url": "https://hooks.example.org/broadsheet",
            "events": [Event.ARTICLE_PUBLISHED, Event.COMMENT_HELD],
            "active": "on",
            "_continue": "Save and continue editing",
        },
    )

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["article.published", "comment.held"]
    assert endpoint.created_by == editor
    assert len(endpoint.secret) == 64
    page = editor_client.get(response["Location"]).content.decode()
    assert endpoint.secret in page


def test_only_http_and_https_urls_are_accepted(editor_client: Client) -> None:
    response = editor_client.post(
        ENDPOINTS_URL + "add/",
        {"url": "ftp://hooks.example.org/", "events": [Event.ARTICLE_PUBLISHED]},
    )

    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()


def test_each_endpoint_gets_its_own_secret() -> None:
    first, second = make_endpoint("https://a.example.org/"), make_endpoint("https://b.example.org/")
    assert first.secret != second.secret


def test_the_delivery_log_is_read_only(editor_client: Client) -> None:
    delivery = _delivery(make_endpoint("https://hooks.example.org/"))

    listing = editor_client.get(DELIVERIES_URL)
    page = editor_client.get(f"{DELIVERIES_URL}{delivery.pk}/change/")

    assert listing.status_code == 200 and "The endpoint answered 500." in page.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert editor_client.get(DELIVERIES_URL + "add/").status_code == 403
    editor_client.post(f"{DELIVERIES_URL}{delivery.pk}/change/", {"status": "delivered"})
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED


def test_send_again_queues_failed_deliveries_afresh(editor_client: Client) -> None:
    endpoint = make_endpoint("https://hooks.example.org/")
    failed = _delivery(endpoint)
    pending = _delivery(endpoint, status=WebhookDelivery.Status.PENDING, attempts=2)

    response = editor_client.post(
        DELIVERIES_URL,
        {"action": "send_again", "_selected_action": [str(failed.pk), str(pending.pk)]},
        follow=True,
    )

    assert "Queued 1 delivery to be sent again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == WebhookDelivery.Status.PENDING and failed.attempts == 0
    [task] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert task.args_kwargs["kwargs"] == {"delivery_id": failed.pk, "attempt": 1}


def test_readers_and_other_staff_have_no_access(reader_client: Client) -> None:
    staff = Client()
    staff.force_login(make_user("sam", is_staff=True))
    make_endpoint("https://hooks.example.org/")

    assert reader_client.get(ENDPOINTS_URL).status_code == 302  # to the login page
    assert staff.get(ENDPOINTS_URL).status_code == 403
    assert staff.get(DELIVERIES_URL).status_code == 403
