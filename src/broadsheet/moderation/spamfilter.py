"""The learning spam filter (placeholder: the interface other modules use)."""

from __future__ import annotations

from broadsheet.discussion.models import Comment


def spam_probability(comment: Comment) -> float:
    return 0.5


def learn(comment: Comment, label: str) -> None:
    return None
