"""Reader account pages: register, confirm the address, profile, and Django's login,
logout, password reset and password change views with the site's templates.

Templates live under accounts/ rather than registration/ so that the admin's own password
pages (which use registration/…) keep their look. `refusing_with_429()` also wraps the
admin's login (see broadsheet/urls.py), which shares the sign-in rate limits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services, tokens
from .forms import (
    ApiTokenForm,
    ConfirmingSetPasswordForm,
    LimitedLoginForm,
    LoginForm,
    ProfileForm,
    QueuedPasswordResetForm,
    RegistrationForm,
)
from .models import User


def _account(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # every caller is behind login_required
    return user


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """The registration form; on success, off to "check your inbox".
    Template: accounts/register.html."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_reader(
                request,
                display_name=form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("accounts:register-sent")
    return render(request, "accounts/register.html", {"form": form})


@require_GET
def register_sent(request: HttpRequest) -> HttpResponse:
    """Template: accounts/register_sent.html."""
    return render(request, "accounts/register_sent.html")


@require_GET
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """Follow a confirmation link. A bad, expired or outdated link gets a page that says
    so (status 400) and offers a new link. Template: accounts/confirm_email.html."""
    outcome = services.confirm_email(token)
    status = 200 if outcome is services.Confirmation.CONFIRMED else 400
    context = {"outcome": outcome.value, "max_age_days": settings.ACCOUNT_CONFIRM_MAX_AGE_DAYS}
    return render(request, "accounts/confirm_email.html", context, status=status)


@require_POST
@login_required
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """Send a fresh confirmation link to the account's current address."""
    user = _account(request)
    if user.email_confirmed_at is not None:
        messages.info(request, "Your email address is already confirmed.")
    elif not user.email:
        messages.error(request, "Add an email address to your profile first.")
    else:
        services.send_email_confirmation(request, user)
        messages.success(request, f"We've sent a new confirmation link to {user.email}.")
    return redirect("accounts:profile")


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Display name and email address, with the address's confirmation state.
    Template: accounts/profile.html."""
    user = _account(request)
    # The form works on its own copy, so a refused change never shows up elsewhere on the
    # page (the header, say) as if it had been saved.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        try:
            email_changed = services.update_profile(
                request,
                user,
                display_name=form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your profile has been saved.")
            if email_changed:
                messages.info(
                    request,
                    f"We've sent a confirmation link to {user.email}. Until you follow it, "
                    "your comments are treated like a guest's.",
                )
            return redirect("accounts:profile")
    return _profile_page(request, user, form)


def _profile_page(
    request: HttpRequest,
    user: User,
    form: ProfileForm | None = None,
    *,
    token_form: ApiTokenForm | None = None,
    new_token: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form or ProfileForm(instance=User.objects.get(pk=user.pk)),
            "account": user,
            "api_tokens": list(user.api_tokens.all()),
            "token_form": token_form or ApiTokenForm(),
            "new_token": new_token,
        },
        status=status,
    )


@login_required
@require_POST
def create_api_token(request: HttpRequest) -> HttpResponse:
    """Make a personal API token and show it, on this answer only (it is stored hashed).
    Template: accounts/profile.html."""
    user = _account(request)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, user, token_form=form, status=400)
    _token, raw = tokens.create_token(user, form.cleaned_data["name"])
    response = _profile_page(request, user, new_token=raw)
    # The page holds a secret: no cache anywhere may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the signed-in user's API tokens."""
    if tokens.revoke_token(_account(request), token_id):
        messages.success(request, "The token has been revoked.")
    else:
        messages.error(request, "There is no such token to revoke.")
    return redirect("accounts:profile")


# Not subscripted: not generic at run time (see accounts/forms.py).
class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):  # type: ignore[type-arg]
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = "Your password has been changed."


def refusing_with_429(
    login_view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Wrap a login view whose form is a `LimitedLoginForm` so that a sign-in refused by
    the rate limits is answered with status 429 (Too Many Requests): the same login page
    and typed username, with the form's message."""

    @functools.wraps(login_view)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = login_view(request, *args, **kwargs)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if isinstance(form, LimitedLoginForm) and form.rate_limited:
            response.status_code = 429
        return response

    return view


login = refusing_with_429(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
logout = auth_views.LogoutView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    form_class=QueuedPasswordResetForm,
    success_url=reverse_lazy("accounts:password-reset-sent"),
)
password_reset_sent = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_sent.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    form_class=ConfirmingSetPasswordForm,
    success_url=reverse_lazy("accounts:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = PasswordChangeView.as_view()
