"""`broadsheet generate`: invented articles and threaded comments in bulk, for benchmarks.

What a benchmark relies on: the numbers asked for, threads the site itself could have made,
right comment counts, pages and search that work on the generated rows, the same content
from the same seed, and a second run that adds beside the first without clashing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.demo.generated import MAX_TOPICS
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article, Author, Byline, Topic
from broadsheet.publishing.search import FTS_TABLE

pytestmark = pytest.mark.django_db

SMALL = ("--articles", "30", "--comments", "400", "--seed", "7")


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_adds_what_was_asked_for_and_says_so_in_one_line() -> None:
    output = generate(*SMALL)

    assert Article.objects.count() == 30
    assert Comment.objects.count() == 400
    assert Author.objects.count() == 5  # 30 // 200 + 5
    assert Topic.objects.count() == 20
    assert output.count("\n") == 1
    assert output.startswith("Generated 30 articles")
    assert "400 comments" in output and "seed 7" in output
    # Mostly published, over the last five years, with one to three bylines and one or two
    # topics each.
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    assert published.count() >= 25
    oldest = timezone.now() - dt.timedelta(days=5 * 365 + 1)
    assert not published.filter(published_at__lt=oldest).exists()
    for article in Article.objects.annotate(
        authors_count=Count("bylines", distinct=True), topics_count=Count("topics", distinct=True)
    ):
        assert 1 <= article.authors_count <= 3
        assert 1 <= article.topics_count <= 2
        assert 300 <= len(article.body_source.split()) <= 1600
        assert "<h2>" in article.body_html or len(article.body_source.split()) < 500
        assert article.body_text and "<" not in article.body_text
    positions = Byline.objects.values_list("article", "position").order_by("article", "position")
    by_article: dict[int, list[int]] = {}
    for article_id, position in positions:
        by_article.setdefault(article_id, []).append(position)
    assert all(found == list(range(len(found))) for found in by_article.values())


def test_comments_are_mostly_published_from_registered_and_anonymous_readers() -> None:
    generate(*SMALL)

    statuses = Counter(Comment.objects.values_list("status", flat=True))
    assert statuses[Comment.Status.PUBLISHED] > 300
    assert statuses[Comment.Status.HELD] + statuses[Comment.Status.SPAM] > 0
    registered = Comment.objects.filter(user__isnull=False)
    assert 0 < registered.count() < 400
    # A registered reader's comment carries their public name, as posting stores it.
    for comment in registered.select_related("user"):
        assert comment.user is not None
        assert comment.name == comment.user.public_name
    readers = User.objects.filter(comments__isnull=False).distinct()
    assert all(reader.display_name and reader.display_name_key for reader in readers)
    assert not any(reader.has_usable_password() for reader in User.objects.all())
    # Spread unevenly: the busiest article has many times the median.
    per_article = sorted(
        Article.objects.annotate(n=Count("comments")).values_list("n", flat=True), reverse=True
    )
    assert per_article[0] >= 5 * max(1, per_article[len(per_article) // 2])


def test_threads_are_consistent_and_replies_come_after_what_they_answer() -> None:
    generate(*SMALL)

    comments = {comment.pk: comment for comment in Comment.objects.select_related("article")}
    now = timezone.now()
    for comment in comments.values():
        article = comment.article
        assert article.is_live
        assert article.published_at is not None
        assert article.published_at <= comment.created_at <= now
        if comment.parent_id is None:
            assert comment.depth == 0
            assert comment.thread_id == comment.pk
        else:
            parent = comments[comment.parent_id]
            assert parent.article_id == comment.article_id
            assert comment.depth == parent.depth + 1
            assert comment.thread_id == parent.thread_id
            assert comment.created_at >= parent.created_at
            assert parent.status == Comment.Status.PUBLISHED
    depths = Counter(comment.depth for comment in comments.values())
    assert max(depths) == 3  # COMMENT_MAX_DEPTH is 4: depths 0 to 3
    replies = sum(count for depth, count in depths.items() if depth)
    assert 0.3 <= replies / len(comments) <= 0.5


def test_thread_depth_follows_the_setting(settings: Any) -> None:
    settings.COMMENT_MAX_DEPTH = 2

    generate(*SMALL)

    assert set(Comment.objects.values_list("depth", flat=True)) == {0, 1}


def test_comment_counts_match_the_published_comments() -> None:
    generate(*SMALL)

    articles = Article.objects.annotate(
        published=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED))
    )
    assert all(article.comment_count == article.published for article in articles)
    assert sum(article.comment_count for article in articles) > 300


def test_a_generated_article_page_shows_the_article_and_its_comments(client: Client) -> None:
    generate(*SMALL)
    article = Article.objects.live().order_by("-comment_count").first()
    assert article is not None
    comment = article.comments.published().filter(depth=0).first()
    assert comment is not None

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert article.title.replace("'", "&#x27;") in html
    assert f'id="{comment.anchor}"' in html
    assert client.get(reverse("publishing:home")).status_code == 200


def test_search_finds_a_generated_article_by_a_word_of_its_title(client: Client) -> None:
    generate(*SMALL)
    live = list(Article.objects.live())
    # The title word found in the fewest live articles, so the article is on the first page.
    documents = [
        set(re.findall(r"[a-z]{5,}", f"{a.title} {a.standfirst} {a.body_text}".lower()))
        for a in live
    ]
    frequency = Counter(word for words in documents for word in words)
    article, word = min(
        ((a, w) for a in live for w in re.findall(r"[a-z]{5,}", a.title.lower())),
        key=lambda pair: frequency[pair[1]],
    )

    response = client.get(reverse("publishing:search"), {"q": word})

    assert response.status_code == 200
    assert f'href="{article.get_absolute_url()}"' in response.content.decode()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index only")
def test_the_search_index_holds_every_generated_article() -> None:
    generate(*SMALL)

    with connection.cursor() as cursor:
        # One index entry per article: the insert trigger fired for every row of the bulk
        # inserts. The check (rank 1: against the article table too) fails with "database
        # disk image is malformed" if any row is indexed other than as stored.
        cursor.execute(f"SELECT count(*) FROM {FTS_TABLE}_docsize")
        assert cursor.fetchone() == (30,)
        check = f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"
        cursor.execute(check)


def test_the_same_seed_gives_the_same_content(monkeypatch: pytest.MonkeyPatch) -> None:
    moment = dt.datetime(2025, 6, 2, 14, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    generate(*SMALL)
    first = snapshot()
    for model in (Comment, Byline, Article, Author, Topic, User):
        model._default_manager.all().delete()
    generate(*SMALL)
    second = snapshot()
    for model in (Comment, Byline, Article, Author, Topic, User):
        model._default_manager.all().delete()
    generate("--articles", "30", "--comments", "400", "--seed", "8")
    other = snapshot()

    assert first == second
    assert first["articles"] != other["articles"]
    assert first["comments"] != other["comments"]


def test_running_again_adds_without_clashing() -> None:
    Topic.objects.create(name="Housing", slug="housing")

    generate(*SMALL)
    generate(*SMALL)  # the same seed: the same titles, names and slugs wanted again

    assert Article.objects.count() == 60
    assert Comment.objects.count() == 800
    assert Author.objects.count() == 10
    # Topics are found by name and reused, the one that was there before included.
    assert Topic.objects.count() == 20
    assert Topic.objects.get(name="Housing").slug == "housing"
    slugs = list(Article.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 60
    assert sum(slug.endswith("-2") for slug in slugs) >= 30
    names = list(User.objects.values_list("display_name_key", flat=True))
    assert len(set(names)) == len(names)
    articles = Article.objects.annotate(
        published=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED))
    )
    assert all(article.comment_count == article.published for article in articles)


def test_refuses_what_it_cannot_do() -> None:
    with pytest.raises(CommandError, match="comment"):
        generate("--comments", "10")
    with pytest.raises(CommandError, match="--topics"):
        generate("--articles", "1", "--topics", str(MAX_TOPICS + 1))
    assert not Article.objects.exists()


def snapshot() -> dict[str, list[Any]]:
    """Everything generated, with rows named by their position instead of their ids (which
    a database need not reuse after a delete)."""
    articles = list(Article.objects.order_by("pk"))
    article_index = {article.pk: index for index, article in enumerate(articles)}
    comments = list(Comment.objects.select_related("user").order_by("pk"))
    comment_index = {comment.pk: index for index, comment in enumerate(comments)}
    return {
        "articles": [
            (
                article.title,
                article.slug,
                article.standfirst,
                article.body_html,
                article.status,
                article.published_at,
                article.comments_mode,
                article.comment_count,
                article.submitted_by.display_name,
                [byline.author.name for byline in article.bylines.order_by("position")],
                sorted(topic.name for topic in article.topics.all()),
            )
            for article in articles
        ],
        "comments": [
            (
                article_index[comment.article_id],
                comment_index.get(comment.parent_id) if comment.parent_id else None,
                comment.depth,
                comment.name,
                comment.user.display_name if comment.user else None,
                comment.body_html,
                comment.status,
                comment.created_at,
            )
            for comment in comments
        ],
    }
