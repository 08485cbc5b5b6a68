"""People and helpers for the moderation tests.

Morgan Osei ("mo") moderates: a member of the Moderators group and not staff, so every
page he uses is the site's own, not the admin. Edith the editor and Rita the reader (from
the suite's conftest) do not moderate. `held_comment()` stores a comment as screening would
leave one it held: with reasons, a spam score and a client address hash.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.lib.addresses import address_hash
from broadsheet.moderation.services import ensure_moderators_group
from broadsheet.publishing.models import Article
from tests.conftest import make_user
from tests.discussion.conftest import make_comment

# The address the test client sends from (REMOTE_ADDR), as the site stores it.
TEST_CLIENT_ADDRESS = "127.0.0.1"


@pytest.fixture
def moderator(db: None) -> User:
    user = make_user("mo", display_name="Morgan Osei")
    user.groups.add(ensure_moderators_group())
    return user


@pytest.fixture
def moderator_client(moderator: User) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def held_comment(article: Article, **fields: Any) -> Comment:
    values: dict[str, Any] = {
        "status": Comment.Status.HELD,
        "email": "morwenna@example.net",
        "held_reasons": ["moderation-policy"],
        "spam_score": 0.42,
        "address_hash": address_hash("198.51.100.23"),
    }
    values.update(fields)
    return make_comment(article, **values)
