"""The comment form. Length limits are checked here, before anything is stored or
filtered, and everything the commenter typed is kept when the form is shown again."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from broadsheet.accounts.names import clean_display_name, is_staff_name

from .models import Comment
from .screening import SubmissionSignals
from .services import CommentSubmission

SHOWN_AT_SALT = "broadsheet.discussion.form-shown-at"
# "Remember me": an anonymous commenter's name, e-mail and homepage, as signed JSON in a
# cookie of the preferences category (declared there, so withdrawing that consent expires
# it). The option is offered, and the cookie read, only while preferences are accepted.
DETAILS_COOKIE = "broadsheet_commenter_details"
DETAILS_COOKIE_SALT = "broadsheet.discussion.commenter-details"
DETAILS_COOKIE_MAX_AGE = 60 * 60 * 24 * 365
REMEMBERED_FIELDS = ("name", "email", "homepage")


class CommentForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        required=False,
        error_messages={"required": "Please give the name to show with your comment."},
    )
    email = forms.EmailField(
        label="E-mail",
        required=False,
        max_length=254,
        help_text="Not shown publicly.",
    )
    homepage = forms.URLField(
        label="Homepage", required=False, max_length=500, assume_scheme="https"
    )
    # strip=False: the comment is stored exactly as typed.
    body = forms.CharField(
        label="Comment",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Please write a comment."},
    )
    notify_replies = forms.BooleanField(label="E-mail me when someone replies", required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Spam evidence, never a reason to refuse the form: a field people never see (bots fill
    # it in) and the signed time the form was shown (bots send faster, or replay old forms).
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    shown_at = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm_address = forms.BooleanField(
        label="Confirm my address, so my comments show as verified",
        required=False,
        help_text="We will e-mail you a link. Following it sets a cookie in this browser.",
    )

    def __init__(
        self, *args: Any, logged_in: bool = False, can_remember: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.logged_in = logged_in
        if not self.is_bound:
            # A sent form shows the time it was sent with, never this one: only a blank
            # form needs a fresh signed time.
            self.fields["shown_at"].initial = signing.dumps(time.time(), salt=SHOWN_AT_SALT)
        if logged_in:
            for name in ("name", "email", "homepage", "confirm_address"):
                del self.fields[name]
        else:
            self.fields["name"].required = True
            self.fields["name"].widget.attrs["autocomplete"] = "name"
            self.fields["email"].widget.attrs["autocomplete"] = "email"
            self.fields["homepage"].widget.attrs["autocomplete"] = "url"
            # Reply mail goes only to a proven address (services.notify_parent_of_reply).
            notify = self.fields["notify_replies"]
            notify.help_text = "Only once your address is confirmed: tick “Confirm my address” too."
            # Only for readers who accepted preferences cookies: the details are kept in one.
            if can_remember:
                self.fields["remember_me"] = forms.BooleanField(
                    label="Remember me",
                    required=False,
                    help_text="Keep your name, e-mail and homepage in this browser for your "
                    "next comment. Untick it to forget them.",
                )

    def clean_name(self) -> str:
        name = self.cleaned_data.get("name", "")
        if self.logged_in:
            return ""
        limit = settings.COMMENT_NAME_MAX_LENGTH
        if len(name) > limit:
            raise ValidationError(
                f"Please keep your name to {limit} characters (it has {len(name)})."
            )
        name = clean_display_name(name)
        if is_staff_name(name):
            raise ValidationError(
                "That name belongs to a member of staff. Please use your own name."
            )
        return name

    def clean_body(self) -> str:
        return checked_body(self.cleaned_data["body"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        wants_mail = cleaned.get("notify_replies") or cleaned.get("confirm_address")
        if not self.logged_in and wants_mail and not cleaned.get("email"):
            self.add_error("email", "Give your e-mail address to receive e-mail from us.")
        return cleaned

    def submission(
        self, parent: Comment | None, signals: SubmissionSignals | None = None
    ) -> CommentSubmission:
        """The valid input as what `services.post_comment()` takes: the one way the comment
        form and the API turn what a commenter sent into a submission. `signals` defaults
        to what this form's hidden fields say (`signals()`)."""
        data = self.cleaned_data
        return CommentSubmission(
            body=data["body"],
            name=data.get("name", ""),
            email=data.get("email", ""),
            homepage=data.get("homepage", ""),
            parent=parent,
            notify_replies=data.get("notify_replies", False),
            confirm_address=data.get("confirm_address", False),
            signals=self.signals() if signals is None else signals,
        )

    def signals(self) -> SubmissionSignals:
        """What this submission tells screening about how it was sent."""
        age: float | None
        try:
            shown_at = float(signing.loads(self.data.get("shown_at", ""), salt=SHOWN_AT_SALT))
            age = time.time() - shown_at
        except (signing.BadSignature, TypeError, ValueError):
            age = None
        return SubmissionSignals(
            honeypot_filled=bool(self.data.get("website", "").strip()), form_age_seconds=age
        )

    def visible_fields(self) -> list[Any]:
        # The honeypot is rendered apart, hidden from people and screen readers.
        return [field for field in super().visible_fields() if field.name != "website"]


def may_remember(request: HttpRequest) -> bool:
    """Whether this reader accepts preferences cookies, the category "Remember me" uses."""
    allows = getattr(request, "consent_allows", None)
    return bool(allows and allows("preferences"))


def remembered_initial(request: HttpRequest) -> dict[str, Any]:
    """Initial values for the comment form from the reader's "Remember me" cookie (with
    the box ticked again); nothing without the cookie or without preferences consent."""
    raw = request.COOKIES.get(DETAILS_COOKIE)
    if not raw or not may_remember(request):
        return {}
    try:
        data = signing.loads(raw, salt=DETAILS_COOKIE_SALT, max_age=DETAILS_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    initial: dict[str, Any] = {
        field: value
        for field in REMEMBERED_FIELDS
        if isinstance(value := data.get(field), str) and value
    }
    return {**initial, "remember_me": True} if initial else {}


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Please write a comment."},
    )

    def clean_body(self) -> str:
        return checked_body(self.cleaned_data["body"])


def checked_body(body: str) -> str:
    if not body.strip():
        raise ValidationError("Please write a comment.")
    limit = settings.COMMENT_BODY_MAX_LENGTH
    if len(body) > limit:
        raise ValidationError(
            f"Please keep your comment to {limit:,} characters (it has {len(body):,})."
        )
    return body
