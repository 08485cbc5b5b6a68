"""Account forms: Django's auth forms, adjusted to log in by address behind the sign-in
rate limits (for the admin's login too), to check display names (`names`), and to send mail
through the site's queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError

from broadsheet.lib.mail import queue_mail

from . import services
from .models import User
from .names import clean_display_name, is_staff_name, name_key

STAFF_NAME = "That name is too close to the name of a member of our staff; choose another."
DISPLAY_NAME_HELP = "Shown beside your comments. Letters, digits, spaces and punctuation."
TOO_MANY_ATTEMPTS = "Too many sign-in attempts. Please wait a few minutes and try again."


def _check_display_name(value: str, user: User) -> str:
    name = clean_display_name(value)
    # Only a new name is checked against staff: a reader keeps a name they already had.
    if name_key(name) != user.display_name_key and is_staff_name(name, exclude_user_id=user.pk):
        raise ValidationError(STAFF_NAME)
    return name


# Not subscripted: django_stubs_ext.monkeypatch() does not make these forms generic at run
# time, and importing them from settings.py to add them would load the auth models early.
class RegistrationForm(BaseUserCreationForm):  # type: ignore[type-arg]
    """Display name, address and password. Uniqueness of the name is checked by
    `User.clean()`; a taken address is handled by `services.register_reader()`."""

    class Meta:
        model = User
        fields = ("display_name", "email")
        help_texts = {"display_name": DISPLAY_NAME_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["display_name"].widget.attrs.update(autofocus=True, autocomplete="nickname")
        self.fields["email"].required = True
        self.fields["email"].label = "Email address"
        self.fields["email"].help_text = "We send a link to confirm it. It is never shown."
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_display_name(self) -> str:
        return _check_display_name(self.cleaned_data["display_name"], self.instance)


class ProfileForm(forms.ModelForm[User]):
    """Display name and address; changing the address asks for the current password, so a
    borrowed session cannot move the account (and its password resets) elsewhere."""

    current_password = forms.CharField(
        label="Current password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Needed only to change your email address.",
    )

    class Meta:
        model = User
        fields = ("display_name", "email")
        help_texts = {"display_name": DISPLAY_NAME_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["display_name"].widget.attrs["autocomplete"] = "nickname"
        self.fields["email"].required = True
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.saved_email = self.instance.email

    def clean_display_name(self) -> str:
        return _check_display_name(self.cleaned_data["display_name"], self.instance)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("This address belongs to another account.")
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email = cleaned.get("email")
        if email and email.casefold() != self.saved_email.casefold():
            password = cleaned.get("current_password") or ""
            if not password:
                self.add_error("current_password", "Enter your password to change the address.")
            elif not self.instance.check_password(password):
                self.add_error("current_password", "That is not your current password.")
        return cleaned


class LimitedLoginForm(AuthenticationForm):
    """Django's login form behind the sign-in rate limits (`services.refuse_login_attempt`).

    Over a limit the password is not checked at all, so guessing it right is no help, and
    the refusal (`rate_limited`, which the view answers with status 429) reads the same
    whether or not the account exists. A failed password counts against the login typed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rate_limited = False

    def clean(self) -> dict[str, Any]:
        login = self.cleaned_data.get("username") or ""
        # As in Django's clean(): without both, no password is checked, so nothing counts.
        attempt = self.request if login and self.cleaned_data.get("password") else None
        if attempt is not None and services.refuse_login_attempt(attempt, login):
            self.rate_limited = True
            raise ValidationError(TOO_MANY_ATTEMPTS, code="rate_limited")
        if login:
            self.cleaned_data["username"] = self.username_for(login)
        try:
            return super().clean()
        except ValidationError as exc:
            if attempt is not None and getattr(exc, "code", None) == "invalid_login":
                services.count_failed_login(attempt, login)
            raise

    def username_for(self, login: str) -> str:
        """The username to authenticate for what was typed in the username field."""
        return login


class LoginForm(LimitedLoginForm):
    """Log in with the account's email address (readers) or username (staff)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That address (or username) and password don't match an account.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address or username"
        self.fields["username"].widget.attrs["autocomplete"] = "username"

    def username_for(self, login: str) -> str:
        if "@" in login:
            usernames = list(
                User.objects.filter(email__iexact=login).values_list("username", flat=True)[:2]
            )
            # Two accounts sharing an address (made in the admin) must use their usernames.
            if len(usernames) == 1:
                return usernames[0]
        return login


class AdminLoginForm(LimitedLoginForm, AdminAuthenticationForm):
    """The admin's login form (staff only, by username) behind the same limits, which count
    the attempts on both login pages together."""


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form (same page whether or not the address has an account), with the
    mail sent through the site's queue instead of straight to the mail server."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        context = {**context, "site_name": settings.SITE_NAME}
        queue_mail(to_email, "accounts/emails/password-reset", context)


class ConfirmingSetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]  # see above
    """Setting a password from a reset link also confirms the address: the link was mailed
    to it, and Django's reset token is bound to the address it was sent to."""

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit and isinstance(user, User) and user.email_confirmed_at is None:
            user.confirm_email(user.email)
        return user


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What the token is for, such as the script that will use it.",
    )
