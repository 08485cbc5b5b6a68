"""Accessibility in the browser: axe-core's WCAG 2.2 A and AA rules on the pages readers
and moderators use, and the keyboard: every control reachable and visibly focused, the
consent notice never trapping focus, form errors announced and focused."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e import site
from tests.e2e.helpers import AXE_SCRIPT, Site, require, sign_in

ARTICLE = f"/articles/{site.ARTICLE_SLUG}/"
WCAG_22_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Every control a person can reach, and where focus is, described for messages.
CONTROLS = "a[href], button, input:not([type=hidden]), textarea, select, summary, [tabindex='0']"
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    key: el.tagName + "|" + (el.id || el.name || el.getAttribute("href") || "") + "|" +
      (el.textContent || el.value || "").trim().slice(0, 40),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none",
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
      box.top < innerHeight && box.left < innerWidth,
    inNotice: !!el.closest("[data-consent-notice]"),
  };
}"""
EXPECTED_CONTROLS = f"""() => Array.from(document.querySelectorAll("{CONTROLS}"))
  .filter(el => el.tabIndex >= 0 && !el.disabled && !el.closest("[aria-hidden=true]") &&
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
  .map(el => el.tagName + "|" + (el.id || el.name || el.getAttribute("href") || "") + "|" +
    (el.textContent || el.value || "").trim().slice(0, 40))"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    require(AXE_SCRIPT.exists(), f"axe-core not installed at {AXE_SCRIPT} (run: npm ci)")
    return AXE_SCRIPT.read_text()


def axe_violations(page: Any, axe_source: str) -> list[str]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern, so
    # the CSP stays on for the rest of the page.
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_A_AA
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]


def test_axe_finds_what_it_should(page: Any, axe_source: str) -> None:
    page.goto("/")
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")

    assert any(found.startswith("image-alt") for found in axe_violations(page, axe_source))


def reject_cookies(page: Any) -> None:
    page.locator("[data-consent-notice]").get_by_role("button", name="Reject all").click()
    page.locator("[data-consent-notice]").wait_for(state="hidden")


@pytest.mark.parametrize(
    "path", ["/", ARTICLE, "/cookies/", "/search/?q=harbour", "/privacy/", "/accounts/login/"]
)
def test_reader_pages_have_no_wcag_violations(page: Any, axe_source: str, path: str) -> None:
    page.goto(path)
    if page.locator("[data-consent-notice]").count():
        # First with the consent notice showing, then without it.
        assert axe_violations(page, axe_source) == []
        reject_cookies(page)
        page.reload()
    assert axe_violations(page, axe_source) == []


def test_comment_form_with_errors_has_no_wcag_violations(page: Any, axe_source: str) -> None:
    page.goto(ARTICLE)
    reject_cookies(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.locator(".field-error").count() >= 2

    assert axe_violations(page, axe_source) == []


def test_moderation_queue_has_no_wcag_violations(
    browsing: Any, axe_source: str, served: Site
) -> None:
    reader = browsing().new_page()
    reader.goto(ARTICLE)
    reject_cookies(reader)
    reader.locator("#id_name").fill("Queue Sample")
    reader.locator("#id_body").fill("A held comment, so the queue has something in it.")
    reader.get_by_role("button", name="Save").click()
    reader.wait_for_load_state()

    moderator = browsing().new_page()
    sign_in(moderator, "morgan")
    moderator.goto("/moderation/")
    reject_cookies(moderator)
    moderator.reload()
    assert moderator.locator("article.queued-comment").count() >= 1

    assert axe_violations(moderator, axe_source) == []


def tab_through(page: Any, limit: int = 400) -> list[dict[str, Any]]:
    """Press Tab until focus comes back round to where it started; what was focused."""
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(DESCRIBE_FOCUS)
        if focused is None:
            if seen:
                break
            continue
        if seen and focused["key"] == seen[0]["key"]:
            break
        seen.append(focused)
    return seen


@pytest.mark.parametrize("path", ["/", ARTICLE, "/cookies/"])
def test_every_control_is_reachable_by_keyboard_and_visibly_focused(page: Any, path: str) -> None:
    page.goto(path)
    reject_cookies(page)
    page.reload()
    expected = page.evaluate(EXPECTED_CONTROLS)

    focused = tab_through(page)

    assert [item["key"] for item in focused] == expected
    unmarked = [item["key"] for item in focused if not (item["outline"] or item["shadow"])]
    assert unmarked == [], "focus must be visible on every control"
    hidden = [item["key"] for item in focused if not item["visible"]]
    assert hidden == [], "a focused control must be on screen"


def test_the_consent_notice_does_not_trap_focus(page: Any) -> None:
    page.goto(ARTICLE)
    expected = page.evaluate(EXPECTED_CONTROLS)

    focused = tab_through(page)

    keys = [item["key"] for item in focused]
    assert keys == expected, "the notice's buttons sit in the tab order with the page's"
    in_notice = [item["inNotice"] for item in focused]
    assert any(in_notice) and not all(in_notice)
    # The page's own controls come first; the notice's last control leads back out.
    assert in_notice.index(True) > 0
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    after = page.evaluate(DESCRIBE_FOCUS)
    assert after is None or not after["inNotice"]


def test_form_errors_are_announced_and_focus_moves_to_the_first(page: Any) -> None:
    page.goto(ARTICLE)
    reject_cookies(page)
    page.locator("#id_body").fill("Sent without a name, from the keyboard.")
    page.get_by_role("button", name="Save").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    active = page.evaluate("document.activeElement.id")
    assert active == "id_name", "focus should move to the first field with an error"
    name = page.locator("#id_name")
    assert name.get_attribute("aria-invalid") == "true"
    described = (name.get_attribute("aria-describedby") or "").split()
    messages = [page.locator(f"#{ident}").inner_text() for ident in described]
    assert any(re.search(r"name", text, re.IGNORECASE) for text in messages), messages
    assert page.locator("#id_body").input_value() == "Sent without a name, from the keyboard."
