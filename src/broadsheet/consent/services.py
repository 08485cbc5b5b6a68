"""Reading, giving and withdrawing consent.

The reader's choice travels in one signed first-party cookie (strictly necessary: it only
remembers the choice) holding a random consent id, the accepted categories, the cookie
policy version and the time. Each choice is also written as a ConsentRecord for proof. A
choice made under an older cookie policy, or older than CONSENT_MAX_AGE_DAYS, counts as
no choice, so the reader is asked again.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import (
    NECESSARY,
    POLICY_VERSION_CACHE_KEY,
    ConsentRecord,
    CookieCategory,
    PolicyPage,
)

logger = logging.getLogger(__name__)

COOKIE_NAME = "broadsheet_consent"
COOKIE_SALT = "broadsheet.consent"
POLICY_VERSION_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Consent:
    consent_id: str
    categories: frozenset[str]
    policy_version: int
    given_at: float

    def allows(self, category: str) -> bool:
        return category == NECESSARY or category in self.categories


def max_age_seconds() -> int:
    return int(settings.CONSENT_MAX_AGE_DAYS * 24 * 60 * 60)


def current_policy_version() -> int:
    """The version of the published cookie policy (0 while there is none); cached, and
    forgotten whenever a policy page is saved or deleted. Without the cache (Redis down) it
    is read from the database on each call, so pages still render."""
    try:
        version = cache.get(POLICY_VERSION_CACHE_KEY)
    except Exception:
        logger.warning("Cookie policy version read from the database: the cache failed.")
        version = None
    if version is None:
        now = timezone.now()
        cookie_policies = PolicyPage.objects.filter(kind=PolicyPage.Kind.COOKIES)
        latest = (
            cookie_policies.published()
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        version = latest or 0
        # A version scheduled to appear soon must ask readers again when it appears, not
        # up to a cache lifetime later: the cached value lasts only until then.
        scheduled = (
            cookie_policies.filter(published_at__gt=now)
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        timeout = POLICY_VERSION_CACHE_SECONDS
        if scheduled is not None:
            timeout = max(1, min(timeout, int((scheduled - now).total_seconds())))
        try:
            cache.set(POLICY_VERSION_CACHE_KEY, version, timeout)
        except Exception:
            pass  # logged above, when the read failed the same way
    return int(version)


def optional_category_keys() -> list[str]:
    return list(CookieCategory.objects.filter(always_on=False).values_list("key", flat=True))


def read_consent(request: HttpRequest) -> Consent | None:
    """The reader's valid choice, or None when they must be asked (no choice, a tampered
    or expired cookie, or a choice made under an earlier cookie policy)."""
    return consent_from_cookie(request.COOKIES.get(COOKIE_NAME, ""))


def page_variant(raw: str) -> str:
    """The shared variant of cached pages a consent cookie's value selects: the notice
    without a valid choice, else the accepted categories (embeds, analytics, "remember
    me"). The page cache's key reads it, in Django and in the replay before Django."""
    consent = consent_from_cookie(raw)
    return "none" if consent is None else ",".join(sorted(consent.categories)) or "necessary"


def consent_from_cookie(raw: str) -> Consent | None:
    """The valid choice a consent cookie's value carries, or None (see read_consent())."""
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=COOKIE_SALT, max_age=max_age_seconds())
        consent = Consent(
            consent_id=str(data["id"]),
            categories=frozenset(str(key) for key in data["c"]),
            policy_version=int(data["v"]),
            given_at=float(data["t"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if consent.policy_version != current_policy_version():
        return None
    return consent


def give_consent(
    request: HttpRequest, response: HttpResponse, action: str, categories: list[str]
) -> Consent:
    """Record a choice and set the cookie that carries it. Unknown categories are ignored;
    the necessary category is implied and never stored as a choice."""
    allowed = set(optional_category_keys())
    chosen = sorted(set(categories) & allowed)
    previous = read_consent_raw_id(request)
    consent = Consent(
        consent_id=previous or str(uuid.uuid4()),
        categories=frozenset(chosen),
        policy_version=current_policy_version(),
        given_at=time.time(),
    )
    ConsentRecord.objects.create(
        consent_id=consent.consent_id,
        action=action,
        categories=chosen,
        policy_version=consent.policy_version,
    )
    value = signing.dumps(
        {"id": consent.consent_id, "c": chosen, "v": consent.policy_version, "t": consent.given_at},
        salt=COOKIE_SALT,
        compress=True,
    )
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=max_age_seconds(),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    remove_refused_cookies(request, response, consent)
    return consent


def read_consent_raw_id(request: HttpRequest) -> str | None:
    """The consent id of an earlier choice, even one that has lapsed, so one reader's
    records stay linked."""
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        return str(signing.loads(raw, salt=COOKIE_SALT)["id"])
    except (signing.BadSignature, KeyError, TypeError):
        return None


def necessary_cookie_names() -> set[str]:
    """The site's own strictly necessary cookies. Known from the code, not only from the
    category table, so a site whose table was edited (or emptied) still works."""
    return {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        "messages",
        COOKIE_NAME,
        "broadsheet_commenter",
        "broadsheet_primary_until",  # broadsheet/db/replicas.py, only with read replicas
    }


def cookie_categories() -> dict[str, str]:
    """Cookie name -> category key, from the categories' declared cookies."""
    mapping: dict[str, str] = dict.fromkeys(necessary_cookie_names(), NECESSARY)
    for category in CookieCategory.objects.all():
        for name, _ in category.cookie_list():
            mapping.setdefault(name, NECESSARY if category.always_on else category.key)
    return mapping


def remove_refused_cookies(
    request: HttpRequest, response: HttpResponse, consent: Consent | None
) -> None:
    """Expire cookies the reader holds from categories they have now refused."""
    mapping = cookie_categories()
    for name in request.COOKIES:
        category = mapping.get(name)
        if category and category != NECESSARY and not (consent and consent.allows(category)):
            response.delete_cookie(name)


def purge_consent_records(now: dt.datetime | None = None) -> int:
    """Delete the consent records older than CONSENT_RECORD_RETENTION_DAYS; returns how
    many went."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.CONSENT_RECORD_RETENTION_DAYS)
    deleted, _ = ConsentRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
