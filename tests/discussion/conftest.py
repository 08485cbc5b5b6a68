"""Helpers for the discussion tests: comments stored as rows, and a small reader of the
page as a browser would show it.

`make_comment()` stores one comment the way `services.post_comment()` would leave it
(thread and depth from the parent, the article's count refreshed), but with any status or
time the test needs. `page_of()` parses a response into a tree of elements so a test can
ask for "the submitted line of comment 12" instead of matching raw HTML.

The posting helpers send the form as a reader would who took a few seconds over it (a
signed `shown_at` in the past), so screening's "too fast" check sees a person; the cache
holding the rate-limit counts is emptied before each test.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.core import signing
from django.http import HttpResponse
from django.urls import reverse

from broadsheet.discussion.forms import SHOWN_AT_SALT
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import refresh_comment_count
from broadsheet.publishing.models import Article
from tests.conftest import SAME_ORIGIN

# A fixed moment for comments that do not care when they were written, so ordering by
# time is decided by the `minutes` each test adds.
BASE_TIME = dt.datetime(2024, 3, 11, 9, 0, tzinfo=dt.UTC)


def form_shown_at(seconds_ago: float = 10) -> str:
    """The comment form's signed `shown_at`, as if the page was shown `seconds_ago`."""
    return signing.dumps(time.time() - seconds_ago, salt=SHOWN_AT_SALT)


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


# Reading pages ------------------------------------------------------------------------

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
