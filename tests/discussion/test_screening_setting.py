"""COMMENT_SCREENING names the screening every comment passes: a setting that does not name
a `Screener` (a callable taking a comment and its signals) is refused by a system check at
startup, not by the first comment post."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import CheckMessage, run_checks
from django.test import override_settings

from broadsheet.discussion.models import Comment
from broadsheet.discussion.screening import ScreeningVerdict, SubmissionSignals, check_screener
from tests.helpers import make_article, post_form


def screen_without_signals(comment: Comment) -> ScreeningVerdict:
    return ScreeningVerdict()


def screen_with_options(
    comment: Comment, signals: SubmissionSignals, strict: bool = False
) -> ScreeningVerdict:
    return ScreeningVerdict(status=Comment.Status.HELD, reasons=["house-rule"])


class NotAScreener:
    pass


NOT_CALLABLE = "held"
HERE = __name__


def discussion_errors() -> list[CheckMessage]:
    """What `broadsheet check` would say about discussion's settings."""
    return [m for m in run_checks() if m.id and m.id.startswith("broadsheet.discussion.")]


def ids(messages: list[CheckMessage]) -> list[str | None]:
    return [message.id for message in messages]


@pytest.mark.parametrize(
    "path",
    [
        "broadsheet.moderation.screening.screen",  # the default
        f"{HERE}.screen_with_options",  # extra parameters with defaults are fine
        "",  # no screening at all
    ],
)
def test_a_screener_or_none_passes(path: str) -> None:
    with override_settings(COMMENT_SCREENING=path):
        assert discussion_errors() == []


@pytest.mark.parametrize(
    ("path", "error", "says"),
    [
        ("broadsheet.moderation.screenning.screen", "E001", "cannot be imported"),
        ("no_dots_at_all", "E001", "cannot be imported"),
        (f"{HERE}.NOT_CALLABLE", "E002", "not callable (a str)"),
        (f"{HERE}.screen_without_signals", "E003", "its signature is (comment: 'Comment')"),
        (f"{HERE}.NotAScreener", "E003", "cannot be called with a comment"),
    ],
)
def test_a_setting_that_names_no_screener_fails_at_startup(
    path: str, error: str, says: str
) -> None:
    with override_settings(COMMENT_SCREENING=path):
        [message] = discussion_errors()
    assert message.id == f"broadsheet.discussion.{error}"
    assert message.is_serious()
    assert path in message.msg and says in message.msg
    assert "COMMENT_SCREENING" in (message.hint or "")


def test_the_check_is_the_function_the_app_registers() -> None:
    with override_settings(COMMENT_SCREENING=f"{HERE}.NOT_CALLABLE"):
        assert ids(check_screener()) == ids(discussion_errors()) == ["broadsheet.discussion.E002"]


@pytest.mark.django_db
def test_the_configured_screener_decides(nadia: Any, settings: Any) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    settings.COMMENT_SCREENING = f"{HERE}.screen_with_options"
    article = make_article("Harbour wall repaired")

    post_form(nadia, article, body="It leaked all winter.")

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    assert comment.held_reasons == ["house-rule"]
