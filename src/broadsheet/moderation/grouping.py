"""Near-duplicate held comments, so a moderator decides once for many.

Two comments are in one group when their normalised text is the same (textnorm: look-alike
letters, invisible characters, case, spacing and numbers undone, so "WIN £500 now" and
"win £750 NOW" match), or when they link to the same registered domain within
LINK_WINDOW of each other. Groups are the connected sets of those pairs. The queue offers
one action for a whole group, which teaches the spam filter once (services.moderate).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from broadsheet.discussion.models import Comment

from .linkfinder import find_links
from .textnorm import normalised_words

LINK_WINDOW = dt.timedelta(hours=1)
# A group is built from at most this many held comments (the newest): enough for a flood,
# and a bound on the queue page's work.
MAX_COMMENTS = 1000


@dataclass(frozen=True)
class Group:
    ids: tuple[int, ...]  # oldest first
    why: str  # "same text" or "links to example.com"


def text_key(body: str) -> str:
    words = ["#" if word.isdigit() else word for word in normalised_words(body)]
    return hashlib.blake2b(" ".join(words).encode(), digest_size=12).hexdigest()


class _Sets:
    """Union-find over comment ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        root = self.parent.setdefault(item, item)
        while root != self.parent[root]:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def join(self, first: int, second: int) -> None:
        self.parent[self.find(first)] = self.find(second)


def near_duplicates(comments: Sequence[Comment]) -> dict[int, Group]:
    """Each comment in a group of two or more, by id, with its group."""
    ordered = sorted(comments, key=lambda comment: (comment.created_at, comment.pk))
    sets = _Sets()
    reason: dict[int, str] = {}
    by_text: dict[str, int] = {}
    last_link: dict[str, tuple[int, dt.datetime]] = {}
    for comment in ordered:
        sets.find(comment.pk)
        key = text_key(comment.body_source)
        if key in by_text:
            sets.join(comment.pk, by_text[key])
            reason.setdefault(comment.pk, "same text")
        by_text.setdefault(key, comment.pk)
        for domain in {link.registered_domain for link in find_links(comment.body_source)}:
            earlier = last_link.get(domain)
            if earlier is not None and comment.created_at - earlier[1] <= LINK_WINDOW:
                sets.join(comment.pk, earlier[0])
                reason.setdefault(comment.pk, f"links to {domain}")
            last_link[domain] = (comment.pk, comment.created_at)
    members: dict[int, list[int]] = defaultdict(list)
    for comment in ordered:
        members[sets.find(comment.pk)].append(comment.pk)
    groups: dict[int, Group] = {}
    for ids in members.values():
        if len(ids) < 2:
            continue
        whys = sorted({reason[i] for i in ids if i in reason})
        group = Group(tuple(ids), "; ".join(whys))
        for comment_id in ids:
            groups[comment_id] = group
    return groups
