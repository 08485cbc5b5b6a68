"""Puts the reader's choice on `request.consent`, and holds every response to it.

Other apps ask `request.consent_allows("preferences")` before setting a cookie of that
category. As a safety net, a response may only set cookies that a category declares and
the reader has accepted (strictly necessary ones always): anything else is dropped and
logged, so a forgotten check cannot set a cookie without consent.

Every HTML page depends on the choice (the notice, the analytics script), so HTML responses
say `Vary: Cookie`: a shared cache may still hand the page with the notice to every first
visitor (they send no cookie), but never one reader's page to another.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from .models import NECESSARY
from .services import cookie_categories, necessary_cookie_names, read_consent

logger = logging.getLogger(__name__)


class ConsentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        consent = read_consent(request)
        request.consent = consent  # type: ignore[attr-defined]
        request.consent_allows = (  # type: ignore[attr-defined]
            lambda category: (
                category == NECESSARY or (consent is not None and consent.allows(category))
            )
        )
        response = self.get_response(request)
        if response.cookies:
            self._drop_cookies_without_consent(request, response)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ["Cookie"])
        return response

    def _drop_cookies_without_consent(self, request: HttpRequest, response: HttpResponse) -> None:
        # The consent view itself has just set the choice; read it from the response.
        consent = getattr(response, "consent", None) or getattr(request, "consent", None)
        necessary = necessary_cookie_names()
        if necessary.issuperset(response.cookies):
            return  # the usual case, decided without asking the database
        mapping = cookie_categories()
        for name, morsel in list(response.cookies.items()):
            if morsel["max-age"] == 0 or morsel.value == "":
                continue  # deleting a cookie is always allowed
            category = mapping.get(name)
            if category == NECESSARY or (category and consent and consent.allows(category)):
                continue
            logger.warning(
                "Dropped cookie %r: %s", name,
                "not declared in any cookie category" if category is None
                else f"the reader has not accepted {category!r}",
            )  # fmt: skip
            del response.cookies[name]
