"""Helpers for the account tests: run the mail worker, find the links in the mail."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a lantern on the towpath"


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


def link_in(message: EmailMessage) -> str:
    """The path of the one site link in a mail's body that is not the home page."""
    urls = [
        url for url in re.findall(r"https?://\S+", str(message.body)) if urlsplit(url).path != "/"
    ]
    assert len(urls) == 1, urls
    return urlsplit(urls[0]).path
