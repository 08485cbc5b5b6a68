"""Helpers for the webhook tests: what the receiver records, endpoints pointing at it,
the docs' `verify()` snippet, and bringing the worker's retries forward."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from broadsheet.webhooks.models import Event, WebhookEndpoint

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every POST; answers each with the next of `answers` (status, seconds to
    wait first), then 200 once they run out."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, float]] = field(default_factory=list)


def make_endpoint(url: str, events: list[str] | None = None, **fields: Any) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=url, events=list(events or Event.values), **fields)


def verify_snippet() -> Any:
    """The `verify()` function from docs/webhooks.md, run as a receiver would copy it."""
    [code] = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return namespace["verify"]


def make_retries_due() -> None:
    """Bring every waiting task's run_after forward to now, as if the wait had passed."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
