"""Cursor pagination for lists that grow while they are read (articles, comment threads).

A cursor names the last item of the page just read by its sort key, (time, id), and the
next page is what comes after that key in the list's order: a query on the key, not an
offset. Items inserted meanwhile land before or after the cursor and shift nothing, so a
client walking the pages sees no item twice and skips none that was there when it
started. Cursors are signed, so a client cannot forge one into an unindexed query, and
opaque: the key's form may change between versions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

from django.core import signing
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from .errors import ApiError

CURSOR_SALT = "broadsheet.api.cursor"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100

M = TypeVar("M", bound=Model)


def page_size(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}.", field="limit")
    return limit


def encode(kind: str, moment: dt.datetime, pk: int) -> str:
    return signing.dumps([kind, moment.isoformat(), pk], salt=CURSOR_SALT, compress=True)


def decode(kind: str, cursor: str) -> tuple[dt.datetime, int]:
    """The sort key a cursor of this list names; a 400 for anything else."""
    try:
        found, moment, pk = signing.loads(cursor, salt=CURSOR_SALT)
        if found != kind:
            raise ValueError(found)
        return dt.datetime.fromisoformat(moment), int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        raise ApiError(
            400, "This cursor is not one this list gave out.", code="invalid_cursor",
            field="cursor",
        ) from None  # fmt: skip


def after(
    queryset: QuerySet[M], field: str, key: tuple[dt.datetime, int], *, descending: bool
) -> QuerySet[M]:
    """The rows that come after `key` in order (field, id), ascending or descending."""
    moment, pk = key
    if descending:
        return queryset.filter(Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "id__lt": pk}))
    return queryset.filter(Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "id__gt": pk}))


def split_page(rows: Sequence[M], size: int) -> tuple[list[M], bool]:
    """The page's rows (fetched one more than `size`) and whether more follow."""
    return list(rows[:size]), len(rows) > size


def next_url(request: HttpRequest, cursor: str | None) -> str | None:
    """This list's address with the given cursor and the same filters, or None."""
    if cursor is None:
        return None
    params = {key: value for key, value in request.GET.items() if key != "cursor"}
    params["cursor"] = cursor
    return f"{request.path}?{urlencode(params)}"
