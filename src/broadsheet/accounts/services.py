"""Account workflows with side effects: registering, confirming an address, changing it,
and counting sign-in attempts against the login rate limits.

Forms validate; these functions act (write rows, queue mail) in one transaction, so a mail
is queued if and only if the change it announces is stored (see `broadsheet.lib.mail`).
"""

from __future__ import annotations

import enum
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django_ratelimit.core import get_usage

from broadsheet.lib.addresses import address_hash, client_address
from broadsheet.lib.mail import queue_mail

from .models import DISPLAY_NAME_TAKEN, User

CONFIRM_SALT = "broadsheet.accounts.confirm-email"
LOGIN_LIMIT_SALT = "broadsheet.accounts.login-limit"

logger = logging.getLogger(__name__)


class Confirmation(enum.Enum):
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    INVALID = "invalid"
    # The link was for an address the account no longer has (or the account is closed).
    STALE = "stale"


def confirmation_token(user: User) -> str:
    """A signed, timestamped token naming the account and the address it confirms."""
    return signing.dumps([user.pk, user.email], salt=CONFIRM_SALT)


def confirm_email(token: str) -> Confirmation:
    max_age = timedelta(days=settings.ACCOUNT_CONFIRM_MAX_AGE_DAYS)
    try:
        user_id, address = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return Confirmation.EXPIRED
    except (signing.BadSignature, TypeError, ValueError):
        return Confirmation.INVALID
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.confirm_email(address):
        return Confirmation.STALE
    return Confirmation.CONFIRMED


def send_email_confirmation(request: HttpRequest, user: User) -> None:
    """Queue a link that confirms the account's current address."""
    link = reverse("accounts:confirm-email", args=[confirmation_token(user)])
    queue_mail(
        user.email,
        "accounts/emails/confirm-email",
        _mail_context(request, user, confirm_url=request.build_absolute_uri(link)),
    )


def register_reader(request: HttpRequest, *, display_name: str, email: str, password: str) -> None:
    """Create a reader account and send its confirmation link.

    If the address already has an account, nothing is created and its owner gets a note
    instead: the page the visitor sees is the same either way, so registering cannot be
    used to find out who has an account. Raises ValidationError if the display name was
    taken since the form checked it.
    """
    email = User.objects.normalize_email(email)
    user = User(
        username=f"reader-{secrets.token_hex(8)}",
        display_name=display_name,
        email=email,
    )
    # Hashed even when unused below, so both paths take as long.
    user.set_password(password)
    existing = User.objects.filter(email__iexact=email).order_by("pk").first()
    if existing is not None:
        queue_mail(
            existing.email,
            "accounts/emails/already-registered",
            _mail_context(
                request,
                existing,
                login_url=request.build_absolute_uri(reverse("accounts:login")),
                reset_url=request.build_absolute_uri(reverse("accounts:password-reset")),
            ),
        )
        return
    try:
        with transaction.atomic():
            user.save()
            send_email_confirmation(request, user)
    except IntegrityError as exc:
        raise ValidationError({"display_name": DISPLAY_NAME_TAKEN}) from exc


def update_profile(request: HttpRequest, user: User, *, display_name: str, email: str) -> bool:
    """Save a new display name and address. A new address is unconfirmed until its owner
    follows the link sent to it; the old address is told of the change. Returns whether
    the address changed. Raises ValidationError if the name was taken meanwhile."""
    old_email = user.email
    email_changed = email.casefold() != old_email.casefold()
    user.display_name = display_name
    user.email = email
    if email_changed:
        user.email_confirmed_at = None
    try:
        with transaction.atomic():
            user.save(update_fields=["display_name", "email", "email_confirmed_at"])
            if email_changed:
                send_email_confirmation(request, user)
                if old_email:
                    queue_mail(
                        old_email,
                        "accounts/emails/email-changed",
                        _mail_context(request, user, old_email=old_email),
                    )
    except IntegrityError as exc:
        raise ValidationError({"display_name": DISPLAY_NAME_TAKEN}) from exc
    return email_changed


def refuse_login_attempt(request: HttpRequest, login: str) -> bool:
    """Count a sign-in attempt (with `login`, the username or address as typed) against the
    client's address, and say whether it must be refused without checking the password:
    when this address has made more attempts than LOGIN_RATE_LIMIT_ADDRESS allows, or the
    login has already failed as often as LOGIN_RATE_LIMIT_ACCOUNT allows. Whether an account
    has that login plays no part, so a refusal tells nothing about it."""
    address = address_hash(client_address(request))
    account = _login_key(login)
    # Every attempt counts against the address, in one atomic step with the check, so even
    # parallel requests from one address cannot get past it together. An account's count
    # goes up only after a password has failed (`count_failed_login()`), so a burst of
    # parallel guesses could overrun it a little; the address limit bounds that burst.
    by_address = _login_limit_usage(
        request, "address", address, settings.LOGIN_RATE_LIMIT_ADDRESS, count=True
    )
    by_account = _login_limit_usage(
        request, "account", account, settings.LOGIN_RATE_LIMIT_ACCOUNT, count=False
    )
    over = []
    if by_address is not None and by_address["should_limit"]:
        over.append("address")
    # This attempt is not counted there: it would be failure number count + 1.
    if by_account is not None and (
        by_account["should_limit"] or by_account["count"] >= by_account["limit"]
    ):
        over.append("account")
    if not over:
        return False
    logger.warning(
        "Sign-in refused at %s: over the %s limit (address hash %s, login hash %s).",
        request.path,
        " and ".join(over),
        address[:12],
        account[:12],
    )
    return True


def count_failed_login(request: HttpRequest, login: str) -> None:
    """Count a failed sign-in against `login` (as typed) for LOGIN_RATE_LIMIT_ACCOUNT."""
    _login_limit_usage(
        request, "account", _login_key(login), settings.LOGIN_RATE_LIMIT_ACCOUNT, count=True
    )


def _login_key(login: str) -> str:
    # Keyed, so the cache (and the log) hold no one's address or username, and the hash of
    # a known address cannot be looked up without the secret key.
    normalised = login.strip().lower()
    if not normalised:
        return ""
    return salted_hmac(LOGIN_LIMIT_SALT, normalised, algorithm="sha256").hexdigest()


def _login_limit_usage(
    request: HttpRequest, kind: str, subject: str, limit: tuple[int, int] | None, *, count: bool
) -> dict[str, Any] | None:
    """django-ratelimit's count for `subject` in the limit's current window (after adding
    this attempt when `count`), or None when there is no limit or no subject. Its add() and
    incr() are atomic on local memory and on Redis, so concurrent workers lose no count."""
    if limit is None or not subject:
        return None
    try:
        usage: dict[str, Any] | None = get_usage(
            request,
            group=f"broadsheet.accounts.login-{kind}",
            key=lambda _group, _request: subject,
            rate=limit,
            increment=count,
        )
    except Exception:
        # Any backend's failure (redis.ConnectionError, OSError, ...): let people sign in,
        # as a site whose cache is down must still let its editors in; passwords are still
        # checked, and each check is slow (argon2).
        logger.warning("Sign-in rate limit by %s skipped: the cache failed.", kind, exc_info=True)
        return None
    return usage


def _mail_context(request: HttpRequest, user: User, **extra: Any) -> dict[str, Any]:
    return {
        "name": user.public_name,
        "email": user.email,
        "site_name": settings.SITE_NAME,
        "site_url": request.build_absolute_uri("/"),
        "max_age_days": settings.ACCOUNT_CONFIRM_MAX_AGE_DAYS,
        **extra,
    }
