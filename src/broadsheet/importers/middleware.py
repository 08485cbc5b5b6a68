"""Permanent redirects from an imported site's old addresses to the articles they became.

Cheap for every other request: the table is consulted only for a GET or HEAD that carries
a query string (WordPress's "/?p=12" reaches Django because the page cache does not keep
such pages) or whose response is a 404, and each answer, found or not, is cached for
REDIRECT_CACHE_SECONDS. The loader forgets the cached answers for the paths it stores.
A query string made only of this site's own parameters (SITE_PARAMETERS: a page number,
a search) is the site's own address, never an old one, and is not looked up: search and
list pages cost no extra query.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from broadsheet.publishing.models import Article

from .models import Redirect

logger = logging.getLogger(__name__)

REDIRECT_CACHE_SECONDS = 600
_NOT_FOUND = 0  # cached for a path no redirect knows
MAX_PATH_LENGTH = 500  # Redirect.old_path
SITE_PARAMETERS = frozenset({"page", "q", "next", "term"})


def _may_be_old(query: str) -> bool:
    names = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
    return not names or not names <= SITE_PARAMETERS


def _cache_key(path: str) -> str:
    return "import-redirect:" + hashlib.sha256(path.encode()).hexdigest()


def forget_cached(paths: Iterable[str]) -> None:
    """Drop cached answers for these old paths (after an import stored or changed them)."""
    keys = [_cache_key(path) for path in paths]
    try:
        cache.delete_many(keys)
    except Exception:
        logger.exception("Could not forget cached redirects; they expire on their own.")


def redirect_target(path: str) -> str | None:
    """The address an old path now redirects to, or None."""
    if len(path) > MAX_PATH_LENGTH:
        return None
    key = _cache_key(path)
    try:
        article_id = cache.get(key)
    except Exception:
        article_id = None
    if article_id is None:
        found = Redirect.objects.filter(old_path=path).values_list("article_id", flat=True)
        article_id = found.first() or _NOT_FOUND
        try:
            cache.set(key, article_id, REDIRECT_CACHE_SECONDS)
        except Exception:
            pass  # answered from the database all the same
    if article_id == _NOT_FOUND:
        return None
    # The slug is read each time, so a renamed article is still found.
    slug = Article.objects.filter(pk=article_id).values_list("slug", flat=True).first()
    return Article(slug=slug).get_absolute_url() if slug else None


class RedirectMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        old = query and _may_be_old(query)
        if old and (target := redirect_target(f"{request.path}?{query}")):
            return HttpResponsePermanentRedirect(target)
        response = self.get_response(request)
        if response.status_code == 404 and (target := redirect_target(request.path)):
            return HttpResponsePermanentRedirect(target)
        return response
