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

    assert page.evaluate("window.ran === undefined"), "CSP should block inline script"
    problems = visit.problems()
    assert "dialog alert: caught" in problems
    assert "request to another host: https://elsewhere.invalid/x.png" in problems
    assert any(found.startswith("script-src") for found in problems), problems
    assert any(found.startswith("script <script>") for found in problems), problems
    # problems() forgets what it reported; a fresh page has none of its own.
    page.goto("/")
    assert visit.problems() == []


def test_injected_markup_is_caught(browsing: Any) -> None:
    visit = browsing()
    page = visit.new_page()
    page.goto("/")
    page.evaluate(
        "() => { const a = document.createElement('a');"
        " a.href = 'javascript:void(0)'; a.setAttribute('onclick', 'x()');"
        " document.querySelector('main').append(a); }"
    )

    problems = visit.problems()

    assert any(found.startswith("handler <a") for found in problems), problems
    assert any(found.startswith("active URL <a") for found in problems), problems
    page.goto("/")
