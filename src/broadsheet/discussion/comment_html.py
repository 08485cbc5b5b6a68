"""The HTML of a comment thread, written in Python rather than a template included once per
comment: an article with 200 comments rendered through `{% include %}` spent about 90% of
its time in the template engine's per-include bookkeeping. Every value is escaped here
with `escape()` except the body, which was sanitised by nh3 when the comment was saved.
The markup is what discussion/_comments.html places inside its list."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .access import CommentNode
from .services import can_edit

_PK = 2_147_483_647  # a placeholder id, replaced in the reversed URLs below
HELD_BY_YOU = (
    '\n    <p class="held-note">Your comment is waiting for a moderator. Only you can see it.</p>'
)
HELD_FOR_REVIEW = (
    '\n    <p class="held-note held-mark"><strong>Held</strong> for review: '
    "readers cannot see this comment.</p>"
)


EDITED = ' <span class="edited">(edited)</span>'


def _url_pattern(name: str) -> str:
    return escape(reverse(name, args=[_PK])).replace(str(_PK), "{}")


class CommentTree:
    """Renders nodes from access.build_threads(). One per page: URL patterns, the visitor
    and their rights are worked out once, not once per comment."""

    def __init__(
        self,
        *,
        request: HttpRequest,
        user: Any,
        open: bool,
        moderator: bool,
        date: Callable[[datetime], str],  # formats a datetime in the site's zone
    ) -> None:
        self.request = request
        self.user = user
        self.open = open
        self.moderator = moderator
        self.date = date
        self.zone = timezone.get_current_timezone()
        self.permalink = _url_pattern("discussion:permalink")
        self.reply = _url_pattern("discussion:reply")
        self.edit = _url_pattern("discussion:edit")

    def render(self, nodes: Iterable[CommentNode]) -> SafeString:
        return mark_safe("".join(self._item(node) for node in nodes))  # noqa: S308 (escaped parts)

    def _item(self, node: CommentNode) -> str:
        if node.visible:
            body = self._comment(node)
        else:
            body = (
                f'<p id="{node.comment.anchor}" class="comment comment-removed">'
                "This comment has been removed.</p>"
            )
        replies = ""
        if node.children:
            replies = f'\n  <ol class="comment-list replies">{self.render(node.children)}</ol>'
        return f'<li class="comment-item">\n  {body}{replies}\n</li>'

    def _comment(self, node: CommentNode) -> str:
        comment = node.comment
        anchor = comment.anchor
        name = escape(comment.name)
        shown_name = (
            f'<a href="{escape(comment.homepage)}" rel="nofollow ugc noopener">{name}</a>'
            if comment.homepage
            else name
        )
        created = comment.created_at
        local = timezone.localtime(created, self.zone) if timezone.is_aware(created) else created
        submitted = (
            f'<p class="submitted" id="{anchor}-by">Submitted by {shown_name}'
            f"{'' if comment.is_verified else ' (not verified)'} on "
            f'<time datetime="{local.isoformat()}">{escape(self.date(local))}</time>'
            f"{EDITED if comment.edited_at else ''}</p>"
        )
        note = HELD_BY_YOU if node.own_held else HELD_FOR_REVIEW if node.held else ""
        links = [f'<a href="{self.permalink.format(comment.pk)}">Permalink</a>']
        if self.open and comment.is_published:
            links.append(
                f'<a class="reply-link" href="{self.reply.format(comment.pk)}" '
                f'data-parent="{comment.pk}">Reply'
                f'<span class="visually-hidden"> to {name}</span></a>'
            )
        if self.user is not None and can_edit(comment, self.user):
            links.append(f'<a href="{self.edit.format(comment.pk)}">Edit</a>')
        bar = ""
        if self.moderator:
            bar = render_to_string("moderation/_bar.html", {"node": node}, self.request)
        joined = "\n      ".join(links)
        return (
            f'<article id="{anchor}" class="comment{" comment-held" if node.held else ""}" '
            f'aria-labelledby="{anchor}-by">\n    {submitted}{note}\n'
            f'    <div class="comment-body">{comment.body_html}</div>\n'
            f'    <p class="comment-links">\n      {joined}\n    </p>\n    {bar}\n  </article>'
        )
