"""Export a site with `export-wxr`, import the file into an empty site with `import-wxr`,
and compare what came back field by field.

What does not survive, and why (docs/export-format.md says the same):
- times lose their fraction of a second (WXR dates are to the second);
- bodies come back as HTML (`body_format="html"`), the Markdown source is not in WXR; the
  HTML is the same but for whitespace (the export turns line breaks inside paragraphs
  into spaces so WordPress's automatic paragraphs add no <br />);
- a draft's creation time (WXR has only the draft's post_date, which the importer does
  not take as a publication time: the draft comes back with none, as it left);
- policy pages come back as drafts, for an editor to review (the importer's rule);
- a comment's address hash (WXR's comment_author_IP is left empty: only a keyed hash is
  kept, meaningless to another site), whether the commenter confirmed their address, and
  the link to a reader's account (WXR lists only the accounts that submitted posts);
- "hidden" comments become "closed" (WordPress has no hidden);
- an article without bylines comes back with its submitter's display name as byline
  (the importer's rule: a WordPress post always has an author).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from broadsheet.accounts.models import User
from broadsheet.consent.models import PolicyPage
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article, Author, Topic
from tests.importers.helpers import build_site

pytestmark = pytest.mark.django_db


def same_html(html: str) -> str:
    """HTML with insignificant whitespace folded, for comparing bodies."""
    html = re.sub(r">\s+<", "><", html.strip())
    return re.sub(r"\s+", " ", html)


def to_second(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.replace(microsecond=0)


def comment_key(comment: Comment) -> tuple[str, dt.datetime | None]:
    return (comment.name, to_second(comment.created_at))


def snapshot_comments(article: Article) -> list[dict[str, Any]]:
    rows = list(article.comments.select_related("parent").order_by("created_at", "pk"))
    return [
        {
            "key": comment_key(comment),
            "parent": None if comment.parent is None else comment_key(comment.parent),
            "thread_depth": comment.depth,
            "email": comment.email,
            "homepage": comment.homepage,
            "status": comment.status,
            "body": same_html(comment.body_html),
        }
        for comment in rows
    ]


def snapshot() -> dict[str, dict[str, Any]]:
    """Every article as the fields the round trip must keep, by slug."""
    articles = Article.objects.with_relations().order_by("pk")
    return {
        article.slug: {
            "title": article.title,
            "standfirst": article.standfirst,
            "status": article.status,
            "published_at": to_second(article.published_at),
            "comments_mode": article.comments_mode,
            "submitted_by": article.submitted_by.username,
            "bylines": [author.name for author in article.byline_authors()],
            "topics": sorted(topic.name for topic in article.topics.all()),
            "body": same_html(article.body_html),
            "comments": snapshot_comments(article),
        }
        for article in articles
    }


def empty_the_site() -> None:
    Comment.objects.all().delete()
    Article.objects.all().delete()
    Author.objects.all().delete()
    Topic.objects.all().delete()
    PolicyPage.objects.all().delete()
    User.objects.all().delete()


def round_trip(tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    build_site()
    path = tmp_path / "site.xml"
    call_command("export-wxr", str(path), verbosity=0)
    before = snapshot()
    empty_the_site()
    call_command("import-wxr", str(path), verbosity=0)
    return before, snapshot()


def test_articles_come_back_field_by_field(tmp_path: Path) -> None:
    before, after = round_trip(tmp_path)
    assert sorted(after) == sorted(before)  # same slugs
    for slug, expected in before.items():
        got = after[slug]
        for field in ("title", "standfirst", "status", "published_at", "comments_mode"):
            assert got[field] == expected[field], (slug, field)
        assert got["submitted_by"] == expected["submitted_by"], slug
        # In byline order; an article without one gets its submitter's name, as a
        # WordPress post always has an author.
        bylines = expected["bylines"] or [
            User.objects.get(username=got["submitted_by"]).public_name
        ]
        assert got["bylines"] == bylines, slug
        assert got["topics"] == expected["topics"], slug
        assert got["body"] == expected["body"], slug
    assert Article.objects.get(slug=next(iter(before))).body_format == "html"


def test_comment_trees_come_back_with_every_status(tmp_path: Path) -> None:
    before, after = round_trip(tmp_path)
    for slug, expected in before.items():
        assert after[slug]["comments"] == expected["comments"], slug
    statuses = {row["status"] for article in after.values() for row in article["comments"]}
    assert statuses == {"published", "held", "spam", "deleted"}


def test_non_ascii_and_cdata_end_survive(tmp_path: Path) -> None:
    round_trip(tmp_path)
    article = Article.objects.get(title__contains="]]>")
    assert article.title == "Tenants’ “]]>” victory in Eastfield — ça marche"
    assert "]]&gt;" in article.body_html and "Nguyễn Văn An" in article.body_html
    assert "Siobhán Ní Bhriain" in [author.name for author in article.byline_authors()]
    assert Comment.objects.filter(name="Łukasz").exists()


def test_policy_page_comes_back_as_a_draft_to_review(tmp_path: Path) -> None:
    site = build_site()
    path = tmp_path / "site.xml"
    call_command("export-wxr", str(path), verbosity=0)
    expected_body = same_html(site.policy.body_html)
    empty_the_site()
    call_command("import-wxr", str(path), verbosity=0)
    page = PolicyPage.objects.get(kind=PolicyPage.Kind.PRIVACY)
    assert page.title == "Privacy policy"
    assert same_html(page.body_html) == expected_body
    assert page.published_at is None
