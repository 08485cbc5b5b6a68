"""The consent notice's actions, the cookie preferences page, policy pages and the export
of consent records."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.lib.origin import same_origin_post
from broadsheet.lib.redirects import safe_next_url

from .forms import PreferencesForm
from .models import ConsentRecord, CookieCategory, PolicyPage
from .services import give_consent, optional_category_keys


def _answer(
    request: HttpRequest, action: str, categories: list[str], message: str, default_next: str = "/"
) -> HttpResponse:
    # With JavaScript the notice posts in place and closes itself; without, a redirect back.
    wants_json = "application/json" in request.headers.get("Accept", "")
    response: HttpResponse = (
        HttpResponse(status=204)
        if wants_json
        else HttpResponseRedirect(safe_next_url(request, default_next))
    )
    response.consent = give_consent(request, response, action, categories)  # type: ignore[attr-defined]
    if not wants_json:
        messages.info(request, message)
    return response


@same_origin_post
@require_POST
def accept_all(request: HttpRequest) -> HttpResponse:
    return _answer(
        request, ConsentRecord.Action.ACCEPT_ALL, optional_category_keys(),
        "Thank you: all cookie categories are accepted. You can change this at any time.",
    )  # fmt: skip


@same_origin_post
@require_POST
def reject_all(request: HttpRequest) -> HttpResponse:
    return _answer(
        request, ConsentRecord.Action.REJECT_ALL, [],
        "Only strictly necessary cookies will be used. You can change this at any time.",
    )  # fmt: skip


@same_origin_post
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Every category with its cookies and a switch. Template: consent/preferences.html.

    Saving with every switch off withdraws consent; without a `next` the reader comes back
    here and sees the choice now in force."""
    categories = list(CookieCategory.objects.all())
    consent = request.consent  # type: ignore[attr-defined]
    chosen = set(consent.categories) if consent else set()
    # A form with every switch off may send no fields at all: it is still a choice.
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, categories=categories, chosen=chosen)
    if form.is_valid():
        return _answer(
            request, ConsentRecord.Action.CHOOSE, form.chosen(), "Your cookie choices are saved.",
            default_next=request.path,
        )  # fmt: skip
    accepted = [c.name for c in categories if not c.always_on and c.key in chosen]
    return render(
        request,
        "consent/preferences.html",
        {
            "categories": categories,
            "form": form,
            "consent": consent,
            "accepted_names": accepted,
            "next": safe_next_url(request, request.path),
        },
    )


@require_GET
def policy(request: HttpRequest, kind: str, version: int | None = None) -> HttpResponse:
    """The current (or a given earlier) version of a policy page, with the list of versions.
    Drafts and versions scheduled for later are not shown. Template: consent/policy.html."""
    if kind not in PolicyPage.Kind.values:
        raise Http404("No such policy.")
    versions = list(PolicyPage.objects.published().filter(kind=kind).order_by("-version"))
    if version is None:
        if not versions:
            raise Http404("This policy has not been published yet.")
        page = versions[0]
    else:
        page = get_object_or_404(PolicyPage.objects.published(), kind=kind, version=version)
    context: dict[str, Any] = {
        "page": page,
        "versions": versions,
        "is_current": page == versions[0],
    }
    return render(request, "consent/policy.html", context)


@permission_required("consent.view_consentrecord", raise_exception=True)
@require_GET
def export_records(request: HttpRequest) -> StreamingHttpResponse:
    """All consent records as CSV, oldest first, streamed."""

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(
            ["consent_id", "action", "categories", "policy_version", "created_at"]
        )
        for record in ConsentRecord.objects.order_by("created_at", "id").iterator():
            yield writer.writerow([
                record.consent_id, record.action, " ".join(record.categories),
                record.policy_version, record.created_at.isoformat(),
            ])  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="consent-records.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
