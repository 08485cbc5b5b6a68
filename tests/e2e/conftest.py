"""Browser tests: the real server (`broadsheet serve`) on a free loopback port with a fresh
database, driven by Playwright for Python in Debian's Chromium.

Outside CI the tests skip, with the reason, when Chromium (or, for the accessibility tests,
axe-core from npm) is missing; under CI=true that is a failure. Every page a test opens is
watched: a JavaScript dialog, a Content-Security-Policy violation, an uncaught error or a
request to any other host fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import Browsing, Site, require
from tests.seeded_server import seeded_server

CHROMIUM = Path(os.environ.get("BROADSHEET_CHROMIUM", "/usr/bin/chromium"))
# The server's settings for these tests: spam checks that would hold a form sent by a
# program (too fast, too many from one address) are off, so every outcome below is the
# one a person would get; everything else is the production default.
SERVER_ENV = {
    "SITE_NAME": "The Estuary Herald",
    "SPAM_MIN_FORM_SECONDS": "0",
    "COMMENT_RATE_LIMIT_ADDRESS": "",
    "COMMENT_RATE_LIMIT_EMAIL": "",
    "COMMENTS_PER_PAGE": "500",
}
# Chromium as root in a container, and no calls home (this network refuses them).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    home = tmp_path_factory.mktemp("e2e-site")
    with seeded_server(home, SERVER_ENV) as url:
        yield Site(url=url, database=home / "var" / "broadsheet.sqlite3")


# Package scope: Playwright's sync API runs an event loop in this thread while it is
# open, and Django refuses database calls from a thread with a running loop
# (SynchronousOnlyOperation), so it must be closed before the tests after tests/e2e run.
@pytest.fixture(scope="package")
def browser(served: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browsing(browser: Any, served: Site) -> Iterator[Any]:
    """Open a fresh, watched browser context: `browsing(**new_context_options)`."""
    opened: list[Browsing] = []

    def open_context(**options: Any) -> Browsing:
        opened.append(Browsing(browser, served, **options))
        return opened[-1]

    yield open_context
    try:
        for context in opened:
            context.check()
    finally:
        for context in opened:
            context.context.close()


@pytest.fixture
def page(browsing: Any) -> Any:
    """One page in a fresh, watched context."""
    return browsing().new_page()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
