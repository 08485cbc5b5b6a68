"""What one comment post costs, and that the shortcuts behind that cost keep every count
and page right.

A post is the busiest write on the site (bench/run, scenario c), so it takes a fixed
number of queries however long the discussion is: the article's count goes up by one
instead of being counted again, a top-level comment is not fetched again to find its page,
and the article's bylines and topics are read only when the form has to be shown again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.signals import pre_save
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import edit_comment, refresh_comment_count, set_status
from broadsheet.publishing.models import Article
from tests.helpers import (
    at,
    count_versioned_reads,
    make_article,
    make_author,
    make_comment,
    make_topic,
    post_form,
)

pytestmark = pytest.mark.django_db

# The article; the duplicate check, before screening; spam tokens (screening); savepoint;
# the duplicate check again (for a concurrent double submit); the insert and its thread;
# the count; release; the page the redirect goes to. The staff's names (for the name
# check), blocked terms and bans are kept per process (lib/versioned.py): read by the
# first post only.
MOST_QUERIES = 10


@pytest.fixture
def publish_anonymous(settings: Any) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False


def _stored_count(article: Article) -> int:
    article.refresh_from_db()
    return article.comment_count


def _published(article: Article) -> int:
    return Comment.objects.published().filter(article=article).count()


def test_a_published_post_adds_one_to_the_count(nadia: Client, publish_anonymous: None) -> None:
    article = make_article("Library hours extended")
    make_comment(article, created_at=at(0))
    make_comment(article, created_at=at(1), status=Comment.Status.HELD)

    post_form(nadia, article, body="Good news for students.")
    post_form(nadia, article, body="And for the night shift.")

    assert _stored_count(article) == _published(article) == 3


def test_a_held_or_spam_post_leaves_the_count_alone(nadia: Client, settings: Any) -> None:
    article = make_article("Bins collected fortnightly")
    make_comment(article, created_at=at(0))

    settings.COMMENTS_HOLD_ANONYMOUS = True
    post_form(nadia, article, body="Held for a moderator.")
    settings.COMMENTS_HOLD_ANONYMOUS = False
    post_form(nadia, article, body="Filled in by a bot.", website="http://spam.example")

    assert sorted(Comment.objects.values_list("status", flat=True)) == [
        Comment.Status.HELD,
        Comment.Status.PUBLISHED,
        Comment.Status.SPAM,
    ]
    assert _stored_count(article) == _published(article) == 1


def test_counts_stay_right_through_posts_and_moderation(
    nadia: Client, tomasz: Client, publish_anonymous: None
) -> None:
    article = make_article("Ferry timetable changes")
    other = make_article("Harbour dredging starts")
    post_form(nadia, article, body="First.")
    post_form(tomasz, other, name="Tomasz Nowak", body="Elsewhere.")
    post_form(tomasz, article, name="Tomasz Nowak", body="Second.")
    first = Comment.objects.get(body_source="First.")
    set_status(first, Comment.Status.DELETED)
    second = Comment.objects.get(body_source="Second.")
    post_form(nadia, article, body="Third.", parent=str(second.pk))

    stored = {a.pk: a.comment_count for a in Article.objects.all()}
    counted = dict(
        Comment.objects.published().values_list("article").annotate(n=Count("pk")).order_by()
    )
    assert stored == counted == {article.pk: 2, other.pk: 1}
    # And a full recount agrees with what the increments left.
    refresh_comment_count(article.pk)
    assert _stored_count(article) == 2


def test_a_post_takes_the_same_queries_however_long_the_discussion(
    nadia: Client, publish_anonymous: None, django_assert_max_num_queries: Any
) -> None:
    article = make_article("Park run route changes")
    post_form(nadia, article, body="The first post reads the staff's names.")
    counts = []
    for threads in (1, 30):
        while Comment.objects.filter(article=article, depth=0).count() < threads:
            root = make_comment(article, created_at=at(Comment.objects.count()))
            make_comment(article, parent=root, created_at=at(Comment.objects.count()))
        # PostgreSQL also takes the article's row lock (SQLite's write lock does that).
        row_lock = 1 if connection.features.has_select_for_update else 0
        with django_assert_max_num_queries(MOST_QUERIES + row_lock) as captured:
            response = post_form(nadia, article, body=f"Posted after {threads} threads.")
        assert response.status_code == 302
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]
    newest = Comment.objects.latest("pk")
    assert response["Location"] == f"{article.get_absolute_url()}#{newest.anchor}"


@pytest.fixture
def renders_and_saves(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, int]]]:
    """Each rendering of a comment's body and each save of a comment, in order, with how
    deep in transactions it ran."""
    events: list[tuple[str, int]] = []
    rendered_body = Comment.rendered_body

    def rendering(comment: Comment) -> str:
        events.append(("render", len(connection.atomic_blocks)))
        return rendered_body(comment)

    def saving(**kwargs: Any) -> None:
        events.append(("save", len(connection.atomic_blocks)))

    monkeypatch.setattr(Comment, "rendered_body", rendering)
    pre_save.connect(saving, sender=Comment, dispatch_uid="test-renders-and-saves")
    yield events
    pre_save.disconnect(sender=Comment, dispatch_uid="test-renders-and-saves")


def test_a_post_renders_its_body_once_before_the_write_transaction(
    nadia: Client, publish_anonymous: None, renders_and_saves: list[tuple[str, int]]
) -> None:
    article = make_article("Park run route changes")

    post_form(nadia, article, body="A *long* comment, rendered while nobody waits.")

    assert [kind for kind, _ in renders_and_saves] == ["render", "save"]
    [(_, outside), (_, inside)] = renders_and_saves
    assert outside < inside
    assert "<em>long</em>" in Comment.objects.get().body_html


@pytest.mark.parametrize("held", [False, True])
def test_an_edit_renders_its_body_once_before_it_is_saved(
    renders_and_saves: list[tuple[str, int]], held: bool
) -> None:
    comment = make_comment(make_article("Park run route changes"), body="First words.")
    renders_and_saves.clear()
    # More than two links are held by screening: the edit then goes through set_status().
    body = "Second *thoughts*." + " http://a.example http://b.example http://c.example" * held

    edit_comment(comment, body)

    (first, outside), *saves = renders_and_saves
    assert first == "render" and saves and {kind for kind, _ in saves} == {"save"}
    # An edit that keeps its status is one UPDATE, in no transaction of its own.
    assert all(outside < depth if held else outside <= depth for _, depth in saves)
    comment.refresh_from_db()
    assert comment.status == (Comment.Status.HELD if held else Comment.Status.PUBLISHED)
    assert "<em>thoughts</em>" in comment.body_html


def test_the_redirect_finds_the_page_of_a_new_thread(
    nadia: Client, publish_anonymous: None, settings: Any
) -> None:
    settings.COMMENTS_PER_PAGE = 2
    article = make_article("Allotment waiting list")
    for minute in range(4):
        make_comment(article, created_at=at(minute))

    response = post_form(nadia, article, body="On page three.")

    newest = Comment.objects.latest("pk")
    assert response["Location"] == f"{article.get_absolute_url()}?page=3#{newest.anchor}"


def test_a_zero_duplicate_window_stores_every_post(
    nadia: Client, publish_anonymous: None, settings: Any
) -> None:
    settings.COMMENT_DUPLICATE_WINDOW_SECONDS = 0
    article = make_article("Crossing lights fixed")

    post_form(nadia, article, body="Thank you.")
    post_form(nadia, article, body="Thank you.")

    assert Comment.objects.filter(body_source="Thank you.").count() == 2
    assert _stored_count(article) == 2


def test_the_form_shown_again_has_the_whole_article(nadia: Client) -> None:
    article = make_article(
        "Museum roof repaired", authors=[make_author("Ines Duarte")], topics=[make_topic("Culture")]
    )

    response = post_form(nadia, article, body="   ")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Ines Duarte" in page
    assert "Culture" in page
    assert "Please write a comment." in page


def test_a_post_reads_the_versions_of_what_it_keeps_in_one_cache_call(
    nadia: Client, publish_anonymous: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The staff's names, blocked terms, bans, the spam model and its thresholds, and the
    # webhook endpoints: on Redis one round trip for the six instead of one each.
    article = make_article("Harbour lights relit")
    post_form(nadia, article, body="The first post loads what is kept.")
    reads = count_versioned_reads(monkeypatch)
    response = post_form(nadia, article, body="The second reads them together.")

    assert response.status_code == 302
    assert reads == ["get_many"]


def test_only_a_duplicate_window_takes_the_articles_row_lock(
    nadia: Client, publish_anonymous: None, settings: Any
) -> None:
    # The lock serialises the duplicate check (PostgreSQL; SQLite's writes are serial).
    article = make_article("Tide tables printed")
    locks = []
    for window, body in ((60, "Checked for a double submit."), (0, "Not checked.")):
        settings.COMMENT_DUPLICATE_WINDOW_SECONDS = window
        with CaptureQueriesContext(connection) as captured:
            post_form(nadia, article, body=body)
        locks.append(sum("FOR UPDATE" in query["sql"] for query in captured.captured_queries))

    assert locks == [1 if connection.features.has_select_for_update else 0, 0]
    assert _stored_count(article) == _published(article) == 2
