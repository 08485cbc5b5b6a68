"""The HTML of a comment thread, written in Python rather than a template included once per
comment: an article with 200 comments rendered through `{% include %}` spent about 90% of
its time in the template engine's per-include bookkeeping. Every value is escaped here
with `escape()` except the body, which was sanitised by nh3 when the comment was saved.
The markup is what discussion/_comments.html places inside its list.

What is the same for every visitor is rendered once per comment and kept (comment_blocks);
a page is assembled from those blocks and the visitor's own parts."""

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

from .access import CommentNode, ShownComment, ThreadNode
from .comment_blocks import BLOCKS, BlockStore, CommentBlock
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
LINKS_END = "\n    </p>\n    "


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
        store: BlockStore = BLOCKS,
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
        self.store = store
        # What a block's markup depends on besides its row.
        self.fingerprint = (date, self.zone, self.permalink, self.reply)

    def render(self, nodes: Iterable[ThreadNode[ShownComment]]) -> SafeString:
        nodes = list(nodes)
        shown: list[ShownComment] = []
        _collect_visible(nodes, shown)
        blocks = self.store.blocks(self.fingerprint, shown, self._block)
        return mark_safe(self._items(nodes, blocks))  # noqa: S308 (escaped parts)

    def _items(self, nodes: list[ThreadNode[ShownComment]], blocks: dict[int, CommentBlock]) -> str:
        return "".join(self._item(node, blocks) for node in nodes)

    def _item(self, node: ThreadNode[ShownComment], blocks: dict[int, CommentBlock]) -> str:
        if node.visible:
            body = self._comment(node, blocks[node.comment.pk])
        else:
            body = (
                f'<p id="{node.comment.model().anchor}" class="comment comment-removed">'
                "This comment has been removed.</p>"
            )
        replies = ""
        if node.children:
            children = self._items(node.children, blocks)
            replies = f'\n  <ol class="comment-list replies">{children}</ol>'
        return f'<li class="comment-item">\n  {body}{replies}\n</li>'

    def _comment(self, node: ThreadNode[ShownComment], block: CommentBlock) -> str:
        comment = node.comment
        parts = [block.opening]
        if node.held:
            parts.append(" comment-held")
        parts.append(block.byline)
        if node.held:
            parts.append(HELD_BY_YOU if node.own_held else HELD_FOR_REVIEW)
        parts.append(block.content)
        if self.open and comment.is_published:
            parts.append(block.reply)
        # can_edit() allows only the visitor's own comments: no other is made a Comment.
        user = self.user
        if user is not None and comment.user_id == user.pk and can_edit(comment.model(), user):
            parts.append(f'\n      <a href="{self.edit.format(comment.pk)}">Edit</a>')
        parts.append(LINKS_END)
        if self.moderator:
            bar_node = CommentNode(comment.model(), node.visible, node.own_held, held=node.held)
            parts.append(render_to_string("moderation/_bar.html", {"node": bar_node}, self.request))
        parts.append("\n  </article>")
        return "".join(parts)

    def _block(self, shown: ShownComment) -> CommentBlock:
        comment = shown.model()
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
        return CommentBlock(
            opening=f'<article id="{anchor}" class="comment',
            byline=f'" aria-labelledby="{anchor}-by">\n    {submitted}',
            content=(
                f'\n    <div class="comment-body">{comment.body_html}</div>\n'
                f'    <p class="comment-links">\n'
                f'      <a href="{self.permalink.format(comment.pk)}">Permalink</a>'
            ),
            reply=(
                f'\n      <a class="reply-link" href="{self.reply.format(comment.pk)}" '
                f'data-parent="{comment.pk}">Reply'
                f'<span class="visually-hidden"> to {name}</span></a>'
            ),
        )


def _collect_visible(nodes: Iterable[ThreadNode[ShownComment]], into: list[ShownComment]) -> None:
    for node in nodes:
        if node.visible:
            into.append(node.comment)
        _collect_visible(node.children, into)
