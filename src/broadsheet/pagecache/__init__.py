"""The page cache: whole pages for anonymous readers, kept in the configured cache backend,
invalidated exactly when something they show changes, and replayed before Django while
nothing has. README.md in this folder states what it promises.

What the apps use is here: `depends_on()` and `cache_until()` while a page renders,
`changed()` when a change commits (`added()` for an addition that readers may see a
moment later), `tag()` to name a row, `personal_when_present()` and
`varies_with_cookie()` at start-up. The rest is wired by settings.py (the middleware, the
file cache backend) and wsgi.py (the replay):

- tags.py: tags and their tokens, `changed()` and `added()`;
- flight.py: the render lock, so a stale page is rendered once, not by every reader;
- keys.py: which requests share a page, and `page_key()`, the one function that makes a
  page's key, for the middleware and the replay alike;
- middleware.py: `PageCacheMiddleware`, which serves and stores pages;
- replay.py: `PageReplay`, the WSGI wrapper that sends a served page again without Django;
- file_cache.py: the default cache backend, Django's file cache with cheaper writes.

A plain package, not an installed app: it has no models, templates, checks or ready()
work, and its only signal receivers (forgetting what it keeps per process when a test
changes a setting) connect when it is imported, which the middleware and the replay do.
It builds on lib only; lib imports nothing from it.
"""

from __future__ import annotations

from .keys import personal_when_present, varies_with_cookie
from .middleware import rendering_for_cache
from .tags import EVERY_PAGE, LIVE_ARTICLES, added, cache_until, changed, depends_on, tag

__all__ = [
    "EVERY_PAGE",
    "LIVE_ARTICLES",
    "added",
    "cache_until",
    "changed",
    "depends_on",
    "personal_when_present",
    "rendering_for_cache",
    "tag",
    "varies_with_cookie",
]
