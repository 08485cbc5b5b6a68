"""Fixtures for the account tests: run the mail worker. The passwords and the reader of
links in the mail are in helpers.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command


@pytest.fixture
def deliver(
    mailoutbox: list[EmailMessage], transactional_db: None
) -> Callable[[], list[EmailMessage]]:
    """Run the mail worker over everything queued and return the outbox.

    The worker closes the database connection when it finishes, which on PostgreSQL would
    end the transaction an ordinary test runs in; so tests that deliver mail use real
    transactions (`transactional_db`), as the worker does in production.
    """

    def run() -> list[EmailMessage]:
        call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
        return mailoutbox

    return run
