"""Helpers for the moderation tests: what the sender of a held comment is told. (The
helpers the other areas use too, such as `held_comment()`, are in tests/helpers.py.)"""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.helpers import page_of

HELD_MESSAGE = "Your comment has been received and will appear once a moderator has reviewed it."
OWN_HELD_NOTE = "Your comment is waiting for a moderator. Only you can see it."


def what_the_sender_sees(client: Client, response: Any) -> tuple[list[str], bool]:
    """The messages on the page the form leads to, and whether their comment is shown."""
    assert response.status_code == 302
    page = page_of(client.get(response["Location"]))
    shown = page.find("div", "messages")
    messages = [p.text for p in shown.find_all("p", "message")] if shown else []
    return messages, OWN_HELD_NOTE in page.text
