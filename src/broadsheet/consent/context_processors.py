"""What every page needs to ask for consent and honour it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.http import HttpRequest

# Campaign and click identifiers: a reader returning from the notice goes back to the page
# without them, and the page never repeats them (as its canonical link does not).
TRACKING_PARAMETER = re.compile(
    r"utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|_ga|_gl", re.IGNORECASE
)


def return_address(request: HttpRequest) -> str:
    """This page's path and query (search terms, page number), for the notice to come
    back to after a choice."""
    path, _, query = request.get_full_path().partition("?")
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if not TRACKING_PARAMETER.fullmatch(name)
    ]
    return f"{path}?{urlencode(kept)}" if kept else path


def consent(request: HttpRequest) -> dict[str, Any]:
    choice = getattr(request, "consent", None)
    allows = getattr(request, "consent_allows", lambda category: False)
    return {
        "consent": choice,
        "show_consent_notice": choice is None,
        "consent_return_to": return_address(request) if choice is None else "",
        # A site's analytics (self-hosted, say) runs only for readers who accepted it.
        "analytics_script_url": settings.ANALYTICS_SCRIPT_URL if allows("statistics") else "",
    }
