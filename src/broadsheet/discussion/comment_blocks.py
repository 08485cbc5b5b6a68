"""Comment blocks: the HTML of a comment that is the same for every visitor, rendered once
per process and reused by every page that shows the comment, so a page of a thread that
grew by one comment renders one block (issue 20).

A block is the byline, the body, the permalink and the Reply link. What depends on the
visitor or on the moment (the held mark and note, whether the Reply link shows, the Edit
link, the moderator's bar) is added when comment_html.CommentTree assembles the page.

A block is looked up by its comment's id and the fingerprint of what shapes its markup
(the date format and its language, the time zone, the URL patterns), and it is used only
if the row it was rendered from (every column in access.PAGE_COLUMNS) equals the row just
read. So an edit, a status change or a new name can only make it miss, never show an old
block, whichever code path or process changed the row, and nothing has to invalidate it.

Why per process, not in the configured cache: the rows are read for every page anyway,
and rendering all 117 blocks of a 200-comment page from them takes about 1 ms (their
Comments built included), while fetching them took 1.5 ms of CPU from the file cache,
0.7 ms from Redis on the same machine and 0.3 ms from local memory; assembling the page
from blocks kept here takes 0.09 ms. The module's code is not in the fingerprint: a
process never outlives its code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from typing import NamedTuple

from .access import ShownComment

# What the store may hold, about in bytes: its text, plus ENTRY_OVERHEAD per block for
# the tuples, dates and string headers (measured with tracemalloc). 3 MB holds some 16
# pages of 117 short comments.
STORE_SIZE = 3_000_000
ENTRY_OVERHEAD = 900


class CommentBlock(NamedTuple):
    opening: str  # `<article id=… class="comment`: a held one's mark follows
    byline: str  # the rest of the tag, and the "Submitted by" line: a held note follows
    content: str  # the body and the permalink: the visitor's links follow
    reply: str  # the Reply link, for a published comment while comments are open


class BlockStore:
    """Blocks by fingerprint and comment id, each with the row it was rendered from; the
    least recently used go first once the store is full."""

    def __init__(self, size: int = STORE_SIZE) -> None:
        self.size = size
        # (fingerprint, id) -> (row, block, size); a dict keeps the order of use.
        self._entries: dict[tuple[Hashable, int], tuple[tuple[object, ...], CommentBlock, int]]
        self._entries = {}
        self._used = 0
        self._lock = threading.Lock()  # the store is shared by a process's threads
        self.rendered = 0  # blocks rendered since the store was made or cleared

    def blocks(
        self,
        fingerprint: Hashable,
        comments: Iterable[ShownComment],
        render: Callable[[ShownComment], CommentBlock],
    ) -> dict[int, CommentBlock]:
        """The block of each comment, by id: the stored one where its row is unchanged,
        otherwise rendered by `render()` and stored."""
        found: dict[int, CommentBlock] = {}
        missing: list[ShownComment] = []
        entries = self._entries
        with self._lock:
            for comment in comments:
                key = (fingerprint, comment.pk)
                entry = entries.pop(key, None)
                if entry is not None and entry[0] == comment.values:
                    entries[key] = entry  # now the most recently used
                    found[comment.pk] = entry[1]
                    continue
                if entry is not None:
                    self._used -= entry[2]
                missing.append(comment)
        if not missing:
            return found
        made = [(comment, render(comment)) for comment in missing]  # not under the lock
        with self._lock:
            self.rendered += len(made)
            for comment, block in made:
                found[comment.pk] = block
                size = ENTRY_OVERHEAD + sum(map(len, block))
                size += sum(len(value) for value in comment.values if isinstance(value, str))
                replaced = entries.pop((fingerprint, comment.pk), None)
                if replaced is not None:  # rendered meanwhile by another thread
                    self._used -= replaced[2]
                entries[(fingerprint, comment.pk)] = (comment.values, block, size)
                self._used += size
            while self._used > self.size and entries:
                self._used -= entries.pop(next(iter(entries)))[2]
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._used = 0
            self.rendered = 0

    def __len__(self) -> int:
        return len(self._entries)


BLOCKS = BlockStore()
