"""`{% comments_section article %}`: the comments and the form under an article, in the
manner of django-contrib-comments' render tags, so the article page needs no knowledge of
how discussion stores its comments. The site's article page calls it
(src/broadsheet/templates/publishing/article.html); publishing's own template does not, as
publishing is below discussion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone

from broadsheet import pagecache
from broadsheet.lib.dates import formatter
from broadsheet.publishing.models import Article

from ..access import build_threads, sees_held_comments, threads_page
from ..comment_html import CommentTree
from ..forms import CommentForm, may_remember, remembered_initial
from ..services import (
    comments_are_open,
    comments_are_shown,
    seconds_until_comments_close,
)

register = template.Library()


@register.filter
def comment_date(value: datetime | None) -> str:
    """`Sat, 07/12/2019 - 17:54` with the default COMMENT_DATE_FORMAT, in the site's time
    zone. Called as a function the date filter formats an aware datetime in its own zone
    (UTC from the database), so the conversion is done here."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return formatter(settings.COMMENT_DATE_FORMAT)(local)


@register.inclusion_tag("discussion/_comments.html", takes_context=True)
def comments_section(context: template.Context, article: Article) -> dict[str, Any]:
    request = context["request"]
    if not comments_are_shown(article) or not article.is_live:
        return {"shown": False}
    shown = threads_page(article, request, request.GET.get("page"))
    is_open = comments_are_open(article)
    if is_open:  # a cached copy of the form must go when comments close by age
        pagecache.cache_until(request, lambda: seconds_until_comments_close(article))
    user = request.user if request.user.is_authenticated else None
    # Moderators get the moderation bar on each comment and see held ones inline.
    moderator = sees_held_comments(request)
    form = context.get("comment_form") or CommentForm(
        initial=remembered_initial(request),
        logged_in=user is not None,
        can_remember=may_remember(request),
    )
    return {
        "shown": True,
        "request": request,
        "article": article,
        "threads": CommentTree(
            request=request,
            user=user,
            open=is_open,
            moderator=moderator,
            date=formatter(settings.COMMENT_DATE_FORMAT),
        ).render(build_threads(shown.page.object_list, shown.comments, request)),
        "page": shown.page,
        "open": is_open,
        "form": form,
        "preview": context.get("comment_preview"),
        "reply_to": context.get("reply_to"),
        "user": user,
        "needs_confirmation": user is not None and not user.can_comment_as_registered,
        "count": article.comment_count,
    }
