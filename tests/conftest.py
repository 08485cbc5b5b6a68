"""The suite's fixtures: a fresh cache and plain static files for every test, and the
people.

The people: Edith the editor (Editors group, staff, not a superuser), Rita the reader (a
registered account with no staff rights), Morgan Osei ("mo") the moderator (a member of
the Moderators group and not staff, so every page he uses is the site's own, not the
admin) and an anonymous visitor (the plain `client`). The helpers that are not fixtures
(`make_user()`, `make_article()`…) are in tests/helpers.py.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.moderation.services import ensure_moderators_group
from broadsheet.publishing.services import EDITORS_GROUP, ensure_editors_group
from tests.helpers import confirm_account, make_user


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    # The manifest storage needs collectstatic; tests render templates without running it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Rate limits, cached settings and pages live in the cache, which outlives a test (and
    # under CACHE_URL=redis://… the whole run): each test starts from an empty one.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _restore_signal_handlers() -> Iterator[None]:
    # The mail worker (db_worker) installs its own SIGINT/SIGTERM handlers for a graceful
    # shutdown; give pytest its own back so Ctrl+C still stops the run.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def no_page_cache(settings: Any) -> None:
    """Render every page: for tests that count what rendering costs."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def editor(db: None) -> User:
    ensure_editors_group()
    user = make_user("edith", display_name="Edith Okafor", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@pytest.fixture
def reader(db: None) -> User:
    return make_user("rita", display_name="Rita Campbell")


@pytest.fixture
def rita(reader: User) -> Client:
    """Rita the reader, signed in with a confirmed address: she comments as registered."""
    client = Client()
    client.force_login(confirm_account(reader))
    return client


@pytest.fixture
def bob(db: None) -> Client:
    """Bob, another registered reader with a confirmed address: none of Rita's rights."""
    client = Client()
    client.force_login(confirm_account(make_user("bob", display_name="Bob Arkwright")))
    return client


@pytest.fixture
def nadia() -> Client:
    """Nadia, an anonymous visitor in her own browser."""
    return Client()


@pytest.fixture
def tomasz() -> Client:
    """Tomasz, another anonymous visitor in another browser."""
    return Client()


@pytest.fixture
def editor_client(editor: User) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def reader_client(reader: User) -> Client:
    client = Client()
    client.force_login(reader)
    return client


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
