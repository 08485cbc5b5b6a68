"""The watch on every browser test catches what it is there to catch."""

from __future__ import annotations

from typing import Any


def test_dialogs_csp_violations_and_foreign_requests_are_caught(browsing: Any) -> None:
    visit = browsing()
    page = visit.new_page()
    page.goto("/")

    page.evaluate("alert('caught')")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.append(s); }"
    )
    page.evaluate("new Image().src = 'https://elsewhere.invalid/x.png'")
    page.wait_for_timeout(200)

    assert visit.watch.dialogs == ["alert: caught"]
    assert page.evaluate("window.ran === undefined"), "CSP should block inline script"
    assert any("script-src" in found for found in visit.violations())
    assert visit.watch.foreign_requests == ["https://elsewhere.invalid/x.png"]

    # Reset, so the fixture's own check at the end of the test passes.
    visit.watch.dialogs.clear()
    visit.watch.foreign_requests.clear()
    page.evaluate("window.__violations.length = 0")
