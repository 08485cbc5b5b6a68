"""How the loader (`services.load`) writes records: private to this app.

A `Batch` holds what one run has seen: the map from source ids to pks, and articles and
comments waiting to be written with bulk queries. It is state for one run of `load()`,
not a service: nothing outside `load()` makes one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from broadsheet import pagecache
from broadsheet.accounts.models import User
from broadsheet.consent.models import PolicyPage
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import published_comment_count
from broadsheet.publishing.models import Article

from . import bulk
from .middleware import forget_cached
from .models import ImportedItem, Redirect
from .records import AccountRecord, ArticleRecord, CommentRecord, PolicyRecord

if TYPE_CHECKING:
    from .services import ImportReport

ARTICLE_BATCH = 200
COMMENT_BATCH = 1000
# Source ids kept in memory per kind; past this the map is emptied and ids are read back
# from ImportedItem when needed, so memory stays bounded on very large imports.
MAX_REMEMBERED = 20_000
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


class Batch:
    def __init__(self, source: str, report: ImportReport) -> None:
        self.source = source
        self.report = report
        self.now = timezone.now()
        self.pks: dict[str, dict[str, int]] = {"account": {}, "article": {}, "comment": {}}
        # Comment pk -> (thread pk, depth, parent pk), for replies to it.
        self.threads: dict[int, tuple[int, int, int | None]] = {}
        self.articles: list[ArticleRecord] = []
        self.comments: list[CommentRecord] = []
        self.touched_articles: set[int] = set()
        self.old_paths: list[str] = []
        self.fallback_user: User | None = None
        self.authors = bulk.NamedRows("author")
        self.topics = bulk.NamedRows("topic")

    # Mapping source ids to pks ---------------------------------------------------------

    def remember(self, kind: str, source_id: str, pk: int) -> None:
        known = self.pks.setdefault(kind, {})
        if len(known) >= MAX_REMEMBERED:
            known.clear()
            if kind == "comment":
                self.threads.clear()
        known[source_id] = pk

    def existing(self, kind: str, source_ids: list[str]) -> dict[str, ImportedItem]:
        items = ImportedItem.objects.filter(
            source=self.source, kind=kind, source_id__in=set(source_ids)
        )
        return {item.source_id: item for item in items}

    def pk_of(self, kind: str, source_id: str) -> int | None:
        known = self.pks.setdefault(kind, {})
        if source_id not in known:
            item = self.existing(kind, [source_id]).get(source_id)
            if item is None:
                return None
            known[source_id] = item.object_id
        return known[source_id]

    def mark(self, kind: str, records: list[tuple[str, int, str]]) -> None:
        """Record (source_id, pk, fingerprint) for new items of `kind`."""
        ImportedItem.objects.bulk_create(
            ImportedItem(
                source=self.source, kind=kind, source_id=source_id, object_id=pk,
                fingerprint=print_, imported_at=self.now, updated_at=self.now,
            )
            for source_id, pk, print_ in records
        )  # fmt: skip
        for source_id, pk, _ in records:
            self.remember(kind, source_id, pk)

    def refresh_marks(self, items: list[ImportedItem]) -> None:
        for item in items:
            item.updated_at = self.now
        ImportedItem.objects.bulk_update(items, ["fingerprint", "updated_at", "object_id"])

    # Accounts -------------------------------------------------------------------------

    def account(self, record: AccountRecord) -> int:
        """The pk of the account for `record`, created or updated as needed (each account
        once per run: articles and comments repeat their submitters)."""
        if (pk := self.pks["account"].get(record.source_id)) is not None:
            return pk
        print_ = bulk.fingerprint(record)
        item = self.existing("account", [record.source_id]).get(record.source_id)
        user = User.objects.filter(pk=item.object_id).first() if item else None
        if item is not None and user is not None and item.fingerprint == print_:
            self.report.unchanged("account")
        elif user is not None and item is not None:
            self._fill_account(user, record)
            user.save()
            item.fingerprint = print_
            self.refresh_marks([item])
            self.report.update("account")
        else:
            user = User(username=self._free_username(record))
            user.set_unusable_password()
            self._fill_account(user, record)
            user.save()
            if item is not None:  # deleted on the site since: made again
                item.object_id, item.fingerprint = user.pk, print_
                self.refresh_marks([item])
            else:
                self.mark("account", [(record.source_id, user.pk, print_)])
            self.report.create("account")
        self.remember("account", record.source_id, user.pk)
        return user.pk

    def _fill_account(self, user: User, record: AccountRecord) -> None:
        user.email = record.email[:254] if bulk.valid_email(record.email) else ""
        name = record.display_name.strip()[:100]
        user.display_name = name
        key = user.computed_display_name_key()
        if key and User.objects.filter(display_name_key=key).exclude(pk=user.pk).exists():
            user.display_name = ""
            self.report.note("account", "display name taken, username shown")

    def _free_username(self, record: AccountRecord) -> str:
        base = _USERNAME_UNSAFE.sub("-", record.username.strip())[:140] or "imported"
        candidate, number = base, 1
        while User.objects.filter(username__iexact=candidate).exists():
            number += 1
            candidate = f"{base}-{number}"
        if candidate != base:
            self.report.note("account", "username taken, suffix added")
        return candidate

    def submitter(self, record: AccountRecord | None) -> int:
        if record is not None:
            return self.account(record)
        if self.fallback_user is None:
            fallback = AccountRecord(source_id="", username="imported", display_name="")
            self.fallback_user = User.objects.get(pk=self.account(fallback))
        return self.fallback_user.pk

    # Articles -------------------------------------------------------------------------

    def add_article(self, record: ArticleRecord) -> None:
        self.articles.append(record)
        if len(self.articles) >= ARTICLE_BATCH:
            self.flush_articles()

    def flush_articles(self) -> None:
        if not self.articles:
            return
        records, self.articles = self.articles, []
        bulk.store_articles(self, records)

    # Comments -------------------------------------------------------------------------

    def add_comment(self, record: CommentRecord) -> None:
        self.comments.append(record)
        if len(self.comments) >= COMMENT_BATCH:
            self.flush_comments()

    def flush_comments(self) -> None:
        self.flush_articles()  # a comment's article came before it: store it first
        if not self.comments:
            return
        records, self.comments = self.comments, []
        bulk.store_comments(self, records)

    def thread_of(self, pk: int) -> tuple[int, int, int | None] | None:
        if pk not in self.threads:
            rows = Comment.objects.filter(pk=pk).values_list("thread_id", "depth", "parent_id")
            row = rows.first()
            if row is None:
                return None
            self.threads[pk] = (row[0] or pk, row[1], row[2])
        return self.threads[pk]

    def reply_position(self, parent_pk: int) -> tuple[int, int, int] | None:
        """(parent pk, thread pk, depth) for a reply to `parent_pk`: at the depth limit
        the reply attaches to the parent's own parent, as discussion.services.reply_parent
        does for new replies, so old deep threads display as new ones would."""
        found = self.thread_of(parent_pk)
        while found is not None and found[1] >= settings.COMMENT_MAX_DEPTH - 1:
            if found[2] is None:
                break
            parent_pk = found[2]
            found = self.thread_of(parent_pk)
        if found is None:
            return None
        return parent_pk, found[0], found[1] + 1

    # Policy pages ---------------------------------------------------------------------

    def policy(self, record: PolicyRecord) -> None:
        source_id = record.source_id or record.kind
        print_ = bulk.fingerprint(record)
        item = self.existing("policy", [source_id]).get(source_id)
        page = PolicyPage.objects.filter(pk=item.object_id).first() if item else None
        if item is not None and page is not None:
            if item.fingerprint == print_:
                self.report.unchanged("policy")
                return
            if page.published_at is not None:
                self.report.skip("policy", "draft published since the last import")
                return
        body = bulk.policy_markdown(record.body, record.body_format)
        if page is None:
            latest = PolicyPage.objects.filter(kind=record.kind).order_by("-version").first()
            page = PolicyPage(kind=record.kind, version=(latest.version + 1) if latest else 1)
            created = True
        else:
            created = False
        page.title, page.body_source, page.published_at = record.title[:200], body, None
        page.save()
        if item is None:
            self.mark("policy", [(source_id, page.pk, print_)])
        else:
            item.object_id, item.fingerprint = page.pk, print_
            self.refresh_marks([item])
        if created:
            self.report.create("policy")
        else:
            self.report.update("policy")

    # The end --------------------------------------------------------------------------

    def store_redirects(self, pairs: list[tuple[str, int]]) -> None:
        if not pairs:
            return
        rows = {path: pk for path, pk in pairs}
        Redirect.objects.bulk_create(
            [
                Redirect(old_path=path, article_id=pk, source=self.source)
                for path, pk in rows.items()
            ],
            update_conflicts=True,
            unique_fields=["old_path"],
            update_fields=["article", "source"],
        )
        self.old_paths.extend(rows)

    def finish(self) -> None:
        self.flush_comments()
        touched = sorted(self.touched_articles)
        for start in range(0, len(touched), 500):
            Article.objects.filter(pk__in=touched[start : start + 500]).update(
                comment_count=published_comment_count()
            )
        forget_cached(self.old_paths)
        # Once, however much changed: every cached page goes, as after an outage.
        pagecache.changed(pagecache.EVERY_PAGE)
