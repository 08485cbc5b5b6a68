"""Helpers for the browser tests: the served site's address and database, a watched
browser context (`Browsing`), signing in, and skipping without Chromium or axe-core."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e import site

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Recorded in every page before its own scripts run: CSP violations and uncaught errors.
TRAPS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI + " " +
    (event.sample || ""));
});
window.addEventListener("error", function (event) {
  window.__violations.push("error " + event.message);
});
"""

# What no page of ours contains, whatever readers typed: event-handler attributes, scripts
# other than our own files and JSON-LD, active URL schemes, and elements comments and
# names may never produce. Returns a description of each one found.
INJECTED_MARKUP = """() => {
  const found = [];
  const describe = (el) => el.outerHTML.slice(0, 120);
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith("on")) { found.push("handler " + describe(el)); }
      if (["href", "src", "action", "formaction", "xlink:href", "data"].includes(attr.name) &&
          /^\\s*(javascript|data|vbscript):/i.test(attr.value.replace(/[\\u0000-\\u0020]/g, ""))) {
        found.push("active URL " + describe(el));
      }
    }
  }
  for (const script of document.scripts) {
    const ours = script.src ? new URL(script.src).origin === location.origin &&
      new URL(script.src).pathname.startsWith("/static/") :
      script.type === "application/ld+json";
    if (!ours) { found.push("script " + describe(script)); }
  }
  const typed = ".comment-body, .submitted, .comment-preview, .queue-details, .queued-comment h2";
  const never = "svg, math, iframe, object, embed, base, meta, style, link, form, input, " +
    "button, img, video, audio, template";
  for (const area of document.querySelectorAll(typed)) {
    for (const el of area.querySelectorAll(never)) {
      if (!el.closest(".moderation-bar, .row-actions")) { found.push("element " + describe(el)); }
    }
  }
  if (document.querySelectorAll("base").length) { found.push("base element"); }
  return found;
}"""


def require(condition: bool, reason: str) -> None:
    """Skip without what a test needs, except in CI, where a missing tool is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


@dataclass
class Site:
    """The served site: its address, and its database for reading what was stored."""

    url: str
    database: Path

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as connection:
            return connection.execute(sql, params).fetchall()

    def comments(self, **where: Any) -> list[dict[str, Any]]:
        clauses = " AND ".join(f"{column} = ?" for column in where) or "1"
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(
                f"SELECT * FROM discussion_comment WHERE {clauses} ORDER BY id",  # noqa: S608
                tuple(where.values()),
            ).fetchall()
        return [dict(row) for row in rows]

    def article_id(self, slug: str) -> int:
        return int(self.query("SELECT id FROM publishing_article WHERE slug = ?", slug)[0][0])


@dataclass
class Watch:
    """What the pages of one browser context did that they must not."""

    origin: str
    dialogs: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)

    def on_request(self, request: Any) -> None:
        self.requests.append(request)
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and (
            f"{parts.scheme}://{parts.netloc}" != self.origin
        ):
            self.foreign_requests.append(request.url)

    def on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


class Browsing:
    """A browser context (its own cookie jar) on the served site, watched throughout."""

    def __init__(self, browser: Any, served: Site, **options: Any) -> None:
        self.site = served
        self.context = browser.new_context(base_url=served.url, **options)
        self.context.set_default_timeout(15_000)
        self.watch = Watch(origin=served.url)
        self.context.add_init_script(TRAPS)
        self.context.on("request", self.watch.on_request)
        self.pages: list[Any] = []

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.on("dialog", self.watch.on_dialog)
        self.pages.append(page)
        return page

    def problems(self) -> list[str]:
        """Everything watched for since the last call (and forget it): dialogs, requests
        to other hosts, CSP violations and uncaught errors, and injected markup."""
        found = [f"dialog {text}" for text in self.watch.dialogs]
        found += [f"request to another host: {url}" for url in self.watch.foreign_requests]
        for page in self.pages:
            if not page.is_closed():
                found += page.evaluate("window.__violations.splice(0)")
                found += page.evaluate(INJECTED_MARKUP)
        self.watch.dialogs.clear()
        self.watch.foreign_requests.clear()
        return found

    def check(self) -> None:
        assert self.problems() == []

    def cookie_names(self) -> set[str]:
        return {cookie["name"] for cookie in self.context.cookies()}


def sign_in(page: Any, username: str, password: str = site.PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address or username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.content()
