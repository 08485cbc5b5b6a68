"""Shared people and helpers for the whole suite.

The people: Edith the editor (Editors group, staff, not a superuser), Rita the reader (a
registered account with no staff rights) and an anonymous visitor (the plain `client`).
"""

from __future__ import annotations

import itertools
import signal
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.text import slugify

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Article, Author, Topic
from broadsheet.publishing.services import EDITORS_GROUP, ensure_editors_group, set_bylines

_counter = itertools.count(1)


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


def deliver_mail() -> None:
    """Run the mail worker once over whatever is queued, as `broadsheet worker --batch`.
    Tests that call it need a transactional database: the worker commits and closes its
    connection between tasks, as in production."""
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)


# Headers of a form sent from the site's own page (the test client's host), for views that
# check the origin of a POST instead of a CSRF token.
SAME_ORIGIN = {"Origin": "http://testserver"}

# A cache backend nothing answers (nothing listens on port 1), for tests of a cache outage.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def make_user(username: str, display_name: str = "", **extra: Any) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password="correct horse battery staple",
        display_name=display_name,
        **extra,
    )
    return user


def make_author(name: str = "Ada Reyes", **extra: Any) -> Author:
    slug = extra.pop("slug", None) or f"{slugify(name)}-{next(_counter)}"
    return Author.objects.create(name=name, slug=slug, **extra)


def make_topic(name: str = "Housing", **extra: Any) -> Topic:
    slug = extra.pop("slug", None) or f"{slugify(name)}-{next(_counter)}"
    return Topic.objects.create(name=name, slug=slug, **extra)


def make_article(
    title: str = "Tenants organise on the estate",
    *,
    submitted_by: User | None = None,
    authors: Iterable[Author] = (),
    topics: Iterable[Topic] = (),
    status: str = Article.Status.PUBLISHED,
    published_at: datetime | None = None,
    body: str = "The residents' association met on Tuesday evening.",
    **extra: Any,
) -> Article:
    if submitted_by is None:
        submitted_by = User.objects.filter(username="newsdesk").first() or make_user(
            "newsdesk", display_name="Newsdesk"
        )
    if published_at is None and status != Article.Status.DRAFT:
        published_at = timezone.now() - timezone.timedelta(hours=1)
    slug = extra.pop("slug", None) or f"{slugify(title)[:60]}-{next(_counter)}"
    article = Article.objects.create(
        title=title,
        slug=slug,
        submitted_by=submitted_by,
        status=status,
        published_at=published_at,
        body_source=body,
        **extra,
    )
    set_bylines(article, list(authors))
    article.topics.set(list(topics))
    return article


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


def confirm_account(user: User) -> User:
    """Mark the account's address as confirmed, as following the sign-up link does."""
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])
    return user


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
