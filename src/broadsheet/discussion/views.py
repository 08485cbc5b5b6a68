"""Comment pages: posting, replying, permalinks, editing, address confirmation,
unsubscribing and a reader's own comments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.accounts.models import User
from broadsheet.lib.addresses import address_hash, client_address
from broadsheet.lib.origin import same_origin_post
from broadsheet.lib.versioned import read_together
from broadsheet.publishing.models import Article
from broadsheet.publishing.views import article_context

from . import services
from .access import is_visible, page_number_of, remember_own_held
from .forms import (
    DETAILS_COOKIE,
    DETAILS_COOKIE_MAX_AGE,
    DETAILS_COOKIE_SALT,
    REMEMBERED_FIELDS,
    CommentEditForm,
    CommentForm,
    may_remember,
    remembered_initial,
)
from .models import Comment

CONFIRMED_COOKIE = "broadsheet_commenter"
CONFIRMED_COOKIE_SALT = "broadsheet.discussion.commenter"
CONFIRMED_COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def confirmed_email(request: HttpRequest) -> str | None:
    """The address this browser proved it can read mail for, from the signed cookie."""
    value = request.get_signed_cookie(
        CONFIRMED_COOKIE, default=None, salt=CONFIRMED_COOKIE_SALT, max_age=CONFIRMED_COOKIE_MAX_AGE
    )
    return str(value) if value else None


def _current_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _closed_page(request: HttpRequest, error: services.CommentingClosed) -> HttpResponse:
    return render(request, "discussion/closed.html", {"message": str(error)}, status=error.status)


def _visible_parent(
    request: HttpRequest, article: Article, parent_id: int | None
) -> Comment | None:
    if not parent_id:
        return None
    parent = Comment.objects.filter(pk=parent_id, article=article).first()
    if parent is None or not is_visible(request, parent):
        raise Http404("The comment you are replying to is not available.")
    return parent


@same_origin_post
@require_POST
# The staff's names, the screening's kept values and the webhook endpoints: one cache
# call for all their versions instead of one each (six Redis round trips a post).
@read_together()
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    """Preview or save a comment. On errors the article page is shown again with the form
    as typed (template publishing/article.html, status 400).

    The form sits on cached pages every anonymous reader shares, so it carries no CSRF
    token: the request's origin is checked instead. Signed-in readers' pages are their own
    and their forms carry a token too, which is checked as well."""
    if request.user.is_authenticated and (refused := _csrf_refusal(request)) is not None:
        return refused
    # Without bylines and topics: only the page shown again on errors needs them (below),
    # and most posts are saved and answered with a redirect. Whether it is live is asked
    # of the row (is_live, the same rule as live()): a quarter less work than the query.
    # Unordered: the slug is unique, and first()'s ORDER BY costs Django a third more.
    article = next(iter(Article.objects.filter(slug=slug).order_by()[:1]), None)
    if article is not None and not article.is_live:
        article = None
    try:
        services.check_can_comment(article)
    except services.CommentingClosed as error:
        return _closed_page(request, error)
    assert article is not None
    user = _current_user(request)
    if user is not None and not user.can_comment_as_registered:
        messages.error(request, "Please confirm your e-mail address before commenting.")
        return redirect(article.get_absolute_url() + "#add-comment")
    form = CommentForm(request.POST, logged_in=user is not None, can_remember=may_remember(request))
    parent = _visible_parent(request, article, _int_or_none(request.POST.get("parent")))
    if not form.is_valid() or "preview" in request.POST:
        article = Article.objects.with_relations().get(pk=article.pk)
        context = article_context(request, article)
        context.update({"comment_form": form, "reply_to": parent})
        if form.is_valid():
            preview = Comment(
                article=article,
                name=user.public_name if user else form.cleaned_data["name"],
                homepage=form.cleaned_data.get("homepage", ""),
                user=user,
                email_confirmed=services.is_confirmed_address(
                    form.cleaned_data.get("email", ""), confirmed_email(request)
                ),
                body_source=form.cleaned_data["body"],
            )
            preview.render_body()
            context["comment_preview"] = preview
        return render(
            request, "publishing/article.html", context, status=200 if form.is_valid() else 400
        )
    data = form.cleaned_data
    submission = form.submission(parent)
    outcome = services.post_comment(
        article,
        submission,
        user=user,
        address_hash=address_hash(client_address(request)),
        confirmed_email=confirmed_email(request),
    )
    comment = outcome.comment
    # A browser that already proved the address gets no link (services sends none).
    mailed = (
        " We have e-mailed you a link to confirm your address."
        if (submission.confirm_address and user is None and not comment.email_confirmed)
        else ""
    )
    if outcome.published:
        messages.success(request, "Your comment has been published." + mailed)
    else:
        # A comment stored as spam (a banned commenter's, a filled honeypot) gets the held
        # message word for word, so the sender learns nothing, but it is not remembered:
        # only a held comment is shown to its author.
        if comment.status == Comment.Status.HELD:
            remember_own_held(request, comment)
        messages.info(
            request,
            "Your comment has been received and will appear once a moderator has reviewed it."
            + mailed,
        )
    page = page_number_of(comment, request)
    query = f"?page={page}" if page > 1 else ""
    response = HttpResponseRedirect(f"{article.get_absolute_url()}{query}#{comment.anchor}")
    if user is None:
        _remember_commenter(request, response, data)
    return response


def _remember_commenter(request: HttpRequest, response: HttpResponse, data: dict[str, Any]) -> None:
    """Keep the commenter's details for their next comment if they ticked "Remember me",
    or forget them if they unticked it. The box exists only with preferences consent."""
    if "remember_me" not in data or not may_remember(request):
        return
    if data["remember_me"]:
        details = {field: data.get(field, "") for field in REMEMBERED_FIELDS}
        response.set_cookie(
            DETAILS_COOKIE,
            signing.dumps(details, salt=DETAILS_COOKIE_SALT, compress=True),
            max_age=DETAILS_COOKIE_MAX_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    elif DETAILS_COOKIE in request.COOKIES:
        response.delete_cookie(DETAILS_COOKIE, samesite="Lax")


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's CSRF check, for a view exempted from the middleware's; None if it passes."""
    return CsrfViewMiddleware(lambda request: HttpResponse()).process_view(
        request, lambda request: HttpResponse(), (), {}
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@require_GET
def reply(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A page with the parent comment quoted and the form, for replying without JavaScript.
    Template: discussion/reply.html."""
    parent = get_object_or_404(Comment.objects.select_related("article"), pk=comment_id)
    article = parent.article
    if not article.is_live or not is_visible(request, parent):
        raise Http404("This comment is not available.")
    try:
        services.check_can_comment(article)
    except services.CommentingClosed as error:
        return _closed_page(request, error)
    user = _current_user(request)
    form = CommentForm(
        initial={"parent": parent.pk, **remembered_initial(request)},
        logged_in=user is not None,
        can_remember=may_remember(request),
    )
    return render(
        request, "discussion/reply.html", {"article": article, "parent": parent, "form": form}
    )


@require_GET
def permalink(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Redirect to the article page and anchor where the comment is shown now."""
    comment = get_object_or_404(Comment.objects.select_related("article", "thread"), pk=comment_id)
    article = comment.article
    if not article.is_live or not services.comments_are_shown(article):
        raise Http404("This comment is not available.")
    if not is_visible(request, comment):
        raise Http404("This comment is not available.")
    page = page_number_of(comment, request)
    query = f"?page={page}" if page > 1 else ""
    return redirect(f"{article.get_absolute_url()}{query}#{comment.anchor}")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The author edits their comment within the edit window. Template: discussion/edit.html."""
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=comment_id)
    if not services.can_edit(comment, _current_user(request)):
        if comment.user_id != request.user.pk:
            messages.error(request, "You can only edit your own comments.")
        else:
            minutes = settings.COMMENT_EDIT_WINDOW_MINUTES
            messages.error(
                request,
                "This comment can no longer be edited: comments can be changed for "
                f"{minutes} minutes after posting.",
            )
        return (
            redirect(comment.get_absolute_url()) if is_visible(request, comment) else redirect("/")
        )
    data = request.POST if request.method == "POST" else None
    form = CommentEditForm(data, initial={"body": comment.body_source})
    if request.method == "POST" and form.is_valid():
        was_published = comment.is_published
        services.edit_comment(comment, form.cleaned_data["body"])
        if comment.is_published or not was_published:
            messages.success(request, "Your comment has been updated.")
        else:
            messages.info(
                request,
                "Your comment has been updated. It will be shown again once a moderator "
                "has looked at the change.",
            )
        if comment.status == Comment.Status.HELD:
            remember_own_held(request, comment)
        if is_visible(request, comment):
            return redirect(comment.get_absolute_url())
        return redirect(comment.article.get_absolute_url())
    status = 400 if form.is_bound else 200
    return render(
        request, "discussion/edit.html", {"comment": comment, "form": form}, status=status
    )


@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Follow a confirmation link: the comment is verified and this browser remembered."""
    try:
        comment = services.confirm_address(token)
    except signing.SignatureExpired:
        return render(request, "discussion/confirm_failed.html", {"expired": True}, status=400)
    except (signing.BadSignature, Comment.DoesNotExist):
        return render(request, "discussion/confirm_failed.html", {"expired": False}, status=400)
    response = render(request, "discussion/confirmed.html", {"comment": comment})
    response.set_signed_cookie(
        CONFIRMED_COOKIE,
        comment.email.lower(),
        salt=CONFIRMED_COOKIE_SALT,
        max_age=CONFIRMED_COOKIE_MAX_AGE,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


@require_GET
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        comment = services.unsubscribe(token)
    except (signing.BadSignature, Comment.DoesNotExist):
        raise Http404("This unsubscribe link is not valid.") from None
    return render(request, "discussion/unsubscribed.html", {"comment": comment})


@login_required
@require_GET
def my_comments(request: HttpRequest) -> HttpResponse:
    """The signed-in reader's own comments, newest first. Template: discussion/mine.html."""
    user = _current_user(request)
    assert user is not None  # login_required
    comments = (
        Comment.objects.filter(user=user)
        .exclude(status=Comment.Status.DELETED)
        .select_related("article")
        .order_by("-created_at", "-id")
    )
    page = Paginator(comments, 50).get_page(request.GET.get("page"))
    return render(request, "discussion/mine.html", {"page": page})
