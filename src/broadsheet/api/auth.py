"""Who is calling: a personal API token (accounts.tokens) sent as `Authorization: Bearer
<token>`, for the operations that act for someone (editing articles, moderating).

An operation with `auth=token_auth` answers 401 for a missing, unknown or revoked token,
429 beyond API_TOKEN_RATE_LIMIT requests per token, and otherwise sets `request.user` to
the token's owner, so permissions are checked as they are now (`require_perm()` → 403).
Public operations take no credentials and ignore the header.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from broadsheet.accounts.models import ApiToken, User
from broadsheet.accounts.tokens import token_for

from .errors import ApiError

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for(token.strip())
        if found is None:
            return None
        _check_rate_limit(request, found)
        request.user = found.user
        return found


token_auth = TokenAuth()


def _check_rate_limit(request: HttpRequest, token: ApiToken) -> None:
    limit = settings.API_TOKEN_RATE_LIMIT
    if limit is None:
        return
    try:
        usage: dict[str, Any] | None = get_usage(
            request,
            group="broadsheet.api.token",
            key=lambda _group, _request: str(token.pk),
            rate=limit,
            increment=True,
        )
    except Exception:
        # A failing cache must not lock editors and moderators out.
        logger.warning("API token rate limit skipped: the cache failed.", exc_info=True)
        return
    if usage is not None and usage["should_limit"]:
        seconds = limit[1]
        wait = seconds - int(timezone.now().timestamp()) % seconds
        raise ApiError(
            429, "Too many requests with this token; try again later.",
            headers={"Retry-After": str(wait)},
        )  # fmt: skip


def acting_user(request: HttpRequest) -> User:
    """The owner of the request's token (token_auth has run)."""
    user = request.user
    assert isinstance(user, User)
    return user


def require_perm(request: HttpRequest, permission: str, what: str) -> User:
    """The token's owner if they hold `permission` now; 403 otherwise."""
    user = acting_user(request)
    if not user.has_perm(permission):
        raise ApiError(403, f"This token's account may not {what}.", code="forbidden")
    return user
