"""Commenters' data rights pages (`/your-data/…`) and the moderators' erasure action.

The request form is the same page for everyone and carries no CSRF token (like the consent
forms, its POST is checked by origin); its answer never says whether the address has
comments. The links it mails are the proof of identity: anyone holding one acts for that
address, no one else sees anything. The rules are in `rights`.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.discussion.models import Comment
from broadsheet.lib.origin import same_origin_post

from . import rights
from .views import _back, _moderator, _plural, moderator_required

BODY_CHOICES = [
    ("keep", "Keep my words, without my name"),
    ("remove", "Remove my words as well"),
]


class DataRequestForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="The address you gave with your comments.",
    )


class ErasureForm(forms.Form):
    bodies = forms.ChoiceField(
        label="What should happen to the text of your comments?",
        choices=BODY_CHOICES,
        widget=forms.RadioSelect,
    )

    def keep_bodies(self) -> bool:
        return bool(self.cleaned_data["bodies"] == "keep")


def _link_failed(request: HttpRequest, error: signing.BadSignature) -> HttpResponse:
    return render(
        request,
        "moderation/rights/link_failed.html",
        {"expired": isinstance(error, signing.SignatureExpired)},
        status=400,
    )


@same_origin_post
@require_http_methods(["GET", "POST"])
def request_data(request: HttpRequest) -> HttpResponse:
    """Ask for the links by e-mail address. Template: moderation/rights/request.html, and
    moderation/rights/requested.html as the answer, whatever the address."""
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        rights.request_data_link(form.cleaned_data["email"])
        return render(request, "moderation/rights/requested.html")
    return render(
        request,
        "moderation/rights/request.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@never_cache
@require_GET
def export(request: HttpRequest, token: str) -> HttpResponse:
    """Download everything held about the address the link was mailed to, as JSON."""
    try:
        email = rights.email_from_export_token(token)
    except signing.BadSignature as error:
        return _link_failed(request, error)
    data = rights.export_commenter_data(email)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="your-comments.json"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, token: str) -> HttpResponse:
    """Choose whether to keep the words, then erase. Templates: moderation/rights/erase.html
    (the choice) and moderation/rights/erased.html (done)."""
    try:
        email = rights.email_from_erase_token(token)
    except signing.BadSignature as error:
        return _link_failed(request, error)
    form = ErasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        count = rights.erase_commenter(email, form.keep_bodies())
        return render(
            request,
            "moderation/rights/erased.html",
            {"count": count, "keep_bodies": form.keep_bodies()},
        )
    return render(
        request,
        "moderation/rights/erase.html",
        {"form": form, "email": email, "count": rights.comments_of(email).count()},
        status=400 if form.is_bound else 200,
    )


@moderator_required
@require_POST
def moderator_erase(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Erase the personal data of a comment's author (all comments with its address, or
    this one if it has none), keeping or removing the text as the form says."""
    comment = get_object_or_404(Comment, pk=comment_id)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to keep or remove the text.")
        return _back(request)
    count = rights.erase_commenter_of(comment, form.keep_bodies(), _moderator(request))
    kept = "kept" if form.keep_bodies() else "removed"
    messages.success(
        request, f"Erased the personal data of {_plural(count, 'comment')}; the text is {kept}."
    )
    return _back(request)
