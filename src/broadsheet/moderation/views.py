"""Moderators' pages: the queue, banning, bans, blocked terms and the audit log.

Every page is for members of the Moderators group (anyone with the
`discussion.moderate_comment` permission), not only for staff in the admin. Every change is
a POST that goes through `services` (or the two term helpers below), so it is logged, and
then redirects back to the page it came from with a message.

`moderator_required` and `current_moderator()` are public: the moderators' actions of the
apps above this one (the erasure in `rights`) use them, so a moderator is decided once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import update_wrapper
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.lib.redirects import redirect_back, safe_next_url
from broadsheet.lib.worddiff import DiffPiece, word_diff
from broadsheet.publishing.models import Article

from . import grouping, services, spamfilter
from .forms import (
    ActionForm,
    BanForm,
    BlockedTermForm,
    LogFilterForm,
    QueueFilterForm,
    ReasonForm,
    reason_label,
)
from .models import Ban, BlockedTerm, ModerationLogEntry

QUEUE_PAGE_SIZE = 50
LOG_PAGE_SIZE = 50
BANS_PAGE_SIZE = 50

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def moderator_required(view: View[P]) -> View[P]:
    """Anonymous visitors are sent to log in; signed-in people who do not moderate get the
    site's 403 page."""

    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.is_moderator(request.user):
            raise PermissionDenied("These pages are for moderators.")
        return view(request, *args, **kwargs)

    # Not @wraps: its typed result is not the view type the callers expect.
    update_wrapper(wrapper, view)
    return wrapper


def current_moderator(request: HttpRequest) -> User:
    """The signed-in moderator, typed as such, in a view under `moderator_required`."""
    # moderator_required has already turned away everyone else.
    assert isinstance(request.user, User)
    return request.user


def _back(request: HttpRequest, fallback: str = "moderation:queue") -> HttpResponseRedirect:
    return redirect_back(request, fallback)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        for error in errors:
            return str(error)
    return "Something in the form was not right."


# The queue ----------------------------------------------------------------------------


def _count(comments: QuerySet[Comment]) -> Subquery:
    # COUNT as a plain function, not an aggregate: no GROUP BY, one row, one number.
    return Subquery(
        comments.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def with_commenter_history(comments: QuerySet[Comment]) -> QuerySet[Comment]:
    """Annotate each comment with the number of earlier comments (and earlier published
    ones) from the same e-mail address or the same address hash, in the same query."""
    same_commenter = (Q(email__iexact=OuterRef("email")) & ~Q(email="")) | (
        Q(address_hash=OuterRef("address_hash")) & ~Q(address_hash="")
    )
    earlier = Comment.objects.filter(same_commenter).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    return comments.annotate(
        earlier_count=_count(earlier),
        earlier_published_count=_count(earlier.filter(status=Comment.Status.PUBLISHED)),
    )


QUEUE_ORDERS = {
    "": ("-created_at", "-id"),
    "spam": (F("spam_score").desc(nulls_last=True), "-created_at", "-id"),
    "abuse": (F("abuse_score").desc(nulls_last=True), "-created_at", "-id"),
}


def queue_comments(
    status: str, article: Article | None = None, reason: str = "", order: str = ""
) -> QuerySet[Comment]:
    """The queue: comments of `status` ("all" for any), newest first or by a score."""
    comments = Comment.objects.select_related("article")
    if status != "all":
        comments = comments.filter(status=status)
    if article is not None:
        comments = comments.filter(article=article)
    if reason:
        # held_reasons is a JSON list; SQLite has no JSON containment, so match the quoted
        # code in its text, which is the same on SQLite and PostgreSQL.
        comments = comments.alias(reasons_text=Cast("held_reasons", TextField())).filter(
            reasons_text__contains=f'"{reason}"'
        )
    return with_commenter_history(comments).order_by(*QUEUE_ORDERS.get(order, QUEUE_ORDERS[""]))


# How many of a score's strongest tokens the queue names.
PUSHES_SHOWN = 4


@dataclass
class QueueRow:
    comment: Comment
    reasons: list[str]
    score: str
    # How an edit screening held changed the text readers saw (None: not such an edit).
    edit_diff: list[DiffPiece] | None = None
    abuse_score: str = "—"
    # The tokens that pushed each score most, as the models weigh them now.
    spam_pushes: list[spamfilter.Push] = field(default_factory=list)
    abuse_pushes: list[spamfilter.Push] = field(default_factory=list)
    group: grouping.Group | None = None


def _score(value: float | None) -> str:
    return "—" if value is None else f"{min(max(value, 0.0), 1.0):.2f}"


@moderator_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Held comments, newest first, with their article, commenter, score, reasons and the
    commenter's earlier comments; filtered by status, article and reason from the query
    string. Template: moderation/queue.html."""
    filters = QueueFilterForm(request.GET)
    filters.is_valid()
    cleaned = getattr(filters, "cleaned_data", {})
    status = cleaned.get("status") or Comment.Status.HELD
    comments = queue_comments(
        status, cleaned.get("article"), cleaned.get("reason") or "", cleaned.get("order") or ""
    )
    page = Paginator(comments, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = grouping.near_duplicates(
        list(
            comments.select_related(None).only("pk", "body_source", "created_at")[
                : grouping.MAX_COMMENTS
            ]
        )
    )
    rows = [
        QueueRow(
            comment,
            [reason_label(code) for code in comment.held_reasons or []],
            _score(comment.spam_score),
            word_diff(comment.body_before_edit, comment.body_source)
            if comment.body_before_edit
            else None,
            abuse_score=_score(comment.abuse_score),
            spam_pushes=spamfilter.explain(comment, "spam", PUSHES_SHOWN),
            abuse_pushes=spamfilter.explain(comment, "abuse", PUSHES_SHOWN),
            group=groups.get(comment.pk),
        )
        for comment in page.object_list
    ]
    return render(
        request,
        "moderation/queue.html",
        {
            "filters": filters,
            "status": status,
            "status_label": dict(Comment.Status.choices).get(status, "Any status"),
            "page": page,
            "rows": rows,
            "actions": ActionForm(),
            "here": request.get_full_path(),
        },
    )


@moderator_required
@require_POST
def act(request: HttpRequest) -> HttpResponse:
    """Approve, unpublish, mark as spam, delete or ban the commenter of one comment or a
    selection; each comment's change is logged with the reason given."""
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return _back(request)
    actor = current_moderator(request)
    action = form.cleaned_data["action"]
    reason = form.cleaned_data["reason"]
    targets: list[Comment] = form.cleaned_data["targets"]
    if action == ModerationLogEntry.Action.BAN:
        _ban_all(request, targets, actor, reason, form.expires_at())
        return _back(request)
    # A group of near-duplicates is one decision: the filter learns from its oldest only.
    teach_once = form.cleaned_data["teach_once"]
    with transaction.atomic():
        for position, comment in enumerate(targets):
            services.moderate(comment, action, actor, reason, teach=position == 0 or not teach_once)
    count = _plural(len(targets), "comment")
    done = {
        ModerationLogEntry.Action.APPROVE: f"Approved {count}.",
        ModerationLogEntry.Action.UNPUBLISH: f"Unpublished {count}.",
        ModerationLogEntry.Action.SPAM: f"Marked {count} as spam.",
        ModerationLogEntry.Action.DELETE: f"Deleted {count}.",
    }
    messages.success(request, done[action])
    return _back(request)


def _ban_all(
    request: HttpRequest,
    comments: list[Comment],
    actor: User,
    reason: str,
    expires_at: dt.datetime | None,
) -> None:
    bans: list[Ban] = []
    banned: set[tuple[str, str]] = set()
    with transaction.atomic():
        for comment in comments:
            identity = {
                (Ban.Kind.EMAIL, comment.email.lower()),
                (Ban.Kind.ADDRESS, comment.address_hash),
            }
            identity = {(kind, value) for kind, value in identity if value}
            if identity and identity <= banned:
                # The same commenter twice in one selection: one set of bans is enough.
                if comment.status != Comment.Status.DELETED:
                    services.moderate(
                        comment, ModerationLogEntry.Action.DELETE, actor, reason or "Banned"
                    )
                continue
            bans += services.ban_commenter(comment, actor, reason=reason, expires_at=expires_at)
            banned |= identity
    deleted = "the comment is deleted" if len(comments) == 1 else "the comments are deleted"
    if not bans:
        messages.warning(
            request, f"There was no e-mail address or client address left to ban; {deleted}."
        )
        return
    until = (
        f" until {dateformat.format(timezone.localtime(expires_at), 'j M Y, H:i')}"
        if expires_at
        else " for good"
    )
    messages.success(
        request,
        f"Banned the commenter of {_plural(len(comments), 'comment')}{until} "
        f"({_plural(len(bans), 'ban')}); {deleted}.",
    )


@moderator_required
@require_http_methods(["GET", "POST"])
def ban(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Ban a comment's author by e-mail address and address hash, for a time or for good,
    and delete the comment. Template: moderation/ban.html (the form, on GET)."""
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=comment_id)
    form = BanForm(request.POST if request.method == "POST" else None)
    can_ban = bool(comment.email or comment.address_hash)
    if request.method == "POST" and form.is_valid() and can_ban:
        _ban_all(
            request,
            [comment],
            current_moderator(request),
            form.cleaned_data["reason"],
            form.expires_at(),
        )
        return _back(request)
    return render(
        request,
        "moderation/ban.html",
        {
            "comment": comment,
            "form": form,
            "can_ban": can_ban,
            "current_ban": services.active_ban_for(comment.email, comment.address_hash),
            "next": safe_next_url(request),
        },
        status=400 if form.is_bound else 200,
    )


# Bans ---------------------------------------------------------------------------------


@moderator_required
@require_GET
def bans(request: HttpRequest) -> HttpResponse:
    """Active bans, then those that have expired or were lifted (paginated).
    Template: moderation/bans.html."""
    active = Ban.objects.active().select_related("created_by").order_by("-created_at", "-id")
    ended = (
        Ban.objects.filter(expires_at__lte=timezone.now())
        .select_related("created_by")
        .order_by("-expires_at", "-id")
    )
    page = Paginator(ended, BANS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "moderation/bans.html",
        {"active": list(active), "page": page, "here": request.get_full_path()},
    )


@moderator_required
@require_POST
def lift_ban(request: HttpRequest, ban_id: int) -> HttpResponse:
    ban = get_object_or_404(Ban, pk=ban_id)
    if not ban.is_active:
        messages.info(request, f"The ban on {ban} had already ended.")
        return _back(request, "moderation:bans")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.lift_ban(ban, current_moderator(request), reason)
    messages.success(request, f"Lifted the ban on {ban}.")
    return _back(request, "moderation:bans")


# Blocked terms ------------------------------------------------------------------------
# These two would sit in services.py beside ban_commenter(); they are here only because
# this change could not touch that module.


def _blocked_terms_page(
    request: HttpRequest, form: BlockedTermForm, status: int = 200
) -> HttpResponse:
    terms = list(BlockedTerm.objects.select_related("created_by"))
    return render(
        request,
        "moderation/blocked_terms.html",
        {
            "form": form,
            "words": [t for t in terms if t.kind == BlockedTerm.Kind.WORD],
            "domains": [t for t in terms if t.kind == BlockedTerm.Kind.DOMAIN],
        },
        status=status,
    )


@moderator_required
@require_GET
def blocked_terms(request: HttpRequest) -> HttpResponse:
    """Blocked words and phrases, blocked link domains, and a form to add one.
    Template: moderation/blocked_terms.html."""
    return _blocked_terms_page(request, BlockedTermForm())


@moderator_required
@require_POST
def add_blocked_term(request: HttpRequest) -> HttpResponse:
    form = BlockedTermForm(request.POST)
    if not form.is_valid():
        return _blocked_terms_page(request, form, status=400)
    kind, value = form.cleaned_data["kind"], form.cleaned_data["value"]
    try:
        services.block_term(kind, value, current_moderator(request), form.cleaned_data["reason"])
    except IntegrityError:
        # Another moderator blocked the same term a moment ago.
        messages.info(request, f"“{value}” is already blocked.")
    else:
        messages.success(request, f"Blocked “{value}”.")
    return _back(request, "moderation:blocked-terms")


@moderator_required
@require_POST
def remove_blocked_term(request: HttpRequest, term_id: int) -> HttpResponse:
    term = get_object_or_404(BlockedTerm, pk=term_id)
    form = ReasonForm(request.POST)
    services.unblock_term(
        term, current_moderator(request), form.cleaned_data["reason"] if form.is_valid() else ""
    )
    messages.success(request, f"Unblocked “{term.value}”.")
    return _back(request, "moderation:blocked-terms")


# The audit log ------------------------------------------------------------------------


@moderator_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    """Every moderator action, newest first, filtered by action, moderator, comment and
    date range (in the site's time zone). Template: moderation/log.html."""
    filters = LogFilterForm(request.GET)
    filters.is_valid()
    cleaned = getattr(filters, "cleaned_data", {})
    entries = ModerationLogEntry.objects.select_related("actor", "comment__article")
    if action := cleaned.get("action"):
        entries = entries.filter(action=action)
    if moderator := cleaned.get("moderator"):
        entries = entries.filter(actor=moderator)
    if comment := cleaned.get("comment"):
        entries = entries.filter(comment_ref=comment)
    if since := cleaned.get("since"):
        entries = entries.filter(created_at__gte=_start_of(since))
    if until := cleaned.get("until"):
        entries = entries.filter(created_at__lt=_start_of(until + dt.timedelta(days=1)))
    page = Paginator(entries, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        # A ban's expiry is kept in the entry's details as ISO text.
        expiry = entry.details.get("expires_at") if isinstance(entry.details, dict) else None
        entry.ban_until = dt.datetime.fromisoformat(expiry) if expiry else None
    return render(request, "moderation/log.html", {"filters": filters, "page": page})


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
