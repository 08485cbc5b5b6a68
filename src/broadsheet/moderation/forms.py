"""Forms of the moderation pages: the queue's filters and actions, bans, blocked terms and
the audit log's filters. They parse and validate; the views call the services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.lib import linear
from broadsheet.publishing.models import Article

from .models import BlockedTerm, ModerationLogEntry

# The short codes screening writes into Comment.held_reasons, as moderators read them.
# A code not listed here (a new defence, an old one) is shown as it is.
REASON_LABELS: dict[str, str] = {
    "moderation-policy": "Held by the site's policy (unverified commenter)",
    "edited": "Edited by its author after it was posted",
    "honeypot": "Filled in the field only bots see",
    "no-timestamp": "The form's signed time was missing or forged",
    "too-fast": "Sent too soon after the form was shown",
    "form-expired": "Sent from a form shown long ago",
    "rate-limit-address": "Many comments from one client address in a short time",
    "rate-limit-email": "Many comments from one e-mail address in a short time",
    "links": "Many links",
    "blocked-word": "Contains a blocked word or phrase",
    "blocked-domain": "Links to a blocked domain",
    # Given by the filter before the false-positive thresholds; kept for comments held then.
    "filter-uncertain": "The spam filter was unsure",
    "filter-likely-spam": "The spam filter thinks it is likely spam",
    "filter-spam": "The spam filter is sure it is spam",
    "likely-abusive": "Likely abusive: an insult, threat, identity attack or obscenity",
    "abusive-sentence": "Retracted after publication: one sentence reads as abusive",
    "banned": "From a banned e-mail address or client address",
}


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)


# The value of the expiry choice -> how long the ban lasts (None: until lifted).
BAN_DURATIONS: dict[str, dt.timedelta | None] = {
    "1": dt.timedelta(days=1),
    "7": dt.timedelta(days=7),
    "30": dt.timedelta(days=30),
    "permanent": None,
}
BAN_DURATION_CHOICES = [
    ("1", "1 day"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("permanent", "Permanent"),
]

STATUS_CHOICES = [
    (Comment.Status.HELD, "Held for review"),
    (Comment.Status.SPAM, "Spam"),
    (Comment.Status.PUBLISHED, "Published"),
    (Comment.Status.DELETED, "Deleted"),
    ("all", "Any status"),
]

# The queue's actions, in the order of its menu. Each but "ban" is a services.ACTIONS key.
ACTION_CHOICES = [
    (ModerationLogEntry.Action.APPROVE, "Approve"),
    (ModerationLogEntry.Action.SPAM, "Mark as spam"),
    (ModerationLogEntry.Action.DELETE, "Delete"),
    (ModerationLogEntry.Action.UNPUBLISH, "Unpublish"),
    (ModerationLogEntry.Action.BAN, "Ban the commenter"),
]


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=500,
        help_text="Kept in the moderation log with the action.",
    )


class QueueFilterForm(forms.Form):
    """The queue's GET filters. Empty: held comments on every article, for any reason."""

    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    article = forms.ModelChoiceField(
        label="Article", queryset=Article.objects.none(), required=False, empty_label="All articles"
    )
    reason = forms.ChoiceField(
        label="Reason held",
        choices=[("", "Any reason"), *REASON_LABELS.items()],
        required=False,
    )
    order = forms.ChoiceField(
        label="Order",
        choices=[
            ("", "Newest first"),
            ("spam", "Highest spam score first"),
            ("abuse", "Highest abuse score first"),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.data.get("status") or Comment.Status.HELD
        with_comments = Comment.objects.filter(article=OuterRef("pk"))
        if status in Comment.Status.values:
            with_comments = with_comments.filter(status=status)
        # Only articles that have comments to show under the chosen status, so the menu
        # stays short on a site with years of articles.
        articles = Article.objects.filter(Exists(with_comments)).order_by("-published_at", "-id")
        field = self.fields["article"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = articles


class ActionForm(forms.Form):
    """One action on a selection of comments (`comments`), on every comment the queue page
    showed (`shown`, when the button named `scope` has the value "shown"), or on a group of
    near-duplicates (`group`, scope "group"), which teaches the spam filter once."""

    comments = forms.ModelMultipleChoiceField(
        queryset=Comment.objects.select_related("article"), required=False
    )
    shown = forms.ModelMultipleChoiceField(
        queryset=Comment.objects.select_related("article"), required=False
    )
    group = forms.ModelMultipleChoiceField(
        queryset=Comment.objects.select_related("article"), required=False
    )
    action = forms.ChoiceField(label="Action", choices=ACTION_CHOICES)
    reason = _reason_field()
    expires = forms.ChoiceField(
        label="Ban for", choices=BAN_DURATION_CHOICES, required=False, initial="7"
    )
    scope = forms.CharField(required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        scope = cleaned.get("scope")
        field = scope if scope in ("shown", "group") else "comments"
        targets = list(cleaned.get(field) or [])
        cleaned["teach_once"] = field == "group"
        if not targets and not self.errors:
            raise ValidationError("Select at least one comment first.")
        cleaned["targets"] = sorted(targets, key=lambda comment: comment.pk)
        return cleaned

    def expires_at(self) -> dt.datetime | None:
        return _expiry(self.cleaned_data.get("expires") or "7")


class BanForm(forms.Form):
    reason = _reason_field()
    expires = forms.ChoiceField(
        label="Ban for",
        choices=BAN_DURATION_CHOICES,
        initial="7",
        widget=forms.RadioSelect,
    )

    def expires_at(self) -> dt.datetime | None:
        return _expiry(self.cleaned_data["expires"])


def _expiry(choice: str) -> dt.datetime | None:
    duration = BAN_DURATIONS.get(choice, BAN_DURATIONS["7"])
    return None if duration is None else timezone.now() + duration


class ReasonForm(forms.Form):
    reason = _reason_field()


# Labels of letters, digits and inner hyphens, then a top-level domain (RE2: the nested
# repeats would backtrack in `re`; the length is checked apart, as RE2 has no lookahead).
_DOMAIN = linear.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}")
DOMAIN_MAX_LENGTH = 200


class BlockedTermForm(forms.ModelForm[BlockedTerm]):
    reason = _reason_field()

    class Meta:
        model = BlockedTerm
        fields = ["kind", "value"]
        labels = {"kind": "Block a", "value": "Word, phrase or domain"}
        help_texts = {"value": "Matched ignoring case; a domain's subdomains are blocked too."}

    def clean_value(self) -> str:
        value = " ".join(self.cleaned_data["value"].split()).lower()
        if not value:
            raise ValidationError("Please give a word, a phrase or a domain.")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        value = cleaned.get("value")
        if value and cleaned.get("kind") == BlockedTerm.Kind.DOMAIN:
            domain = _domain_of(value)
            if len(domain) > DOMAIN_MAX_LENGTH or not _DOMAIN.fullmatch(domain):
                self.add_error("value", "That does not look like a domain (e.g. example.com).")
            else:
                cleaned["value"] = domain
        return cleaned

    def validate_unique(self) -> None:
        kind, value = self.cleaned_data.get("kind"), self.cleaned_data.get("value")
        if kind and value and BlockedTerm.objects.filter(kind=kind, value=value).exists():
            self.add_error("value", f"“{value}” is already blocked.")


def _domain_of(value: str) -> str:
    """`https://www.Example.com/path` and `example.com` name the same domain; a domain in
    another script is kept in its ASCII (IDNA) spelling, as screening compares links."""
    try:
        host = urlsplit(value if "//" in value else "//" + value).hostname or ""
        return host.strip(".").removeprefix("www.").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return value


class ModeratorChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.public_name} ({obj.username})"


class LogFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="Action",
        choices=[("", "Any action"), *ModerationLogEntry.Action.choices],
        required=False,
    )
    moderator = ModeratorChoiceField(
        label="Moderator",
        queryset=User.objects.filter(
            pk__in=ModerationLogEntry.objects.filter(actor__isnull=False).values("actor")
        ).order_by("username"),
        required=False,
        empty_label="Any moderator",
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.IntegerField(label="Comment number", required=False, min_value=1)
