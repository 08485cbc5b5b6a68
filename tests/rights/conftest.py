"""The data rights tests use Morgan the moderator from the moderation tests, for the
moderators' erasure; readers, editors and comments come from the suite's and discussion's
helpers."""

from __future__ import annotations

from tests.moderation.conftest import moderator, moderator_client

__all__ = ["moderator", "moderator_client"]
