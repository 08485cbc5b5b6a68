"""What is announced, to whom, signed how: an article's life and a comment's, delivered to
a receiver on loopback by the worker."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.moderation.services import ensure_moderators_group, moderate
from broadsheet.publishing import services as publishing
from broadsheet.publishing.models import Article
from broadsheet.publishing.services import EDITORS_GROUP, ensure_editors_group
from broadsheet.webhooks.models import Event, WebhookDelivery
from broadsheet.webhooks.services import queue_event
from tests.helpers import deliver_mail, make_article, make_author, make_user, post_form
from tests.webhooks.helpers import Receiver, make_endpoint, verify_snippet

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("allow_loopback")]

CHANGELIST_URL = "/admin/publishing/article/"


@pytest.fixture
def edith() -> tuple[User, Client]:
    ensure_editors_group()
    user = make_user("edith", display_name="Edith Okafor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client = Client()
    client.force_login(user)
    return user, client


def _action(client: Client, action: str, article: Article) -> None:
    response = client.post(
        CHANGELIST_URL, {"action": action, "_selected_action": [str(article.pk)]}
    )
    assert response.status_code == 302


def _payloads(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in receiver.requests]


def test_an_articles_life_is_announced_signed(
    receiver: Receiver, edith: tuple[User, Client]
) -> None:
    editor, client = edith
    endpoint = make_endpoint(receiver.url)
    draft = make_article(
        "Pier reopens", status=Article.Status.DRAFT, authors=[make_author("Ada Reyes")]
    )

    _action(client, "publish_now", draft)
    draft.refresh_from_db()
    draft.title = "Pier reopens after repairs"
    draft.save()
    publishing.record_revision(draft, editor)  # what the admin's save does
    _action(client, "unpublish", draft)
    assert receiver.requests == []  # nothing is sent in a request

    deliver_mail()

    assert [r.headers["Broadsheet-Event"] for r in receiver.requests] == [
        "article.published",
        "article.updated",
        "article.unpublished",
    ]
    verify = verify_snippet()
    deliveries = {d.pk: d for d in WebhookDelivery.objects.all()}
    for request in receiver.requests:
        assert request.path == "/hooks/broadsheet"
        assert request.headers["Content-Type"] == "application/json"
        assert verify(endpoint.secret, request.headers, request.body)
        assert not verify("another secret", request.headers, request.body)
        assert not verify(endpoint.secret, request.headers, request.body + b" ")
        assert abs(int(request.headers["Broadsheet-Timestamp"]) - time.time()) < 60
        delivery = deliveries[int(request.headers["Broadsheet-Delivery"])]
        assert delivery.status == WebhookDelivery.Status.DELIVERED
        assert delivery.response_status == 200 and delivery.attempts == 1
        assert json.loads(request.body) == delivery.payload
    published, updated, unpublished = _payloads(receiver)
    assert published == {
        "event": "article.published",
        "article": {
            "id": draft.pk,
            "title": "Pier reopens",
            "url": f"http://127.0.0.1:8000/{draft.get_absolute_url().lstrip('/')}",
            "status": "published",
            "published_at": published["article"]["published_at"],
            "bylines": ["Ada Reyes"],
        },
    }
    assert published["article"]["published_at"] is not None
    assert updated["article"]["title"] == "Pier reopens after repairs"
    assert unpublished["article"]["status"] == "draft"


def test_a_comment_held_then_approved_is_announced(receiver: Receiver, nadia: Client) -> None:
    endpoint = make_endpoint(receiver.url, [Event.COMMENT_HELD, Event.COMMENT_PUBLISHED])
    article = make_article("Library hours extended")
    moderator = make_user("mo", display_name="Morgan Osei")
    moderator.groups.add(ensure_moderators_group())

    post_form(nadia, article, name="Morwenna Tate", email="morwenna@example.org")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    moderate(comment, "approve", moderator)
    deliver_mail()

    held, published = _payloads(receiver)
    assert held == {
        "event": "comment.held",
        "comment": {
            "id": comment.pk,
            "article_id": article.pk,
            "url": "http://127.0.0.1:8000" + comment.get_absolute_url(),
            "status": "held",
            "verified": False,
            "name": "Morwenna Tate",
            "created_at": comment.created_at.isoformat(),
        },
    }
    assert published["event"] == "comment.published"
    assert published["comment"]["status"] == "published"
    verify = verify_snippet()
    assert all(verify(endpoint.secret, r.headers, r.body) for r in receiver.requests)
    for request in receiver.requests:  # never an address or its hash
        assert b"morwenna@example.org" not in request.body
        assert b"address" not in request.body and b"email" not in request.body


def test_endpoints_get_only_their_events(receiver: Receiver, nadia: Client) -> None:
    make_endpoint(receiver.url, [Event.COMMENT_PUBLISHED])
    make_endpoint(receiver.url + "/off", active=False)
    article = make_article("Ferry timetable changes")

    post_form(nadia, article)  # held: not subscribed
    publishing.unpublish(article, None)  # not subscribed
    deliver_mail()

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_rolled_back_change_sends_nothing(receiver: Receiver) -> None:
    make_endpoint(receiver.url)
    draft = make_article("Harbour dredging starts", status=Article.Status.DRAFT)

    with pytest.raises(RuntimeError), transaction.atomic():
        assert publishing.publish_now(draft, None)
        raise RuntimeError("something later in the request failed")
    deliver_mail()

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__startswith="broadsheet.webhooks").exists()


def test_a_scheduled_article_is_announced_when_it_goes_live(receiver: Receiver) -> None:
    make_endpoint(receiver.url)
    article = make_article("Festival line-up", status=Article.Status.DRAFT)
    article.publish(at=timezone.now() + dt.timedelta(seconds=1))
    publishing.record_revision(article, None)
    article.standfirst = "Who is playing where."
    article.save()
    publishing.record_revision(article, None)  # edited while waiting: no second announcement

    deliver_mail()
    assert receiver.requests == []  # not yet its time
    time.sleep(1.1)
    deliver_mail()

    [published] = _payloads(receiver)
    assert published["event"] == "article.published"
    assert published["article"]["status"] == "published"
    deliver_mail()
    assert len(receiver.requests) == 1


def test_a_rescheduled_article_is_announced_at_its_new_time_only(receiver: Receiver) -> None:
    make_endpoint(receiver.url)
    article = make_article("Night buses return", status=Article.Status.DRAFT)
    article.publish(at=timezone.now() + dt.timedelta(seconds=1))
    publishing.record_revision(article, None)
    article.publish(at=timezone.now() + dt.timedelta(days=1))
    publishing.record_revision(article, None)

    time.sleep(1.1)
    deliver_mail()

    assert receiver.requests == []


# The active endpoints are kept per process (services.active_endpoints) and loaded again
# when one is saved or deleted.


def test_an_endpoint_switched_off_gets_nothing_from_the_next_post(nadia: Client) -> None:
    endpoint = make_endpoint("https://hooks.example.org/broadsheet")
    article = make_article("Allotment waiting list")
    post_form(nadia, article, body="First, while it is on.")
    assert WebhookDelivery.objects.count() == 1

    endpoint.active = False
    endpoint.save()
    post_form(nadia, article, body="Second, after it was switched off.")

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.payload["comment"]["id"] == Comment.objects.earliest("pk").pk


def test_a_deleted_endpoint_gets_nothing_from_the_next_post(nadia: Client) -> None:
    kept = make_endpoint("https://hooks.example.org/kept")
    gone = make_endpoint("https://hooks.example.org/gone")
    article = make_article("Allotment waiting list")
    post_form(nadia, article, body="First, to both.")
    assert WebhookDelivery.objects.count() == 2

    gone.delete()  # and its delivery with it
    post_form(nadia, article, body="Second, after one was deleted.")

    # A delivery to the deleted endpoint would fail its foreign key and take the kept
    # endpoint's delivery down with it.
    first, second = WebhookDelivery.objects.order_by("pk")
    assert first.endpoint_id == second.endpoint_id == kept.pk
    assert second.payload["comment"]["id"] == Comment.objects.latest("pk").pk


def test_a_new_endpoint_gets_the_next_post(nadia: Client) -> None:
    article = make_article("Allotment waiting list")
    post_form(nadia, article, body="Before there was an endpoint.")
    assert not WebhookDelivery.objects.exists()

    endpoint = make_endpoint("https://hooks.example.org/broadsheet")
    post_form(nadia, article, body="After it was added.")

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.endpoint == endpoint
    assert delivery.payload["comment"]["id"] == Comment.objects.latest("pk").pk


def test_without_endpoints_a_post_queues_nothing_and_costs_no_query(
    nadia: Client, django_assert_num_queries: Any
) -> None:
    article = make_article("Allotment waiting list")
    post_form(nadia, article, body="Nobody is listening.")

    assert Comment.objects.count() == 1
    assert not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__startswith="broadsheet.webhooks").exists()
    # Not even a transaction, whose BEGIN would take SQLite's write lock.
    payload = {"comment": {"id": Comment.objects.get().pk}}
    with django_assert_num_queries(0):
        assert queue_event(Event.COMMENT_PUBLISHED, payload) == []
