"""The loader every importer shares (`importers.services.load`), fed records directly."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc

import pytest
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.importers import wxr
from broadsheet.importers.records import AccountRecord, ArticleRecord, CommentRecord
from broadsheet.importers.services import ImportReport, load
from broadsheet.publishing.models import Article
from tests.helpers import make_article, make_user
from tests.importers.helpers import comment, post
from tests.importers.helpers import wxr as wxr_text

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2021, 5, 6, 7, 8, tzinfo=dt.UTC)


def article(source_id: str = "a1", **fields: object) -> ArticleRecord:
    values: dict[str, object] = {
        "title": "Imported piece", "slug": f"imported-{source_id}", "body": "<p>Body</p>",
        "published_at": WHEN,
    }  # fmt: skip
    values.update(fields)
    return ArticleRecord(source_id=source_id, **values)  # type: ignore[arg-type]


def test_a_reply_to_a_missing_comment_is_skipped_with_its_replies() -> None:
    report = load(
        "test:1",
        [
            article(),
            CommentRecord("c1", "a1", "<p>Top</p>", created_at=WHEN),
            CommentRecord("c3", "a1", "<p>Orphan</p>", parent_source_id="c2"),
            CommentRecord("c4", "a1", "<p>Reply to orphan</p>", parent_source_id="c3"),
            CommentRecord("c5", "nope", "<p>Elsewhere</p>"),
        ],
        report=ImportReport(),
    )
    assert list(Comment.objects.values_list("body_source", flat=True)) == ["<p>Top</p>"]
    skipped = report.counts("comment").skipped
    assert skipped == {"its parent was not imported": 2, "its article was not imported": 1}
    assert "comment: 1 created, 0 updated, 0 unchanged, 3 skipped" in report.summary()


def test_comments_onto_a_site_article_by_pk() -> None:
    site_article = make_article()
    load(
        "disqus:test",
        [
            CommentRecord(
                "d1",
                "",
                "Plain text\n\nwith <b>tags</b>",
                body_format="text",
                article_id=site_article.pk,
            )
        ],  # fmt: skip
        report=ImportReport(),
    )
    stored = Comment.objects.get()
    assert stored.body_html == "<p>Plain text</p>\n<p>with &lt;b&gt;tags&lt;/b&gt;</p>"
    site_article.refresh_from_db()
    assert site_article.comment_count == 1


def test_deep_threads_attach_at_the_depth_limit(settings: object) -> None:
    records: list[object] = [article()]
    parent = None
    for number in range(8):
        records.append(
            CommentRecord(f"c{number}", "a1", f"level {number}", parent_source_id=parent)
        )
        parent = f"c{number}"
    load("test:deep", records, report=ImportReport())  # type: ignore[arg-type]
    assert max(Comment.objects.values_list("depth", flat=True)) == 3  # COMMENT_MAX_DEPTH - 1


def test_a_display_name_in_use_is_left_empty_with_a_note() -> None:
    make_user("rita", display_name="Rita Reader")
    account = AccountRecord("7", "rita_wp", display_name="Rita Reader")
    report = load("test:names", [article(submitted_by=account)], report=ImportReport())
    imported = User.objects.get(username="rita_wp")
    assert imported.display_name == ""
    assert report.counts("account").notes == {"display name taken, username shown": 1}


def test_a_markdown_body_is_rendered_as_markdown() -> None:
    load(
        "test:md", [article(body="Some *emphasis*", body_format="markdown")], report=ImportReport()
    )
    stored = Article.objects.get()
    assert (stored.body_format, stored.body_html) == ("markdown", "<p>Some <em>emphasis</em></p>\n")


def test_an_article_deleted_on_the_site_is_not_brought_back() -> None:
    load("test:del", [article()], report=ImportReport())
    Article.objects.get().delete()
    report = load("test:del", [article(title="Changed")], report=ImportReport())
    assert not Article.objects.exists()
    assert report.counts("article").skipped == {"deleted on this site since the last import": 1}


def test_a_taken_slug_gets_a_suffix() -> None:
    make_article(slug="imported-a1")
    load("test:slug", [article()], report=ImportReport())
    assert Article.objects.filter(slug="imported-a1-2").exists()


def test_cached_pages_and_redirect_answers_are_forgotten_after_an_import(
    client: Client,
) -> None:
    assert client.get("/?p=5").status_code == 200  # the home page, and "no redirect" cached
    client.get("/")
    load(
        "test:cache",
        [article("5", title="Fresh from the archive", old_paths=["/?p=5"])],
        report=ImportReport(),
    )
    assert "Fresh from the archive" in client.get("/").content.decode()
    assert client.get("/?p=5").status_code == 301


def test_the_reader_keeps_memory_flat_on_a_big_file() -> None:
    def export(posts: int) -> bytes:
        items = [post(n, f"Post {n}", "words " * 400, comments=(comment(n, "hi " * 50),))
                 for n in range(1, posts + 1)]  # fmt: skip
        return wxr_text(items).encode()

    def peak(data: bytes) -> int:
        tracemalloc.start()
        zone = dt.UTC
        for _ in wxr.read_wxr(io.BytesIO(data), report=ImportReport(), site_timezone=zone):
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak - len(data)  # the file itself is in memory here, not while importing

    small, big = export(200), export(2000)
    assert len(big) > 8 * len(small)
    assert peak(big) < 2 * peak(small) + 200_000
