"""Which comments a visitor may see, and which page of an article each thread is on.

Readers see published comments. The visitor who wrote a held comment also sees it, in
the browser it was posted from (its id is kept in their session) until it is moderated.
Moderators (the `discussion.moderate_comment` permission) see every held comment inline,
marked as held, so they can moderate it where it will appear.
A thread is listed while any comment in it is visible; comments that are not visible but
have visible replies are shown as a removed placeholder so the replies keep their context.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest

from broadsheet.publishing.models import Article

from .models import Comment

OWN_HELD_SESSION_KEY = "own_held_comments"
MODERATE_PERMISSION = "discussion.moderate_comment"
PUBLISHED, HELD = Comment.Status.PUBLISHED.value, Comment.Status.HELD.value
# Comments pages fetched without counting the threads first; a larger number is counted,
# and shown as the last page.
PLAUSIBLE_PAGES = 100_000


def own_held_ids(request: HttpRequest) -> set[int]:
    if not hasattr(request, "session"):
        return set()
    return set(request.session.get(OWN_HELD_SESSION_KEY, []))


def remember_own_held(request: HttpRequest, comment: Comment) -> None:
    held = own_held_ids(request) | {comment.pk}
    request.session[OWN_HELD_SESSION_KEY] = sorted(held)[-50:]


def sees_held_comments(request: HttpRequest) -> bool:
    """Whether this visitor moderates comments, and so sees every held comment."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.has_perm(MODERATE_PERMISSION))


def visible_to(request: HttpRequest) -> Q:
    """The condition for comments this visitor may read."""
    if sees_held_comments(request):
        return Q(status__in=[Comment.Status.PUBLISHED, Comment.Status.HELD])
    condition = Q(status=Comment.Status.PUBLISHED)
    if own := own_held_ids(request):
        condition |= Q(status=Comment.Status.HELD, pk__in=own)
    return condition


def is_visible(request: HttpRequest, comment: Comment) -> bool:
    return comment.status == Comment.Status.PUBLISHED or (
        comment.status == Comment.Status.HELD
        and (comment.pk in own_held_ids(request) or sees_held_comments(request))
    )


def thread_roots(article: Article, request: HttpRequest) -> QuerySet[Comment]:
    """Top-level comments whose thread has something this visitor may read, in page order.

    A root is in its own thread, so this asks "the root is visible, or something in its
    thread is": most threads are then settled from the (article, status, depth,
    created_at) index alone, and only those whose first comment the visitor may not read
    are looked up in the (thread, status) index. Asking only the second took 1.7 ms for a
    page of an article with 1,889 threads among 2,000,000 comments (0.6 ms this way)."""
    visible_in_thread = Comment.objects.filter(visible_to(request), thread=OuterRef("pk"))
    order = ("-created_at", "-id") if settings.COMMENTS_NEWEST_FIRST else ("created_at", "id")
    return (
        Comment.objects.filter(article=article, depth=0)
        .filter(visible_to(request) | Q(Exists(visible_in_thread)))
        .order_by(*order)
    )


def page_number_of(comment: Comment, request: HttpRequest) -> int:
    """The comments page of the article on which `comment`'s thread appears.

    It counts the threads listed before this one that the visitor can see, as
    thread_roots() lists them; tests check the two agree. Written in SQL because every
    comment post asks it for the redirect, and Django took four times as long to build
    the query as the database took to answer it."""
    root = comment if comment.thread_id in (None, comment.pk) else (comment.thread or comment)
    table = connection.ops.quote_name(Comment._meta.db_table)
    visible_params: list[str | int]
    if sees_held_comments(request):
        visible, visible_params = "{}.status IN (%s, %s)", [PUBLISHED, HELD]
    else:
        visible, visible_params = "{}.status = %s", [PUBLISHED]
        if own := sorted(own_held_ids(request)):
            marks = ", ".join(["%s"] * len(own))
            visible = f"({visible} OR ({{}}.status = %s AND {{}}.id IN ({marks})))"
            visible_params += [HELD, *own]
    before = ">" if settings.COMMENTS_NEWEST_FIRST else "<"
    # The root first, then its thread, as thread_roots() asks (see there).
    root_visible = visible.replace("{}", "r")
    thread_visible = visible.replace("{}", "v")
    sql = f"""
        SELECT COUNT(*) FROM {table} r
        WHERE r.article_id = %s AND r.depth = 0
            AND (r.created_at {before} %s OR (r.created_at = %s AND r.id {before} %s))
            AND ({root_visible}
                OR EXISTS (SELECT 1 FROM {table} v WHERE v.thread_id = r.id AND {thread_visible}))
    """
    created_at = connection.ops.adapt_datetimefield_value(root.created_at)
    params = [comment.article_id, created_at, created_at, root.pk, *visible_params, *visible_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (count,) = cursor.fetchone()
    return int(count) // settings.COMMENTS_PER_PAGE + 1


# What the article page reads of a comment, in the model's order (Comment.from_db() takes
# them so): the order of ShownComment.values.
PAGE_COLUMNS = tuple(
    field.attname
    for field in Comment._meta.concrete_fields
    if field.attname
    in {"id", "article_id", "thread_id", "parent_id", "depth", "status", "user_id",
        "email_confirmed", "name", "homepage", "created_at", "edited_at", "body_html"}
)  # fmt: skip
_READ = frozenset(PAGE_COLUMNS)  # from_db() asks of each field whether it was read
_ID, _THREAD, _PARENT, _DEPTH, _STATUS, _USER = (
    PAGE_COLUMNS.index(name)
    for name in ("id", "thread_id", "parent_id", "depth", "status", "user_id")
)


@dataclass(slots=True, eq=False)
class ShownComment:
    """A comment of the article page, as its row was read. It becomes a Comment only where
    the page needs the model's rules (to render its block, for a moderator's bar, for the
    visitor's own comment): building the 117 Comments of a 200-comment page took a third
    of threads_page()'s time, and a page whose blocks are all stored needs none."""

    pk: int
    thread_id: int
    parent_id: int | None
    depth: int
    status: str
    user_id: int | None
    # Every column read, PAGE_COLUMNS in order: what its stored block is checked against.
    values: tuple[Any, ...]
    db: str
    _model: Comment | None = None

    @classmethod
    def from_row(cls, row: tuple[Any, ...], db: str) -> ShownComment:
        return cls(
            row[_ID], row[_THREAD], row[_PARENT], row[_DEPTH], row[_STATUS], row[_USER], row, db
        )

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    def model(self) -> Comment:
        """The Comment this row is, with the columns the page does not read deferred."""
        if self._model is None:
            self._model = Comment.from_db(self.db, _READ, self.values)
        return self._model


@dataclass(frozen=True)
class ThreadsPage:
    """One comments page of an article: `page.object_list` holds the thread roots in page
    order, `comments` every comment of those threads (visible or not), oldest first."""

    # A page of the thread roots, numbered by a paginator over how many threads there are.
    page: Page[Any]
    comments: list[ShownComment]


def threads_page(article: Article, request: HttpRequest, number: str | None) -> ThreadsPage:
    """The threads on comments page `number`, read as Paginator.get_page() reads it: a
    non-number is the first page, a number out of range the last.

    One query when the page has threads: their comments, each row also carrying the number
    of threads on all pages, which is all the paginator needs. An empty answer (no threads,
    or a number out of range) costs a count, and a number out of range one more fetch."""
    roots = thread_roots(article, request)
    try:
        asked = int(number or 1)
    except ValueError:
        asked = 1
    # Only a plausible number is fetched at once: the offset of one like 10**20 would
    # overflow the database's integers, and it is past the last page anyway.
    plausible = 1 <= asked <= PLAUSIBLE_PAGES
    comments, total = _comments_on_page(roots, asked) if plausible else ([], None)
    if total is None:
        total = roots.count()
    # Paged over a range, whose len() is the count: the paginator asks no query of its own.
    paginator = Paginator(range(total), settings.COMMENTS_PER_PAGE)
    shown = paginator.get_page(asked).number
    if total and shown != asked:
        comments, _ = _comments_on_page(roots, shown)
    # A thread's root is the comment that is its own thread. The comments come oldest
    # first, the order of thread_roots() unless the newest threads come first.
    page_roots = [comment for comment in comments if comment.pk == comment.thread_id]
    if settings.COMMENTS_NEWEST_FIRST:
        page_roots.reverse()
    return ThreadsPage(Page(page_roots, shown, paginator), comments)


def _comments_on_page(
    roots: QuerySet[Comment], number: int
) -> tuple[list[ShownComment], int | None]:
    """Every comment of the threads on page `number` of `roots`, oldest first, and the
    number of threads on all pages (None when the page has none)."""
    per_page = settings.COMMENTS_PER_PAGE
    start = (number - 1) * per_page
    on_page = roots.values("pk")[start : start + per_page]
    thread_count = roots.order_by().values("article").annotate(total=Count("pk")).values("total")
    # Only what the page shows: not the Markdown source, the e-mail or screening data.
    query = (
        Comment.objects.filter(thread__in=on_page)
        .annotate(thread_count=Subquery(thread_count))
        .order_by("created_at", "id")
        .values_list(*PAGE_COLUMNS, "thread_count")
    )
    rows = list(query)
    comments = [ShownComment.from_row(row[:-1], query.db) for row in rows]
    return comments, (rows[0][-1] if rows else None)


class Threaded(Protocol):
    """What build_threads() reads of a comment: a Comment (the API) or a ShownComment (the
    article page)."""

    @property
    def pk(self) -> Any: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def depth(self) -> int: ...
    @property
    def status(self) -> str: ...


# T has no bound: mypy checks the argument of the CommentNode alias below before the Django
# plugin has given Comment its fields, and would find Comment is not Threaded.
T = TypeVar("T")
C = TypeVar("C", bound=Threaded)


@dataclass
class ThreadNode(Generic[T]):
    comment: T
    visible: bool
    # Held, and shown to the visitor who wrote it.
    own_held: bool
    children: list[ThreadNode[T]] = field(default_factory=list)
    # Held, and shown (to its author or to a moderator).
    held: bool = False


CommentNode = ThreadNode[Comment]


def build_threads(
    roots: Iterable[Threaded], comments: Iterable[C], request: HttpRequest
) -> list[ThreadNode[C]]:
    """Nest the comments of the given threads; drop invisible comments with no visible
    reply below them."""
    own = own_held_ids(request)
    moderator = sees_held_comments(request)
    nodes: dict[int, ThreadNode[C]] = {}
    for comment in comments:
        held = comment.status == Comment.Status.HELD and (comment.pk in own or moderator)
        visible = comment.status == Comment.Status.PUBLISHED or held
        nodes[comment.pk] = ThreadNode(comment, visible, held and comment.pk in own, held=held)
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id or 0)
        if parent is not None and node.comment.depth > 0:
            parent.children.append(node)

    def prune(node: ThreadNode[C]) -> bool:
        node.children = [child for child in node.children if prune(child)]
        return node.visible or bool(node.children)

    return [nodes[root.pk] for root in roots if root.pk in nodes and prune(nodes[root.pk])]
