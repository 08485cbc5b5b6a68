"""Spam defences every new comment passes through (placeholder)."""

from __future__ import annotations

from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import ScreeningVerdict, SubmissionSignals


def screen(comment: Comment, signals: SubmissionSignals) -> ScreeningVerdict:
    return ScreeningVerdict()
