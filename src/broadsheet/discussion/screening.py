"""The contract between discussion and whatever screens its comments before they are stored.

Screening is pluggable the way Django's AUTHENTICATION_BACKENDS are: settings.
COMMENT_SCREENING is the dotted path of a callable that matches `Screener` (the moderation
app's spam defences, `broadsheet.moderation.screening.screen`, by default; empty for none).
Discussion does not import moderation: moderation builds on discussion, and plugs in here.
`check_screener()`, a system check, refuses at startup a path that does not import or does
not name such a callable, rather than letting the first comment post fail.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.utils.module_loading import import_string

from .models import Comment


@dataclass(frozen=True)
class SubmissionSignals:
    """How a comment was sent, as far as the form can tell: evidence for screening."""

    honeypot_filled: bool = False
    # Seconds between the form being shown and sent, from its signed timestamp; None when
    # the timestamp is missing or its signature does not check out.
    form_age_seconds: float | None = None
    via_form: bool = True
    # A change to a stored comment's text rather than a new comment: screened the same,
    # but not counted as another post against the rate limits.
    is_edit: bool = False


@dataclass
class ScreeningVerdict:
    """What screening decided: a stricter status than the policy's (or None to keep it),
    the reasons, the learning spam filter's score and the abuse score."""

    status: str | None = None
    reasons: list[str] = field(default_factory=list)
    score: float | None = None
    abuse_score: float | None = None
    # Called with the stored comment once the post commits, if it was published: how a
    # screener asks for a closer look in the background (it must only queue work).
    after_publish: Callable[[Comment], None] | None = None


class Screener(Protocol):
    """What COMMENT_SCREENING names: given a comment not yet stored (or an edit not yet
    saved) and how it was sent, a verdict. It may read the database but must not write:
    it runs outside the post's write transaction."""

    def __call__(self, comment: Comment, signals: SubmissionSignals) -> ScreeningVerdict: ...


# Least strict first: screening can only make a comment's status stricter than the policy's.
STRICTNESS: list[str] = [Comment.Status.PUBLISHED, Comment.Status.HELD, Comment.Status.SPAM]


def is_stricter(status: str, than: str) -> bool:
    return STRICTNESS.index(status) > STRICTNESS.index(than)


def screen(comment: Comment, signals: SubmissionSignals) -> ScreeningVerdict:
    """Run the configured screening; a verdict that changes nothing when there is none."""
    if not settings.COMMENT_SCREENING:
        return ScreeningVerdict()
    screener: Screener = import_string(settings.COMMENT_SCREENING)
    return screener(comment, signals)


def check_screener(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """broadsheet.discussion.E001: COMMENT_SCREENING does not import. E002: it names
    something that is not callable. E003: it cannot be called with a comment and its
    signals (two positional arguments). A callable whose signature Python cannot read (some
    built-ins) is given the benefit of the doubt."""
    path = settings.COMMENT_SCREENING
    if not path:
        return []
    hint = (
        "Set COMMENT_SCREENING to the dotted path of a function taking (comment, signals) "
        "and returning a ScreeningVerdict (broadsheet.discussion.screening.Screener), e.g. "
        "broadsheet.moderation.screening.screen; or to an empty value for no screening."
    )
    try:
        screener = import_string(path)
    except ImportError as exc:
        return [
            Error(
                f"COMMENT_SCREENING names {path!r}, which cannot be imported: {exc}",
                hint=hint,
                id="broadsheet.discussion.E001",
            )
        ]
    if not callable(screener):
        return [
            Error(
                f"COMMENT_SCREENING names {path!r}, which is not callable "
                f"(a {type(screener).__name__}).",
                hint=hint,
                id="broadsheet.discussion.E002",
            )
        ]
    try:
        signature = inspect.signature(screener)
    except (TypeError, ValueError):
        return []
    try:
        signature.bind(object(), object())
    except TypeError:
        return [
            Error(
                f"COMMENT_SCREENING names {path!r}, which cannot be called with a comment "
                f"and its signals: its signature is {signature}.",
                hint=hint,
                id="broadsheet.discussion.E003",
            )
        ]
    return []
