"""Helpers shared by the whole suite; the fixtures stay in the conftest.py files.

People, articles and comments stored as rows (`make_user()`, `make_article()`,
`make_comment()`, `held_comment()`…); comments posted through the form as a reader would
who took a few seconds over it (`post_form()`, `post_comment()`, Nadia and Tomasz); a
reader of pages as a browser shows them (`page_of()`, `shown_comments()`, `FormPage`…);
and running the console script, swapping the database connection and finding a free port.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.core import signing
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from broadsheet.accounts.models import User
from broadsheet.discussion.forms import SHOWN_AT_SALT
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import refresh_comment_count
from broadsheet.lib.addresses import address_hash
from broadsheet.publishing.models import Article, Author, Topic
from broadsheet.publishing.services import set_bylines

# Mail and requests ----------------------------------------------------------------------


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


# People and articles --------------------------------------------------------------------

_counter = itertools.count(1)


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
    published_at: dt.datetime | None = None,
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


def confirm_account(user: User) -> User:
    """Mark the account's address as confirmed, as following the sign-up link does."""
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])
    return user


# Comments stored as rows ----------------------------------------------------------------

# A fixed moment for comments that do not care when they were written, so ordering by
# time is decided by the `minutes` each test adds.
BASE_TIME = dt.datetime(2024, 3, 11, 9, 0, tzinfo=dt.UTC)

# The address the test client sends from (REMOTE_ADDR), as the site stores it.
TEST_CLIENT_ADDRESS = "127.0.0.1"


def make_comment(article: Article, **fields: Any) -> Comment:
    """A comment on `article`: published, anonymous and unconfirmed unless `fields` say
    otherwise. `parent=` makes it a reply one level below the parent, in its thread."""
    parent: Comment | None = fields.pop("parent", None)
    values: dict[str, Any] = {
        "name": "Morwenna Tate",
        "body_source": "I was at that meeting and it went on until ten.",
        "status": Comment.Status.PUBLISHED,
    }
    if "body" in fields:
        fields["body_source"] = fields.pop("body")
    if parent is not None:
        values["thread_id"] = parent.thread_id or parent.pk
        values["depth"] = parent.depth + 1
    values.update(fields)
    comment = Comment(article=article, parent=parent, **values)
    comment.save()
    refresh_comment_count(article.pk)
    return comment


def at(minutes: int) -> dt.datetime:
    """BASE_TIME plus `minutes`: the creation time of the n-th comment of a test."""
    return BASE_TIME + dt.timedelta(minutes=minutes)


def held_comment(article: Article, **fields: Any) -> Comment:
    """A comment as screening leaves one it held: with reasons, a spam score and a client
    address hash."""
    values: dict[str, Any] = {
        "status": Comment.Status.HELD,
        "email": "morwenna@example.net",
        "held_reasons": ["moderation-policy"],
        "spam_score": 0.42,
        "address_hash": address_hash("198.51.100.23"),
    }
    values.update(fields)
    return make_comment(article, **values)


# Comments posted through the form -------------------------------------------------------

# The honeypot and the signed time the form was shown: screening evidence, not questions.
SPAM_EVIDENCE = ("website", "shown_at")

NADIA = {"name": "Nadia Holm", "email": "nadia.holm@example.net", "homepage": ""}
TOMASZ = {"name": "Tomasz Wierzba", "email": "tomasz@example.net", "homepage": ""}


def form_shown_at(seconds_ago: float = 10) -> str:
    """The comment form's signed `shown_at`, as if the page was shown `seconds_ago`."""
    return signing.dumps(time.time() - seconds_ago, salt=SHOWN_AT_SALT)


def post_form(client: Any, article: Article, **fields: Any) -> HttpResponse:
    """Submit the comment form as a reader would, pressing Save."""
    data = {
        "name": "Morwenna Tate",
        "body": "Seen from the bus stop, it was chaos.",
        "save": "1",
        "shown_at": form_shown_at(),
    }
    data.update({k: v for k, v in fields.items() if v is not None})
    response: HttpResponse = client.post(
        reverse("discussion:post", args=[article.slug]), data, headers=SAME_ORIGIN
    )
    return response


def post_comment(client: Client, article: Article, *, follow: bool = False, **fields: Any) -> Any:
    """Press Save (or Preview, with preview="1") on the form under `article`, a few seconds
    after the page was shown (pass `shown_at=` to send another timestamp)."""
    data = {key: value for key, value in fields.items() if value is not None}
    if "preview" not in data:
        data.setdefault("save", "1")
    data.setdefault("shown_at", form_shown_at())
    url = reverse("discussion:post", args=[article.slug])
    return client.post(url, data, follow=follow, headers=SAME_ORIGIN)


def as_nadia(body: str, **extra: Any) -> dict[str, Any]:
    return {**NADIA, "body": body, **extra}


# Reading pages as a browser shows them --------------------------------------------------
# `page_of()` parses a response into a tree of elements so a test can ask for "the submitted
# line of comment 12" instead of matching raw HTML; `FormPage` reads the comment form.

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The element's text as a reader sees it, whitespace collapsed."""
        return " ".join(self._raw_text().split())

    def _raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c._raw_text() for c in self.children)

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str, class_: str | None = None) -> list[Element]:
        return [e for e in self.iter() if e.tag == tag and (class_ is None or class_ in e.classes)]

    def find(self, tag: str, class_: str | None = None) -> Element | None:
        found = self.find_all(tag, class_)
        return found[0] if found else None

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.iter() if e.attrs.get("id") == element_id), None)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self._open = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self._open)
        self._open.children.append(element)
        if tag not in _VOID:
            self._open = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open.children.append(Element(tag, {k: v or "" for k, v in attrs}, self._open))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self._open
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self._open = node.parent

    def handle_data(self, data: str) -> None:
        self._open.children.append(data)


def page_of(response: HttpResponse) -> Element:
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def comments_section(response: HttpResponse) -> Element | None:
    return page_of(response).by_id("comments")


def shown_comments(response: HttpResponse) -> list[Element]:
    """The comment articles under the article, in page order."""
    section = comments_section(response)
    return section.find_all("article", "comment") if section else []


def submitted_lines(response: HttpResponse) -> list[str]:
    """Each shown comment's "Submitted by …" line, in page order."""
    lines = []
    for comment in shown_comments(response):
        submitted = comment.find("p", "submitted")
        assert submitted is not None
        lines.append(submitted.text)
    return lines


def shown_ids(response: HttpResponse) -> list[int]:
    """The ids of the comments shown (not placeholders), in page order."""
    return [int(c.attrs["id"].removeprefix("comment-")) for c in shown_comments(response)]


def body_of(response: HttpResponse, comment: Comment) -> Element:
    section = comments_section(response)
    assert section is not None
    article = section.by_id(comment.anchor)
    assert article is not None, f"comment {comment.pk} is not on the page"
    body = article.find("div", "comment-body")
    assert body is not None
    return body


def reply_depth(response: HttpResponse, comment: Comment) -> int:
    """How many reply lists the shown comment sits in: 0 for a top-level comment."""
    section = comments_section(response)
    assert section is not None
    element = section.by_id(comment.anchor)
    assert element is not None, f"comment {comment.pk} is not on the page"
    return sum(1 for e in element.ancestors() if e.tag == "ol" and "replies" in e.classes)


class FormPage(HTMLParser):
    """What a browser would show of the comment form: field values, errors, buttons."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.checked: set[str] = set()
        self.inputs: dict[str, dict[str, str]] = {}
        self.errors: dict[str, list[str]] = {}
        self.buttons: list[str] = []
        self._textarea: str | None = None
        self._error: str | None = None
        self._button = False
        self._in_form = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form" and "comment-form" in attr.get("class", ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and attr.get("name"):
            self.inputs[attr["name"]] = attr
            if attr.get("type") == "checkbox":
                if "checked" in attr:
                    self.checked.add(attr["name"])
            else:
                self.values[attr["name"]] = attr.get("value", "")
        elif tag == "textarea":
            self._textarea = attr["name"]
            self.inputs[attr["name"]] = attr
            self.values[attr["name"]] = ""
        elif tag == "p" and attr.get("class") == "error":
            # A field's messages are id_<name>_error, id_<name>_error_2, …
            self._error = re.sub(r"_error(_\d+)?$", "", attr["id"].removeprefix("id_"))
            self.errors.setdefault(self._error, []).append("")
        elif tag == "button":
            self._button = True
            self.buttons.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea:
            # A browser drops the one line break that follows <textarea>.
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "p":
            self._error = None
        elif tag == "button":
            self._button = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data
        elif self._error:
            self.errors[self._error][-1] += data
        elif self._button:
            self.buttons[-1] += data.strip()


# The console script ---------------------------------------------------------------------

BROADSHEET = str(Path(sys.executable).with_name("broadsheet"))
# The variables of the test run's environment that `run_broadsheet()` passes on.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "PYTHONPATH")


def run_broadsheet(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the console script in a clean environment rooted at tmp_path."""
    clean = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    clean.update({"BROADSHEET_HOME": str(tmp_path), **env})
    return subprocess.run(
        [BROADSHEET, *args], env=clean, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def show(tmp_path: Path, expression: str, **env: str) -> str:
    """The value of a Python `expression` on the settings, as the console script prints it
    in a clean environment rooted at tmp_path."""
    code = f"from django.conf import settings; print({expression})"
    result = run_broadsheet(tmp_path, "shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


# Databases and ports --------------------------------------------------------------------


@contextmanager
def default_database(**changes: Any) -> Iterator[None]:
    """Swap the default connection for one configured with `changes` (nothing connects
    until a query), then put the real one back."""
    original = connections[DEFAULT_DB_ALIAS]
    config = {**original.settings_dict, **changes}
    connections[DEFAULT_DB_ALIAS] = load_backend(config["ENGINE"]).DatabaseWrapper(
        config, DEFAULT_DB_ALIAS
    )
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections[DEFAULT_DB_ALIAS] = original


def free_port() -> int:
    """A TCP port on loopback that nothing listens on at the moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def count_versioned_reads(monkeypatch: Any) -> list[str]:
    """The name of each read lib/versioned.py makes of the cache from now on, in order."""
    from django.core.cache import cache

    from broadsheet.lib import versioned

    reads: list[str] = []

    class Counting:
        def __getattr__(self, name: str) -> object:
            if name in {"get", "get_many"}:
                reads.append(name)
            return getattr(cache, name)

    monkeypatch.setattr(versioned, "cache", Counting())
    return reads
