"""`broadsheet export-json DIR`: one JSON file per article with its comment tree, plus
authors, topics, policies and a site summary (docs/export-format.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.importers.helpers import build_site

pytestmark = pytest.mark.django_db


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def utc(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()[:-6] + "Z"


def test_one_file_per_article_with_bylines_topics_and_comment_tree(tmp_path: Path) -> None:
    site = build_site()
    call_command("export-json", str(tmp_path / "out"), verbosity=0)
    files = sorted(p.name for p in (tmp_path / "out" / "articles").iterdir())
    assert files == sorted(f"{a.slug}.json" for a in (site.published, site.scheduled, site.draft))

    article = site.published
    data = read(tmp_path / "out" / "articles" / f"{article.slug}.json")
    assert data["title"] == article.title  # non-ASCII written as itself, not \u escapes
    assert "Tenants’ “]]>”" in (tmp_path / "out" / "articles" / f"{article.slug}.json").read_text()
    assert data["status"] == "published"
    assert data["published_at"] == utc(article.published_at)
    assert data["published_at"].endswith("Z")
    assert data["body_format"] == "markdown"
    assert data["body_source"] == article.body_source
    assert data["body_html"] == article.body_html
    assert data["standfirst"] == article.standfirst
    assert data["submitted_by"]["username"] == "newsdesk"
    assert [b["name"] for b in data["bylines"]] == ["Siobhán Ní Bhriain", "Ada Reyes"]
    assert [t["name"] for t in data["topics"]] == ["Café culture", "Housing"]
    assert data["comment_total"] == 5

    roots = data["comments"]
    by_name = {c["name"]: c for c in roots}
    assert set(by_name) == {"Morwenna Tate", "Łukasz"}
    top = by_name["Morwenna Tate"]
    assert top["email"] == "morwenna@example.org"
    assert top["homepage"] == "https://morwenna.example.org/"
    assert top["verified"] is False and top["account"] is None
    replies = {c["name"]: c for c in top["replies"]}
    assert replies["Ifeoma"]["status"] == "held"
    assert replies["Rita Campbell"]["verified"] is True
    assert replies["Rita Campbell"]["account"]["username"] == "rita"
    spam = replies["Ifeoma"]["replies"][0]
    assert (spam["name"], spam["status"]) == ("Cheap Loans", "spam")
    assert spam["parent_id"] == site.comments["held"].pk
    assert by_name["Łukasz"]["status"] == "deleted"
    assert top["created_at"] == utc(site.comments["top"].created_at)
    assert "address_hash" not in top


def test_draft_and_scheduled_articles(tmp_path: Path) -> None:
    site = build_site()
    call_command("export-json", str(tmp_path), verbosity=0)
    draft = read(tmp_path / "articles" / f"{site.draft.slug}.json")
    scheduled = read(tmp_path / "articles" / f"{site.scheduled.slug}.json")
    assert (draft["status"], draft["published_at"]) == ("draft", None)
    assert scheduled["status"] == "scheduled"
    assert scheduled["comments_mode"] == "closed"
    assert scheduled["comments"] == [] and scheduled["comment_total"] == 0


def test_authors_topics_policies_and_site_summary(tmp_path: Path, capsys: Any) -> None:
    site = build_site()
    call_command("export-json", str(tmp_path / "out"))
    assert "3 articles, 5 comments" in capsys.readouterr().out
    authors = read(tmp_path / "out" / "authors.json")
    assert {a["name"] for a in authors} == {"Ada Reyes", "Siobhán Ní Bhriain"}
    topics = read(tmp_path / "out" / "topics.json")
    assert {t["name"] for t in topics} == {"Housing", "Café culture"}
    (policy,) = read(tmp_path / "out" / "policies.json")
    assert (policy["kind"], policy["version"]) == ("privacy", 1)
    assert policy["published_at"] == utc(site.policy.published_at)
    assert policy["body_html"] == site.policy.body_html
    summary = read(tmp_path / "out" / "site.json")
    assert summary["format"] == "broadsheet-export" and summary["format_version"] == 1
    assert summary["counts"] == {
        "articles": 3,
        "comments": 5,
        "authors": 2,
        "topics": 2,
        "policies": 1,
    }
    exported_at = dt.datetime.fromisoformat(summary["exported_at"])
    assert exported_at.utcoffset() == dt.timedelta(0)


def test_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="not an empty directory"):
        call_command("export-json", str(tmp_path), verbosity=0)
    assert (tmp_path / "notes.txt").read_text() == "keep me"
