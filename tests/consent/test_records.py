"""The proof of each choice: what a consent record holds (and does not), the CSV export
for editors, the records in the admin, and their purge after the retention period.

Edith is an editor (`editor_client`), Rita a registered reader (`reader_client`), Nadia an
anonymous visitor (the plain `client`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.consent.models import ConsentRecord
from broadsheet.consent.tasks import purge_consent_records_daily

from .helpers import choose

EXPORT = "/cookies/records.csv"


def make_record(days_ago: float = 0, **fields: Any) -> ConsentRecord:
    return ConsentRecord.objects.create(
        action=fields.pop("action", ConsentRecord.Action.REJECT_ALL),
        created_at=timezone.now() - dt.timedelta(days=days_ago),
        **fields,
    )


# What is recorded --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_choice_is_recorded_with_an_id_the_choices_the_policy_and_the_time(
    client: Client,
) -> None:
    before = timezone.now()
    choose(client, "preferences", {"statistics": "on", "preferences": "on"})

    record = ConsentRecord.objects.get()
    assert isinstance(record.consent_id, uuid.UUID)
    assert record.action == ConsentRecord.Action.CHOOSE
    assert record.categories == ["preferences", "statistics"]
    assert record.policy_version == 0
    assert before <= record.created_at <= timezone.now()


@pytest.mark.django_db
def test_a_record_keeps_no_address_and_nothing_else_about_the_reader(client: Client) -> None:
    choose(client, "accept-all", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox/140")

    fields = {field.name for field in ConsentRecord._meta.get_fields()}
    assert fields == {"id", "consent_id", "action", "categories", "policy_version", "created_at"}
    stored = " ".join(str(value) for value in ConsentRecord.objects.values().get().values())
    assert "203.0.113" not in stored and "Firefox" not in stored


@pytest.mark.django_db
def test_different_readers_get_different_consent_ids() -> None:
    choose(Client(), "reject-all")
    choose(Client(), "reject-all")

    assert ConsentRecord.objects.values("consent_id").distinct().count() == 2


# The export --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_editors_download_every_record_as_csv(editor_client: Client) -> None:
    older = make_record(days_ago=2, categories=[], policy_version=1)
    newer = make_record(
        days_ago=1, action=ConsentRecord.Action.ACCEPT_ALL,
        categories=["external-media", "preferences", "statistics"], policy_version=2,
    )  # fmt: skip

    response = editor_client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="consent-records.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["consent_id", "action", "categories", "policy_version", "created_at"],
        [str(older.consent_id), "reject-all", "", "1", older.created_at.isoformat()],
        [
            str(newer.consent_id), "accept-all", "external-media preferences statistics", "2",
            newer.created_at.isoformat(),
        ],
    ]  # fmt: skip


@pytest.mark.django_db
def test_readers_and_visitors_cannot_download_the_records(
    reader_client: Client, client: Client
) -> None:
    make_record()

    assert reader_client.get(EXPORT).status_code == 403
    assert client.get(EXPORT).status_code == 403


@pytest.mark.django_db
def test_editors_read_the_records_in_the_admin_but_cannot_write_them(
    editor_client: Client,
) -> None:
    record = make_record()

    listing = editor_client.get(reverse("admin:consent_consentrecord_changelist"))

    assert listing.status_code == 200
    page = listing.content.decode()
    assert f'<a href="{EXPORT}">Download all as CSV</a>' in page
    assert str(record.consent_id) in page
    # The link is among the page's tools, not markup inside the <title>.
    assert "<title>Select consent record to view | Broadsheet admin</title>" in page
    assert editor_client.get(reverse("admin:consent_consentrecord_add")).status_code == 403
    change = reverse("admin:consent_consentrecord_change", args=[record.pk])
    assert editor_client.post(change, {"action": "accept-all"}).status_code == 403


@pytest.mark.django_db
def test_editors_find_a_readers_records_by_their_consent_id(editor_client: Client) -> None:
    wanted = make_record()
    other = make_record()

    page = editor_client.get(
        reverse("admin:consent_consentrecord_changelist"), {"q": str(wanted.consent_id)}
    ).content.decode()

    assert str(wanted.consent_id) in page
    assert str(other.consent_id) not in page


@pytest.mark.django_db
def test_migrate_gives_the_editors_group_its_consent_permissions() -> None:
    group = Group.objects.get(name="Editors")

    granted = set(
        group.permissions.filter(content_type__app_label="consent").values_list(
            "codename", flat=True
        )
    )
    assert granted == {
        "view_consentrecord",
        "add_policypage",
        "change_policypage",
        "view_policypage",
        "change_cookiecategory",
    }


# Retention ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_purge_command_deletes_records_past_retention(settings: Any) -> None:
    settings.CONSENT_RECORD_RETENTION_DAYS = 30
    old = make_record(days_ago=31)
    kept = make_record(days_ago=29)
    out = io.StringIO()

    call_command("purge-consent-records", stdout=out)

    assert list(ConsentRecord.objects.all()) == [kept]
    assert not ConsentRecord.objects.filter(pk=old.pk).exists()
    assert out.getvalue() == "Deleted 1 consent record(s) older than 30 days.\n"

    again = io.StringIO()
    call_command("purge-consent-records", stdout=again)
    assert again.getvalue() == "Deleted 0 consent record(s) older than 30 days.\n"


def queued_purges() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=purge_consent_records_daily.module_path, status=TaskResultStatus.READY
        )
    )


# The worker closes database connections between tasks, which a test transaction cannot
# survive on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_the_worker_purges_daily_and_schedules_the_next_run(settings: Any) -> None:
    settings.CONSENT_RECORD_RETENTION_DAYS = 30
    make_record(days_ago=45)
    kept = make_record(days_ago=1)

    call_command("worker", batch=True, stdout=io.StringIO())

    assert list(ConsentRecord.objects.all()) == [kept]
    [next_run] = queued_purges()
    assert next_run.run_after is not None
    assert next_run.run_after > timezone.now() + dt.timedelta(hours=23)


@pytest.mark.django_db(transaction=True)
def test_starting_the_worker_again_does_not_queue_a_second_purge() -> None:
    call_command("worker", batch=True, stdout=io.StringIO())
    call_command("worker", batch=True, stdout=io.StringIO())

    assert len(queued_purges()) == 1
