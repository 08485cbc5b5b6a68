"""Hostile input through the real comment form and in every address, in a real browser.

Each form case is typed into the comment form of one article and sent; then the article
and the moderation queue are opened. Every page is watched (tests/e2e/conftest.py) for
dialogs, CSP violations, uncaught errors, requests to other hosts and injected markup.
What was sent is read from the request itself (the browser tidies some inputs, e-mail
and URL fields lose their line breaks), and must then be stored exactly, or refused with
a message and shown again as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote

import pytest

from tests.e2e import site
from tests.e2e.helpers import Browsing, Site, sign_in
from tests.e2e.hostile import ADDRESS_CASES, FORM_CASES, MALFORMED_BODIES, AddressCase, FormCase

HOSTILE_ARTICLE = f"/articles/{site.HOSTILE_ARTICLE_SLUG}/"
TYPED_FIELDS = ("name", "email", "homepage", "body")
MESSAGES = ".field-error .error, .form-errors"


@pytest.fixture(scope="module")
def reader(browser: Any, served: Site) -> Iterator[Browsing]:
    visit = Browsing(browser, served)
    page = visit.new_page()
    page.goto(HOSTILE_ARTICLE)
    page.locator("[data-consent-notice]").get_by_role("button", name="Reject all").click()
    page.locator("[data-consent-notice]").wait_for(state="hidden")
    yield visit
    visit.context.close()


@pytest.fixture(scope="module")
def moderator(browser: Any, served: Site) -> Iterator[Browsing]:
    visit = Browsing(browser, served)
    sign_in(visit.new_page(), "morgan")
    yield visit
    visit.context.close()


def newest_comment_id(served: Site) -> int:
    return int(served.query("SELECT COALESCE(MAX(id), 0) FROM discussion_comment")[0][0])


def tidy(field: str, value: str) -> str:
    """The changes the form makes by design: single-line fields lose outer whitespace, and
    a name's inner runs of whitespace become one space (accounts.names.clean_display_name).
    The comment body is kept exactly."""
    if field == "body":
        return value
    return " ".join(value.split()) if field == "name" else value.strip()


def as_form_value(sent: str) -> str:
    """What a form field holds when the page shows `sent` again: a textarea's value has
    LF line ends (browsers send CRLF), and HTML cannot carry NUL, which the parser shows
    as U+FFFD (the error message says why the comment was refused)."""
    return sent.replace("\r\n", "\n").replace("\x00", "\ufffd")


def send_comment(page: Any, values: dict[str, str]) -> dict[str, str]:
    """Type `values` into the comment form, press Save, and return what the browser sent."""
    for name, value in values.items():
        page.locator(f"#id_{name}").fill(value)
    with page.expect_request(lambda r: r.method == "POST" and "/comment/" in r.url) as sent:
        page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    form = parse_qs(sent.value.post_data or "", keep_blank_values=True, errors="strict")
    return {name: form.get(name, [""])[0] for name in TYPED_FIELDS}


@pytest.mark.parametrize("case", FORM_CASES, ids=[case.label for case in FORM_CASES])
def test_hostile_comment(
    case: FormCase, reader: Browsing, moderator: Browsing, served: Site
) -> None:
    page = reader.pages[0]
    page.goto(HOSTILE_ARTICLE)
    before = newest_comment_id(served)
    values = {
        "name": "Corpus Reader",
        "email": "",
        "homepage": "",
        "body": f"An ordinary comment about {case.label}.",
        **case.fields,
    }
    sent = send_comment(page, values)
    stored = [row for row in served.comments() if row["id"] > before]

    if stored:
        [row] = stored
        assert case.expect in {"stored", "either"}, f"should have been refused, stored {row}"
        assert row["name"] == tidy("name", sent["name"])
        assert row["email"] == tidy("email", sent["email"])
        assert row["homepage"] == tidy("homepage", sent["homepage"])
        assert row["body_source"] == sent["body"]
        shown = page.locator(f"#comment-{row['id']} .submitted")
        assert shown.inner_text().startswith(f"Submitted by {row['name']} (not verified)")
    else:
        assert case.expect in {"refused", "either"}, "should have been stored"
        messages = page.locator(MESSAGES)
        assert messages.count() >= 1 and messages.first.inner_text().strip(), (
            "a refused comment needs a message saying why"
        )
        for name in TYPED_FIELDS:
            kept = page.locator(f"#id_{name}").input_value()
            assert tidy(name, kept) == tidy(name, as_form_value(sent[name])), (
                f"the form should keep the {name} as typed"
            )
    assert reader.problems() == []

    queue = moderator.pages[0]
    queue.goto("/moderation/?status=all")
    assert moderator.problems() == []


@pytest.mark.parametrize("case", ADDRESS_CASES, ids=[case.label for case in ADDRESS_CASES])
def test_hostile_address(
    case: AddressCase, reader: Browsing, moderator: Browsing, served: Site
) -> None:
    visit = moderator if case.as_moderator else reader
    page = visit.pages[0]
    response = page.goto(case.path)
    assert response is not None and response.status < 500, response and response.status
    if case.shown_in:
        assert page.locator(case.shown_in).input_value() == case.shown_value
    assert visit.problems() == []
    # The tables survive whatever the search box was sent.
    assert served.query("SELECT COUNT(*) FROM publishing_article")[0][0] >= 2


@pytest.mark.parametrize("target", ["/cookies/", "/accounts/login/"])
def test_a_javascript_next_address_is_never_followed(browsing: Any, target: str) -> None:
    visit = browsing()
    page = visit.new_page()
    page.goto(f"{target}?next={quote('javascript:alert(document.domain)')}")
    if target == "/accounts/login/":
        page.get_by_label("Email address or username").fill("rita")
        page.get_by_label("Password").fill(site.PASSWORD)
        page.get_by_role("button", name="Log in").click()
    else:
        page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_load_state()

    assert page.url.startswith(visit.site.url), page.url
    assert visit.problems() == []


@pytest.mark.parametrize("label", list(MALFORMED_BODIES))
def test_malformed_utf8_is_refused_with_a_message(
    label: str, reader: Browsing, served: Site
) -> None:
    page = reader.pages[0]
    page.goto(HOSTILE_ARTICLE)
    before = newest_comment_id(served)

    response = page.request.post(
        f"{served.url}/articles/{site.HOSTILE_ARTICLE_SLUG}/comment/",
        data=MALFORMED_BODIES[label] + b"&name=Corpus+Reader&save=1",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": served.url,
            "Referer": served.url + HOSTILE_ARTICLE,
        },
    )

    assert response.status == 400
    assert "not valid UTF-8" in response.text()
    assert newest_comment_id(served) == before
