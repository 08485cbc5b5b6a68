"""Fixtures for the page cache's tests: the replay, with Django behind it counting what
reaches it. The request helpers are in helpers.py."""

from __future__ import annotations

import pytest

from broadsheet.pagecache.replay import PageReplay
from tests.pagecache.helpers import CountingDjango


@pytest.fixture
def django_app() -> CountingDjango:
    return CountingDjango()


@pytest.fixture
def replay(django_app: CountingDjango) -> PageReplay:
    return PageReplay(django_app, max_bytes=1024 * 1024)
