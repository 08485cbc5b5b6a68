"""Whole journeys in a real browser: a reader, a moderator, cookies and search."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e import site
from tests.e2e.helpers import Site, sign_in

ARTICLE = f"/articles/{site.ARTICLE_SLUG}/"
# What the site may keep in the browser of a reader who accepted nothing: the record of
# the choice itself, and the CSRF and session cookies forms and sign-in need.
STRICTLY_NECESSARY = {"broadsheet_consent", "csrftoken", "sessionid", "messages"}


def fill_anonymous_comment(page: Any, name: str, body: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_role("textbox", name=re.compile(r"^Comment")).fill(body)


def reject_cookies(page: Any) -> None:
    notice = page.locator("[data-consent-notice]")
    notice.get_by_role("button", name="Reject all").click()
    notice.wait_for(state="hidden")


def test_anonymous_comment_is_held_then_approved_and_shown_as_not_verified(
    browsing: Any, served: Site
) -> None:
    reader = browsing().new_page()
    reader.goto(ARTICLE)
    assert reader.get_by_role("heading", level=1).inner_text() == site.ARTICLE_TITLE
    reject_cookies(reader)

    fill_anonymous_comment(reader, "Lowenna Price", "Will the ferry still run while they work?")
    reader.get_by_role("button", name="Save").click()
    reader.wait_for_load_state()

    assert "once a moderator has reviewed it" in reader.locator(".messages").inner_text()
    own = reader.locator("article.comment", has_text="Will the ferry still run")
    assert "Only you can see it" in own.inner_text()
    [stored] = served.comments(name="Lowenna Price")
    assert stored["status"] == "held"

    moderator = browsing().new_page()
    sign_in(moderator, "morgan")
    moderator.goto("/moderation/")
    queued = moderator.locator("article.queued-comment", has_text="Will the ferry still run")
    queued.get_by_role("button", name="Approve").click()
    moderator.wait_for_load_state()
    assert served.comments(name="Lowenna Price")[0]["status"] == "published"

    reader.reload()
    shown = reader.locator("article.comment", has_text="Will the ferry still run")
    submitted = shown.locator(".submitted").inner_text()
    assert re.fullmatch(
        r"Submitted by Lowenna Price \(not verified\) on \w{3}, \d\d/\d\d/\d{4} - \d\d:\d\d",
        submitted,
    ), submitted
    assert "Only you can see it" not in shown.inner_text()


def test_reply_without_javascript_goes_through_the_reply_page(browsing: Any, served: Site) -> None:
    page = browsing(java_script_enabled=False).new_page()
    page.goto(ARTICLE)
    parent = served.comments(name="Harriet Pole")[0]
    page.locator(f"#comment-{parent['id']}").get_by_role("link", name="Reply").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/comment/{parent['id']}/reply/")
    assert "Reply to Harriet Pole" in page.get_by_role("heading", level=2).first.inner_text()

    fill_anonymous_comment(page, "Idris Kerr", "Reply sent from a browser with scripts off.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    [reply] = served.comments(name="Idris Kerr")
    assert reply["parent_id"] == parent["id"]
    assert reply["body_source"] == "Reply sent from a browser with scripts off."


def test_reply_with_javascript_moves_the_form_under_the_comment(
    browsing: Any, served: Site
) -> None:
    page = browsing().new_page()
    page.goto(ARTICLE)
    parent = served.comments(name="Sam Ekwueme")[0]
    comment = page.locator(f"#comment-{parent['id']}")
    comment.get_by_role("link", name="Reply").click()

    assert page.url.endswith(ARTICLE), "the reply link should not leave the page"
    form_section = page.locator("#add-comment")
    assert form_section.get_by_role("heading").inner_text() == "Reply to Sam Ekwueme"
    follows = page.evaluate(
        "id => document.getElementById(id).nextElementSibling === "
        "document.getElementById('add-comment')",
        f"comment-{parent['id']}",
    )
    assert follows, "the form should sit right under the comment being answered"
    assert page.evaluate("document.activeElement.name") == "body"

    fill_anonymous_comment(page, "Nia Okoro", "Reply written in place, with scripts on.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    [reply] = served.comments(name="Nia Okoro")
    assert reply["parent_id"] == parent["id"]


def test_cancel_reply_puts_the_form_back(browsing: Any, served: Site) -> None:
    page = browsing().new_page()
    page.goto(ARTICLE)
    parent = served.comments(name="Sam Ekwueme")[0]
    page.locator(f"#comment-{parent['id']}").get_by_role("link", name="Reply").click()
    page.get_by_role("button", name="Cancel reply").click()

    assert page.locator("#add-comment").get_by_role("heading").inner_text() == "Add new comment"
    assert page.locator("input[name=parent]").input_value() == ""


def test_first_visit_and_reject_all_leave_only_strictly_necessary_cookies(
    browsing: Any, served: Site
) -> None:
    visit = browsing()
    page = visit.new_page()
    page.goto(ARTICLE)
    assert visit.cookie_names() <= STRICTLY_NECESSARY, visit.cookie_names()

    reject_cookies(page)
    page.reload()
    assert page.locator("[data-consent-notice]").count() == 0
    assert "broadsheet_consent" in visit.cookie_names()
    assert visit.cookie_names() <= STRICTLY_NECESSARY, visit.cookie_names()

    local_requests = [request.url for request in visit.watch.requests]
    assert local_requests and all(url.startswith(served.url) for url in local_requests)


def test_accept_all_then_withdraw_on_the_cookies_page(browsing: Any, served: Site) -> None:
    visit = browsing()
    page = visit.new_page()
    page.goto(ARTICLE)
    page.locator("[data-consent-notice]").get_by_role("button", name="Accept all").click()
    page.locator("[data-consent-notice]").wait_for(state="hidden")

    # Preferences accepted: the comment form offers to remember the commenter.
    page.reload()
    assert page.get_by_label("Remember me").count() == 1
    fill_anonymous_comment(page, "Tamsin Roe", "Remember me, please.")
    page.get_by_label("Remember me").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "broadsheet_commenter_details" in visit.cookie_names()

    page.goto("/cookies/")
    for switch in page.locator("input[type=checkbox]").all():
        if switch.is_enabled():
            switch.uncheck()
    page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_load_state()

    assert visit.cookie_names() <= STRICTLY_NECESSARY, visit.cookie_names()
    page.goto(ARTICLE)
    assert page.get_by_label("Remember me").count() == 0
    assert page.get_by_label("Your name").input_value() == ""


def test_search_from_the_header(page: Any) -> None:
    page.goto("/")
    search = page.get_by_role("search")
    search.get_by_label("Search").fill("harbour wall")
    search.get_by_role("button", name="Search").click()
    page.wait_for_load_state()

    assert "/search/" in page.url and "q=harbour+wall" in page.url
    results = page.get_by_role("main")
    results.get_by_role("link", name=site.ARTICLE_TITLE).click()
    page.wait_for_load_state()
    assert page.url.endswith(ARTICLE)
