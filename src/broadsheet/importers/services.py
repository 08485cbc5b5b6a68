"""The loader: stores the records a reader yields (see `records.py`), for every importer.

Public API, used by the WordPress, Drupal and Disqus importers alike:

`ImportReport()`
    Counts per kind ("account", "article", "comment", "policy", or a reader's own kind
    such as "attachment"): `created`, `updated`, `unchanged`, and `skipped` and `notes`
    as Counters of reasons. Readers record what they leave out with
    `report.skip(kind, reason)`; the loader records the rest. `summary()` gives one line
    per kind; `total(kind)` how many items of a kind were seen.

`load(source, records, *, report, progress=None) -> ImportReport`
    Stores AccountRecord, ArticleRecord, CommentRecord and PolicyRecord in the order the
    reader yields them, in one transaction (an exception from the reader, such as a
    malformed file, rolls back everything). `source` names the import, the same on every
    run ("wxr:https://example.org", "drupal:newsroom", "disqus:forum-name"): items are
    found again by (source, kind, source_id), so a second run updates what the first
    made, and leaves alone what did not change since (counted as unchanged, and local
    edits to those objects kept). `progress`, if given, is called with each record once
    it is handled.

Rules the readers may rely on:
- A comment must come after its article and its parent; one whose article or parent is
  not there is skipped with a reason (as are its replies). Comments may also name a site
  article by pk (`article_id`) instead of an article of the same source.
- HTML bodies are sanitised with the site's sanitiser and stored as HTML (articles:
  `body_format="html"`; comments: sanitised HTML in `body_source` and `body_html`, with
  `Comment.body_format="html"` so a later save sanitises instead of rendering Markdown).
  "text" bodies are escaped and paragraphed; "markdown" ones rendered as usual.
- Accounts are created without a usable password; a username already taken on the site
  gets a suffix (the import never takes over an existing account), a display name taken
  is left empty (the username shows instead) with a note.
- Slugs are kept when free and URL-safe, otherwise made so (and the old address kept as a
  redirect by the reader's `old_paths`); an updated article keeps the slug it has.
- Anonymous commenters' names are stored as they were: the comment form's rules (staff
  names, length) are for new comments, not for history.
- Comment counts of the articles touched are recounted, and the page cache invalidated,
  once at the end.

Articles and comments are written with bulk queries in batches; the in-memory map of
source ids to pks that threading needs falls back to the database for very large imports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from . import storing
from .records import AccountRecord, ArticleRecord, CommentRecord, PolicyRecord, Record

Progress = Callable[[Record], object]

__all__ = ["ImportReport", "KindCounts", "load"]


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + sum(self.skipped.values())


@dataclass
class ImportReport:
    kinds: dict[str, KindCounts] = field(default_factory=dict)

    def _of(self, kind: str) -> KindCounts:
        return self.kinds.setdefault(kind, KindCounts())

    def create(self, kind: str, count: int = 1) -> None:
        self._of(kind).created += count

    def update(self, kind: str, count: int = 1) -> None:
        self._of(kind).updated += count

    def unchanged(self, kind: str, count: int = 1) -> None:
        self._of(kind).unchanged += count

    def skip(self, kind: str, reason: str, count: int = 1) -> None:
        self._of(kind).skipped[reason] += count

    def note(self, kind: str, text: str, count: int = 1) -> None:
        """Something stored differently from the source (a name taken, an address
        dropped): not a skip, but worth telling."""
        self._of(kind).notes[text] += count

    def counts(self, kind: str) -> KindCounts:
        return self.kinds.get(kind, KindCounts())

    def total(self, kind: str) -> int:
        return self.counts(kind).total

    def summary(self) -> str:
        """One line per kind: "article: 3 created, 1 updated, 0 unchanged, 2 skipped
        (2 attachment)"; notes follow in brackets."""
        lines = []
        for kind in sorted(self.kinds):
            counts = self.kinds[kind]
            line = (
                f"{kind}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged, {sum(counts.skipped.values())} skipped"
            )
            if counts.skipped:
                line += " (" + ", ".join(_reasons(counts.skipped)) + ")"
            if counts.notes:
                line += "; notes: " + ", ".join(_reasons(counts.notes))
            lines.append(line)
        return "\n".join(lines) if lines else "nothing to import"


def _reasons(counter: Counter[str]) -> list[str]:
    return [f"{count} {reason}" for reason, count in counter.most_common()]


def load(
    source: str,
    records: Iterable[Record],
    *,
    report: ImportReport,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Store `records` from `source` in one transaction; see the module docstring. With
    `dry_run` everything is read, stored and counted as usual, then rolled back."""
    if not source:
        raise ValueError("An import needs a source name, the same on every run.")
    with transaction.atomic():
        batch = storing.Batch(source, report)
        for record in records:
            if isinstance(record, AccountRecord):
                batch.account(record)
            elif isinstance(record, ArticleRecord):
                batch.add_article(record)
            elif isinstance(record, CommentRecord):
                batch.add_comment(record)
            elif isinstance(record, PolicyRecord):
                batch.policy(record)
            else:
                raise TypeError(f"Not an import record: {record!r}")
            if progress is not None:
                progress(record)
        batch.finish()
        if dry_run:
            transaction.set_rollback(True)
    return report
