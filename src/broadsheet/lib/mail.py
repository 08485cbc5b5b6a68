"""Outgoing mail: rendered when it is queued, sent by the worker, retried until it goes.

`queue_mail()` is how the site sends every e-mail: comment notices, account mail and the
rest. It never talks to a mail server, so a slow or broken server can neither fail nor
delay a reader's request. It renders the message and writes it as a task row
(django-tasks with the django-tasks-db backend) in the site's own database; `broadsheet
worker` picks the row up and sends it with Django's mail settings (EMAIL_URL,
DEFAULT_FROM_EMAIL).

The row is written in the caller's database transaction, on purpose: a transactional outbox.
The mail about a comment exists if and only if the comment does. Sending after commit
(`on_commit`) would lose the mail if the process died between the commit and the send;
sending before commit would announce a comment that a later error rolled back. Here both
are one commit.

A failed send is retried by queueing the same message again as a new row with
`attempt + 1` and `run_after` MAIL_RETRY_BASE_SECONDS * 2**(attempt - 1) later (capped at
six hours). The attempt that fails the MAIL_MAX_ATTEMPTS-th time re-raises, so its row is
left FAILED with the message and the traceback: FAILED always means "this mail was given
up". An attempt that scheduled a retry finishes SUCCESSFUL with
`{"sent": false, "error": ..., "retry": <id of the next row>}`, so the chain can be followed.

The task is found again by its dotted path, `broadsheet.lib.mail.send_queued_mail`: rows
already queued keep that path, so renaming or moving the function strands them.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_SECONDS = 6 * 60 * 60


def queue_mail(
    to: str, template: str, context: dict[str, Any], *, reply_to: str | None = None
) -> None:
    """Render `<template>-subject.txt`, `-body.txt` and (if it exists) `-body.html` now and
    queue the message for `to`, inside the caller's transaction.

    `to` and `reply_to` must each be one bare address (`rita@example.org`); anything else,
    a line break above all, raises ValueError before anything is queued.
    """
    _check_address(to, "to")
    if reply_to is not None:
        _check_address(reply_to, "reply_to")

    engine = Engine.get_default()
    # Plain-text parts are not HTML: a reader called "Tom & Jerry" must not arrive as
    # "Tom &amp; Jerry". Only the HTML part is autoescaped.
    subject_text = engine.get_template(f"{template}-subject.txt").render(
        Context(dict(context), autoescape=False)
    )
    # One line whatever the template or the context holds: splitting on all whitespace
    # (CR, LF, and Unicode line separators too) leaves no way to start a second header.
    subject = " ".join(subject_text.split())
    body = engine.get_template(f"{template}-body.txt").render(
        Context(dict(context), autoescape=False)
    )
    try:
        html_template = engine.get_template(f"{template}-body.html")
    except TemplateDoesNotExist:
        html = None
    else:
        html = html_template.render(Context(dict(context), autoescape=True))

    send_queued_mail.enqueue(
        to=to, subject=subject, body=body, html=html, reply_to=reply_to, attempt=1
    )


def _check_address(address: str, name: str) -> None:
    if "\r" in address or "\n" in address:
        raise ValueError(f"{name} must not contain a line break: {address!r}")
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValueError(f"{name} must be a single e-mail address, got {address!r}") from exc


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1 for the first send)."""
    seconds = settings.MAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    # min() on the integer first: 2**attempt for a large MAIL_MAX_ATTEMPTS would overflow
    # timedelta.
    return timedelta(seconds=min(seconds, MAX_RETRY_DELAY_SECONDS))


@task
def send_queued_mail(
    to: str,
    subject: str,
    body: str,
    html: str | None,
    reply_to: str | None,
    attempt: int,
) -> dict[str, Any]:
    """Send one queued message; on failure queue the next attempt or, after the last, raise."""
    message = EmailMultiAlternatives(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [to],
        reply_to=[reply_to] if reply_to else None,
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if attempt >= settings.MAIL_MAX_ATTEMPTS:
            logger.error(
                "Giving up on mail to %s (%r) after %d attempts: %s", to, subject, attempt, error
            )
            raise
        run_after = timezone.now() + retry_delay(attempt)
        retry = send_queued_mail.using(run_after=run_after).enqueue(
            to=to, subject=subject, body=body, html=html, reply_to=reply_to, attempt=attempt + 1
        )
        logger.warning(
            "Sending mail to %s (%r) failed on attempt %d of %d: %s; retrying after %s",
            to,
            subject,
            attempt,
            settings.MAIL_MAX_ATTEMPTS,
            error,
            run_after.isoformat(timespec="seconds"),
        )
        return {"sent": False, "attempt": attempt, "error": error, "retry": retry.id}
    return {"sent": True, "attempt": attempt}
