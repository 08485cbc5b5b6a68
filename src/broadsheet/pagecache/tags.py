"""What a page shows, and the changes that make it stale: tags and their tokens.

A page lists what it shows while it renders (`depends_on(request, "article:7", ...)`).
Each such tag has a token in the cache; a change replaces the tokens of the tags it
touches (`changed(...)`, after the transaction commits). A cached page is served only
while every token it was stored with is still current (middleware.py). Tokens are random,
not counters, so a token evicted from the cache can never come back equal to an old one.

A global token, EVERY_CHANGE, is replaced by every change: the middleware reads it before
and after a render, and the replay (replay.py) reads it before sending any copy.

An addition (`added()`: a comment published, a count gone up) replaces a second token per
tag instead, and the global EVERY_ADDITION. A page whose only stale tokens are addition
tokens may still be served for PAGE_CACHE_GRACE_SECONDS while one worker renders it again
(middleware.py); a page with a stale change token never is. So removals (unpublishing,
holding, deleting, a ban) show at once, and a busy page is rendered once per burst of new
comments rather than by every reader at once.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any, cast

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

from broadsheet.lib.transactions import commits_when_block_ends

logger = logging.getLogger(__name__)

TAG_PREFIX = "page-tag:"
ADDITION_PREFIX = "page-add:"
EVERY_CHANGE = "every-change"
EVERY_ADDITION = "every-addition"
# A tag every stored page carries: replaced after the cache was unreachable, so no page
# stored before an outage is served after it (changes made meanwhile went unannounced).
EVERY_PAGE = "every-page"
# Which live articles there are, and in what order: lists, archives, feeds.
LIVE_ARTICLES = "live-articles"


def tag(kind: str, pk: object) -> str:
    """The tag of one row a page shows: tag("article", 7) is "article:7"."""
    return f"{kind}:{pk}"


def depends_on(request: HttpRequest, *tags: str) -> None:
    """Record that the page being rendered shows what `tags` name."""
    recorded: set[str] | None = getattr(request, "page_cache_tags", None)
    if recorded is not None:
        recorded.update(tags)


def cache_until(request: HttpRequest, seconds: Callable[[], float | None]) -> None:
    """The page being rendered changes by itself after `seconds()` (a scheduled article
    going live), or never when that is None. Called only when the page will be stored, so
    pages that are not cost nothing."""
    current = getattr(request, "page_cache_seconds", None)
    if current is not None and (due := seconds()) is not None:
        request.page_cache_seconds = min(current, due)  # type: ignore[attr-defined]


def changed(*tags: str) -> None:
    """Invalidate every cached page showing one of `tags`: at once outside a transaction,
    else when the transaction commits, each tag once however often it was changed. The
    commit is what counts: a page rendered from the old rows before it is never served
    after it.

    Inside a nested atomic block the tokens are replaced at once as well, so the change
    shows to whatever reads pages inside the outer transaction (the test suite runs each
    test in one). In the outermost block of a real transaction the commit is a moment
    away, and replacing tokens inside it would hold SQLite's write lock (every comment
    post's) for two more file replacements."""
    _announce(tags, addition=False)


def added(*tags: str) -> None:
    """Announce that what `tags` name gained something readers may see up to
    PAGE_CACHE_GRACE_SECONDS late (a comment published at once, a count gone up), when the
    transaction commits as changed() does. Anything that takes away from a page, or alters
    what it shows, is a change(): those show at once."""
    _announce(tags, addition=True)


def _announce(tags: tuple[str, ...], *, addition: bool) -> None:
    if not tags:
        return
    connection = transaction.get_connection()
    if not commits_when_block_ends(connection):
        _replace_tokens(() if addition else tags, additions=tags if addition else ())
    if connection.in_atomic_block:
        pending = _pending_on_commit(connection)
        (pending.additions if addition else pending.changes).update(tags)


class _Pending:
    """The tags a transaction will announce when it commits: changed, and only added."""

    def __init__(self) -> None:
        self.changes: set[str] = set()
        self.additions: set[str] = set()


def _pending_on_commit(connection: Any) -> _Pending:
    """What this transaction will announce when it commits. A rolled-back transaction
    (or savepoint) drops its on-commit callbacks, so the record is trusted only while its
    callback is still registered."""
    registered = getattr(connection, "_page_cache_pending", None)
    if registered is not None:
        pending, registered_flush = registered
        if any(callback is registered_flush for _, callback, _ in connection.run_on_commit):
            return cast(_Pending, pending)
    pending = _Pending()

    def flush() -> None:
        connection._page_cache_pending = None
        # A tag both changed and added is changed: its pages are stale at once.
        _replace_tokens(pending.changes, additions=pending.additions - pending.changes)

    connection._page_cache_pending = (pending, flush)
    transaction.on_commit(flush)
    return pending


# Tags whose tokens this process could not replace because the cache was unreachable (a
# network cut or a restart may keep the pages stored before it): replaced, with every
# later change, as soon as the cache answers again, before this process serves a page.
# Any failure to reach the cache adds EVERY_PAGE (see cache_failed()).
_unreplaced: set[str] = set()
_unreplaced_lock = threading.Lock()


def _replace_tokens(
    tags: Iterable[str], *, additions: Iterable[str] = (), retrying: bool = False
) -> None:
    """Give `tags` new change tokens and `additions` new addition tokens, with the global
    token of each kind that is touched. An addition that cannot be announced is kept to be
    announced as a change: the outage may outlast the grace period."""
    with _unreplaced_lock:
        tags = {*tags, *_unreplaced}
    additions = set(additions) - tags
    if not tags and not additions:
        return
    # The global tokens are written first. A render that reads a tag's new token must
    # also see the global one move and not store the page; the reverse order would let
    # it store a page of the old rows under the new token (the file cache writes one file
    # at a time).
    tokens = {}
    if tags:
        tokens[TAG_PREFIX + EVERY_CHANGE] = secrets.token_hex(8)
    if additions:
        tokens[ADDITION_PREFIX + EVERY_ADDITION] = secrets.token_hex(8)
    tokens.update({TAG_PREFIX + tag: secrets.token_hex(8) for tag in tags - {EVERY_CHANGE}})
    tokens.update({ADDITION_PREFIX + tag: secrets.token_hex(8) for tag in additions})
    try:
        cache.set_many(tokens, timeout=None)
    except Exception:
        with _unreplaced_lock:
            _unreplaced.update((*tags, *additions, EVERY_PAGE, EVERY_CHANGE))
        if not retrying:
            # Retried on every request until the cache is back (pages expire after
            # PAGE_CACHE_SECONDS anyway, should this process stop first); say it loudly.
            logger.exception("Could not invalidate cached pages for %s", sorted(tokens))
        return
    with _unreplaced_lock:
        _unreplaced.difference_update(tags)


def cache_failed() -> None:
    """The cache could not be reached: changes made anywhere meanwhile may have gone
    unannounced, so once it answers again this process drops every stored page."""
    with _unreplaced_lock:
        _unreplaced.update((EVERY_PAGE, EVERY_CHANGE))


def replace_unreplaced_tokens() -> None:
    """Make the changes this process could not announce while the cache was down: called
    before any page is served from the cache (by the middleware and the replay)."""
    if _unreplaced:
        _replace_tokens((), retrying=True)


def current_tokens(tags: Iterable[str], additions: Iterable[str] = ()) -> dict[str, str]:
    """The current change token of each of `tags` and addition token of each of
    `additions`, in one read, making one for a tag that has none (new, or evicted). Keys
    are the cache's own: TAG_PREFIX or ADDITION_PREFIX and the tag."""
    return tokens_now(
        [TAG_PREFIX + tag for tag in tags] + [ADDITION_PREFIX + tag for tag in additions]
    )


def tokens_now(keys: Iterable[str]) -> dict[str, str]:
    """current_tokens() of the tokens' own keys."""
    keys = list(keys)
    found: dict[str, str] = cache.get_many(keys)
    missing = {key: secrets.token_hex(8) for key in keys if key not in found}
    for key, token in missing.items():
        # add(): if another worker made a token first, use that one.
        if not cache.add(key, token, timeout=None):
            token = cache.get(key) or ""
        found[key] = token
    return found
