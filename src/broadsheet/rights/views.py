"""Commenters' data rights pages (`/your-data/…`) and the moderators' erasure action.

The request form is the same page for everyone and carries no CSRF token (like the consent
forms, its POST is checked by origin); its answer never says whether the address has
comments. The links it mails are the proof of identity: anyone holding one acts for that
address, no one else sees anything. The rules are in `services`.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.discussion.models import Comment
from broadsheet.lib.origin import same_origin_post
from broadsheet.lib.redirects import redirect_back
from broadsheet.moderation.views import current_moderator, moderator_required

from . import services
from .forms import DataRequestForm, ErasureForm


def _link_failed(request: HttpRequest, error: signing.BadSignature) -> HttpResponse:
    return render(
        request,
        "rights/link_failed.html",
        {"expired": isinstance(error, signing.SignatureExpired)},
        status=400,
    )


@same_origin_post
@require_http_methods(["GET", "POST"])
def request_data(request: HttpRequest) -> HttpResponse:
    """Ask for the links by e-mail address. Template: rights/request.html, and
    rights/requested.html as the answer, whatever the address."""
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_data_link(form.cleaned_data["email"])
        return render(request, "rights/requested.html")
    return render(
        request,
        "rights/request.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@never_cache
@require_GET
def export(request: HttpRequest, token: str) -> HttpResponse:
    """Download everything held about the address the link was mailed to, as JSON."""
    try:
        email = services.email_from_export_token(token)
    except signing.BadSignature as error:
        return _link_failed(request, error)
    data = services.export_commenter_data(email)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="your-comments.json"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, token: str) -> HttpResponse:
    """Choose whether to keep the words, then erase. Templates: rights/erase.html (the
    choice) and rights/erased.html (done)."""
    try:
        email = services.email_from_erase_token(token)
    except signing.BadSignature as error:
        return _link_failed(request, error)
    form = ErasureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        count = services.erase_commenter(email, form.keep_bodies())
        return render(
            request,
            "rights/erased.html",
            {"count": count, "keep_bodies": form.keep_bodies()},
        )
    return render(
        request,
        "rights/erase.html",
        {"form": form, "email": email, "count": services.comments_of(email).count()},
        status=400 if form.is_bound else 200,
    )


@moderator_required
@require_POST
def moderator_erase(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Erase the personal data of a comment's author (all comments with its address, or
    this one if it has none), keeping or removing the text as the form says, then go back
    to the moderation page the form was on."""
    comment = get_object_or_404(Comment, pk=comment_id)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to keep or remove the text.")
        return redirect_back(request, "moderation:queue")
    count = services.erase_commenter_of(comment, form.keep_bodies(), current_moderator(request))
    kept = "kept" if form.keep_bodies() else "removed"
    messages.success(
        request,
        f"Erased the personal data of {count} comment{pluralize(count)}; the text is {kept}.",
    )
    return redirect_back(request, "moderation:queue")
