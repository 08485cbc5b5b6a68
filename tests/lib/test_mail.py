"""Outgoing mail: queued in the caller's transaction, sent only by the worker, retried with
a growing wait while the mail server fails, given up (and left as a FAILED row) after
MAIL_MAX_ATTEMPTS, and never able to smuggle a header through a recipient or a subject.

The tests run the real worker (`db_worker --batch`) against real transactions, so they
use `transaction=True`: a queued mail must survive, or vanish with, a real COMMIT or
ROLLBACK, and the worker commits each task as it would in production.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from io import StringIO
from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.lib.mail import queue_mail, retry_delay, send_queued_mail

pytestmark = pytest.mark.django_db(transaction=True)

TEMPLATES = {
    # A subject template over two lines, as editors tend to write them.
    "emails/reply-subject.txt": "{{ name }} replied\n   to your comment\n",
    "emails/reply-body.txt": "{{ name }} wrote:\n\n{{ text }}\n",
    "emails/reply-body.html": "<p>{{ name }} wrote:</p>\n<blockquote>{{ text }}</blockquote>\n",
    "emails/welcome-subject.txt": "Welcome to {{ site }}",
    "emails/welcome-body.txt": "Hello {{ name }}, your account is ready.\n",
}
REPLY = {"name": "Bob", "text": "I was at the meeting too."}


class BrokenServer(BaseEmailBackend):
    """A mail server that drops every connection, counting the attempts."""

    attempts = 0

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        type(self).attempts += 1
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _mail_templates(settings: Any) -> None:
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]


@pytest.fixture
def broken_server(settings: Any) -> type[BrokenServer]:
    BrokenServer.attempts = 0
    settings.EMAIL_BACKEND = f"{__name__}.BrokenServer"
    return BrokenServer


def run_worker() -> None:
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)


def queued() -> list[DBTaskResult]:
    """Mail waiting to be sent (the worker also keeps a daily maintenance task queued)."""
    return list(
        DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=send_queued_mail.module_path
        )
    )


def make_retries_due() -> None:
    """Travel past every waiting retry's run_after."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def test_mail_waits_in_the_queue_until_the_worker_sends_it(
    mailoutbox: list[EmailMultiAlternatives], settings: Any
) -> None:
    settings.DEFAULT_FROM_EMAIL = "The Courier <news@courier.example>"
    queue_mail("alice@example.org", "emails/reply", REPLY, reply_to="bob@example.org")

    assert mailoutbox == []
    [row] = queued()
    assert row.task_path == "broadsheet.lib.mail.send_queued_mail"

    run_worker()

    [message] = mailoutbox
    assert message.to == ["alice@example.org"]
    assert message.reply_to == ["bob@example.org"]
    assert message.from_email == "The Courier <news@courier.example>"
    assert message.subject == "Bob replied to your comment"
    assert message.body == "Bob wrote:\n\nI was at the meeting too.\n"
    assert message.alternatives == [
        ("<p>Bob wrote:</p>\n<blockquote>I was at the meeting too.</blockquote>\n", "text/html")
    ]
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert queued() == []

    run_worker()
    assert len(mailoutbox) == 1


def test_text_parts_stay_plain_text_and_the_html_part_is_escaped(
    mailoutbox: list[EmailMultiAlternatives],
) -> None:
    queue_mail(
        "alice@example.org", "emails/reply", {"name": "Tom & Jerry", "text": "<b>hi</b> & bye"}
    )
    run_worker()

    [message] = mailoutbox
    assert message.subject == "Tom & Jerry replied to your comment"
    assert message.body == "Tom & Jerry wrote:\n\n<b>hi</b> & bye\n"
    assert message.alternatives == [
        (
            "<p>Tom &amp; Jerry wrote:</p>\n"
            "<blockquote>&lt;b&gt;hi&lt;/b&gt; &amp; bye</blockquote>\n",
            "text/html",
        )
    ]


def test_mail_without_an_html_template_is_plain_text(
    mailoutbox: list[EmailMultiAlternatives],
) -> None:
    queue_mail("alice@example.org", "emails/welcome", {"site": "The Courier", "name": "Alice"})
    run_worker()

    [message] = mailoutbox
    assert message.subject == "Welcome to The Courier"
    assert message.body == "Hello Alice, your account is ready.\n"
    assert message.alternatives == []
    assert message.reply_to == []


@pytest.mark.parametrize(
    "name",
    [
        "Mallory\r\nBcc: victim@example.net",
        "Mallory\nBcc: victim@example.net",
        "Mallory\rBcc: victim@example.net",
        "Mallory\u2028Bcc: victim@example.net",
    ],
)
def test_line_breaks_in_the_subject_cannot_add_a_header(
    mailoutbox: list[EmailMultiAlternatives], name: str
) -> None:
    queue_mail("alice@example.org", "emails/welcome", {"site": name, "name": "Alice"})
    run_worker()

    [message] = mailoutbox
    assert message.subject == "Welcome to Mallory Bcc: victim@example.net"
    assert message.recipients() == ["alice@example.org"]
    sent = message.message()
    assert sent["Bcc"] is None
    assert sent["Subject"] == "Welcome to Mallory Bcc: victim@example.net"


@pytest.mark.parametrize(
    "to",
    [
        "alice@example.org\nBcc: victim@example.net",
        "alice@example.org\r\n",
        "\nalice@example.org",
        "alice@example.org, victim@example.net",
        "Alice <alice@example.org>",
        "not an address",
        "",
    ],
)
def test_anything_but_one_address_is_refused_and_nothing_is_queued(
    mailoutbox: list[EmailMultiAlternatives], to: str
) -> None:
    with pytest.raises(ValueError):
        queue_mail(to, "emails/reply", REPLY)
    with pytest.raises(ValueError):
        queue_mail("alice@example.org", "emails/reply", REPLY, reply_to=to)

    assert DBTaskResult.objects.count() == 0
    run_worker()
    assert mailoutbox == []


def test_a_rolled_back_write_queues_no_mail(mailoutbox: list[EmailMultiAlternatives]) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        Group.objects.create(name="Night desk")
        queue_mail("charlie@example.org", "emails/welcome", {"site": "Night desk", "name": "C"})
        raise RuntimeError("the view failed after queueing")

    assert not Group.objects.filter(name="Night desk").exists()
    assert DBTaskResult.objects.count() == 0
    run_worker()
    assert mailoutbox == []


def test_a_committed_write_queues_its_mail(mailoutbox: list[EmailMultiAlternatives]) -> None:
    with transaction.atomic():
        Group.objects.create(name="Night desk")
        queue_mail("charlie@example.org", "emails/welcome", {"site": "Night desk", "name": "C"})
        # Already in the transaction, not waiting for an on_commit hook.
        assert len(queued()) == 1

    run_worker()
    assert [message.to for message in mailoutbox] == [["charlie@example.org"]]


def test_a_failed_send_is_queued_again_for_later(
    mailoutbox: list[EmailMultiAlternatives],
    broken_server: type[BrokenServer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue_mail("alice@example.org", "emails/reply", REPLY, reply_to="bob@example.org")
    [first] = queued()

    before = timezone.now()
    with caplog.at_level(logging.WARNING, logger="broadsheet.lib.mail"):
        run_worker()
    after = timezone.now()

    assert broken_server.attempts == 1
    assert mailoutbox == []
    first.refresh_from_db()
    [retry] = queued()
    assert retry.id != first.id
    assert first.return_value["sent"] is False
    assert first.return_value["retry"] == str(retry.id)
    # The whole message travels on; only the attempt number changes.
    assert retry.args_kwargs["kwargs"] == {**first.args_kwargs["kwargs"], "attempt": 2}
    assert before + timedelta(seconds=30) <= retry.run_after <= after + timedelta(seconds=30)
    assert "failed on attempt 1 of 8: SMTPServerDisconnected" in caplog.text

    # Not due yet: running the worker again tries nothing.
    run_worker()
    assert broken_server.attempts == 1
    assert queued() == [retry]


def test_mail_is_delivered_once_the_server_recovers(
    mailoutbox: list[EmailMultiAlternatives], broken_server: type[BrokenServer], settings: Any
) -> None:
    queue_mail("alice@example.org", "emails/reply", REPLY)
    run_worker()
    make_retries_due()
    run_worker()
    assert broken_server.attempts == 2
    assert mailoutbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_retries_due()
    run_worker()
    run_worker()

    [message] = mailoutbox
    assert message.subject == "Bob replied to your comment"
    assert message.body == "Bob wrote:\n\nI was at the meeting too.\n"
    assert len(message.alternatives) == 1
    assert queued() == []
    last = DBTaskResult.objects.get(args_kwargs__kwargs__attempt=3)
    assert last.status == TaskResultStatus.SUCCESSFUL
    assert last.return_value == {"sent": True, "attempt": 3}


def test_each_retry_waits_twice_as_long_up_to_six_hours(
    broken_server: type[BrokenServer], settings: Any
) -> None:
    settings.MAIL_RETRY_BASE_SECONDS = 3600
    settings.MAIL_MAX_ATTEMPTS = 6
    queue_mail("alice@example.org", "emails/welcome", {"site": "The Courier", "name": "Alice"})

    waits = []
    for _ in range(5):
        make_retries_due()
        tried_at = timezone.now()
        run_worker()
        [retry] = queued()
        waits.append(round((retry.run_after - tried_at).total_seconds() / 3600, 2))

    assert waits == [1, 2, 4, 6, 6]
    assert retry_delay(1) == timedelta(hours=1)
    assert retry_delay(1000) == timedelta(hours=6)


def test_mail_is_given_up_after_the_last_attempt(
    mailoutbox: list[EmailMultiAlternatives],
    broken_server: type[BrokenServer],
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.MAIL_MAX_ATTEMPTS = 3
    queue_mail("alice@example.org", "emails/reply", REPLY)

    with caplog.at_level(logging.WARNING, logger="broadsheet.lib.mail"):
        for _ in range(5):
            make_retries_due()
            run_worker()

    assert broken_server.attempts == 3
    assert mailoutbox == []
    assert queued() == []
    rows = DBTaskResult.objects.order_by("enqueued_at")
    assert [row.status for row in rows] == [
        TaskResultStatus.SUCCESSFUL,
        TaskResultStatus.SUCCESSFUL,
        TaskResultStatus.FAILED,
    ]
    # The given-up row keeps the whole message and why it failed.
    given_up = rows[2]
    assert given_up.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert "Connection unexpectedly closed" in given_up.traceback
    assert given_up.args_kwargs["kwargs"]["attempt"] == 3
    assert given_up.args_kwargs["kwargs"]["to"] == "alice@example.org"
    assert given_up.args_kwargs["kwargs"]["body"] == "Bob wrote:\n\nI was at the meeting too.\n"
    errors = [
        r.getMessage()
        for r in caplog.records
        if r.name == "broadsheet.lib.mail" and r.levelno == logging.ERROR
    ]
    assert errors == [
        "Giving up on mail to alice@example.org ('Bob replied to your comment') after 3 "
        "attempts: SMTPServerDisconnected: Connection unexpectedly closed"
    ]


def test_worker_command_in_batch_mode_sends_what_is_queued_and_exits(
    mailoutbox: list[EmailMultiAlternatives],
) -> None:
    queue_mail("alice@example.org", "emails/reply", REPLY)
    queue_mail("bob@example.org", "emails/welcome", {"site": "The Courier", "name": "Bob"})
    out = StringIO()

    call_command("worker", "--batch", stdout=out)

    assert sorted(message.to[0] for message in mailoutbox) == [
        "alice@example.org",
        "bob@example.org",
    ]
    assert queued() == []
    lines = out.getvalue().splitlines()
    assert "Worker started: running ready tasks, then exiting" in lines
    assert lines[-1] == "Worker finished: no ready tasks left"
