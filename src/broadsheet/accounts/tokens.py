"""Personal API tokens: making one, revoking it, and finding the account a token names.

A token reads `bst_<prefix>_<secret>`: the prefix (8 characters, stored as it is) finds
the row, and the SHA-256 of the whole token is compared in constant time with the stored
hash. The token acts with its owner's permissions as they are at each request, so taking
a role away takes it from the owner's tokens at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.utils import timezone

from .models import ApiToken, User

TOKEN_PREFIX = "bst"
# last_used_at is written at most this often per token: one UPDATE per request would make
# every API call a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the row, and the token itself, which is never kept."""
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=hash_token(raw))
    return token, raw


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of `user`'s tokens; False when they have no such active token."""
    return bool(
        ApiToken.objects.active().filter(pk=token_id, user=user).update(revoked_at=timezone.now())
    )


def token_for(raw: str) -> ApiToken | None:
    """The active token `raw` is, with its active owner, or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 8:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(prefix=parts[1], user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, hash_token(raw)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
