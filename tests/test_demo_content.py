"""`broadsheet demo-content`: the Northgate Courier sample newsroom that `make demo` loads.

What a visitor to the demo sees (live articles with real structure, ordered bylines, an
archive over many months, previews hidden) and what the person running it relies on (an
editor login that works, and a second run that changes nothing).
"""

from __future__ import annotations

import re
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.html import escape

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Article, Author, Byline, Topic
from broadsheet.publishing.services import EDITORS_GROUP, set_bylines

pytestmark = pytest.mark.django_db

LIVE = [
    "harrow-court-tenants-union",
    "route-41-bus-cuts",
    "eastfield-library-closure",
    "care-workers-strike",
    "eastfield-library-reprieve",
    "northgate-election-results-2026",
]
DRAFT = "harrow-court-two-years-on"
SCHEDULED = "the-courier-at-ten"


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Path) -> Path:
    # The command writes a login file; it must never land in the developer's real var/.
    settings.VAR_DIR = tmp_path
    # Argon2 costs ~0.3 s a hash and these tests hash and sign in often; what is tested is
    # that the stored password works, not which hasher stores it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo-content", *args, stdout=out)
    return out.getvalue()


def login_password(var_dir: Path) -> str:
    text = (var_dir / "demo-login.txt").read_text()
    match = re.search(r"^  Editor login:    editor / (\S+)$", text, re.MULTILINE)
    assert match is not None, text
    return match[1]


def admin_login(username: str, password: str) -> tuple[Client, int]:
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    return client, response.status_code


def article_body(html: str) -> str:
    # Bodies cannot contain <div> (the sanitiser drops it), so the first </div> ends it.
    return html.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]


def test_creates_the_newsroom_and_reports_it(var_dir: Path) -> None:
    output = run_demo()

    assert output.startswith("Demo content: 8 articles, 7 authors, 7 topics, 2 accounts (24 new)")
    assert set(Article.objects.values_list("slug", flat=True)) == {*LIVE, DRAFT, SCHEDULED}
    assert Author.objects.count() == 7
    assert Topic.objects.count() == 7
    assert all(topic.description for topic in Topic.objects.all())
    assert all(author.bio for author in Author.objects.all())

    newsdesk = User.objects.get(username="newsdesk")
    assert newsdesk.public_name == "Newsdesk"
    assert not newsdesk.has_usable_password()
    assert set(Article.objects.values_list("submitted_by__username", flat=True)) == {"newsdesk"}
    # One byline belongs to the editor's account; the others are people without accounts.
    assert list(
        Author.objects.filter(user__isnull=False).values_list("user__username", "name")
    ) == [("editor", "Mara Lindqvist")]


def test_editor_is_a_staff_editor_and_not_a_superuser(var_dir: Path) -> None:
    run_demo()

    editor = User.objects.get(username="editor")
    assert editor.public_name == "Mara Lindqvist"
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == [EDITORS_GROUP]

    client, status = admin_login("editor", login_password(var_dir))
    assert status == 302
    assert client.get("/admin/publishing/article/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403


def test_login_file_holds_a_working_password_readable_only_by_its_owner(var_dir: Path) -> None:
    run_demo()

    login_file = var_dir / "demo-login.txt"
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600
    assert len(login_file.read_text().splitlines()) == 2
    client, status = admin_login("editor", login_password(var_dir))
    assert status == 302
    assert client.get("/admin/").status_code == 200
    assert admin_login("editor", "not-the-password")[1] == 200  # the form again, with an error


def test_running_twice_creates_no_duplicates_and_keeps_the_password(var_dir: Path) -> None:
    run_demo()
    password = login_password(var_dir)
    password_hash = User.objects.get(username="editor").password
    bylines = list(Byline.objects.order_by("id").values_list("article__slug", "author__slug"))

    output = run_demo()

    assert "(0 new)" in output
    assert Article.objects.count() == 8
    assert Author.objects.count() == 7
    assert Topic.objects.count() == 7
    assert User.objects.count() == 2
    assert list(Byline.objects.order_by("id").values_list("article__slug", "author__slug")) == (
        bylines
    )
    assert login_password(var_dir) == password
    assert User.objects.get(username="editor").password == password_hash
    assert admin_login("editor", password)[1] == 302


def test_a_second_run_keeps_edits_and_reset_puts_the_shipped_text_back(var_dir: Path) -> None:
    run_demo()
    article = Article.objects.get(slug="route-41-bus-cuts")
    article.title = "Edited while trying the admin"
    article.save()
    set_bylines(article, [Author.objects.get(slug="joel-ferreira")])

    run_demo()
    article.refresh_from_db()
    assert article.title == "Edited while trying the admin"
    assert [author.slug for author in article.byline_authors()] == ["joel-ferreira"]

    output = run_demo("--reset")
    article.refresh_from_db()
    assert article.title == "The 41 is being cut: what it means, stop by stop"
    assert [a.slug for a in article.byline_authors()] == ["niamh-castellan", "joel-ferreira"]
    assert "(0 new, 22 reset)" in output
    assert Article.objects.count() == 8


def test_an_existing_login_file_supplies_the_password_of_a_new_editor(var_dir: Path) -> None:
    (var_dir / "demo-login.txt").write_text("  Editor login:    editor / kept-from-last-time-42\n")

    run_demo()

    assert admin_login("editor", "kept-from-last-time-42")[1] == 302


def test_a_deleted_login_file_gets_a_new_working_password(var_dir: Path) -> None:
    run_demo()
    old_password = login_password(var_dir)
    (var_dir / "demo-login.txt").unlink()

    run_demo()

    new_password = login_password(var_dir)
    assert new_password != old_password
    assert admin_login("editor", new_password)[1] == 302
    assert admin_login("editor", old_password)[1] == 200


def test_an_unreadable_login_file_stops_before_writing_anything(var_dir: Path) -> None:
    (var_dir / "demo-login.txt").write_text("someone's notes\n")

    with pytest.raises(CommandError, match="delete it"):
        run_demo()

    assert not Article.objects.exists()
    assert not User.objects.filter(username="editor").exists()


def test_home_lists_the_live_articles_but_not_the_draft_or_scheduled_one(client: Client) -> None:
    run_demo()
    titles = dict(Article.objects.values_list("slug", "title"))

    html = client.get("/").content.decode()

    for slug in LIVE:
        assert escape(titles[slug]) in html
    assert escape(titles[DRAFT]) not in html
    assert escape(titles[SCHEDULED]) not in html
    assert client.get(f"/articles/{DRAFT}/").status_code == 404
    assert client.get(f"/articles/{SCHEDULED}/").status_code == 404


def test_editors_see_the_draft_and_scheduled_articles_as_previews(editor_client: Client) -> None:
    run_demo()

    draft = editor_client.get(f"/articles/{DRAFT}/").content.decode()
    scheduled = editor_client.get(f"/articles/{SCHEDULED}/").content.decode()

    assert "Preview: this article is draft" in draft
    assert "Preview: this article is scheduled for 4 October, 2031" in scheduled


def test_every_live_article_has_headings_an_attributed_quotation_and_links(
    client: Client,
) -> None:
    run_demo()

    for slug in LIVE:
        response = client.get(f"/articles/{slug}/")
        assert response.status_code == 200, slug
        body = article_body(response.content.decode())
        assert "<h2>" in body, slug
        quotations = re.findall(r"<blockquote>(.*?)</blockquote>", body, re.DOTALL)
        assert any("— " in quotation for quotation in quotations), slug
        assert '<a href="' in body, slug
        assert body.count("<p>") >= 8, slug


def test_the_articles_show_lists_footnotes_and_tables_at_readable_length(
    client: Client,
) -> None:
    run_demo()

    bodies = [article_body(client.get(f"/articles/{slug}/").content.decode()) for slug in LIVE]

    assert any("<ul>" in body or "<ol>" in body for body in bodies)
    assert any('class="footnotes"' in body and "<sup" in body for body in bodies)
    assert any("<table>" in body for body in bodies)
    for article in Article.objects.all():
        assert 500 <= len(article.body_text.split()) <= 1300, article.slug


def test_several_bylines_show_in_their_stored_order(client: Client) -> None:
    run_demo()
    multi = [
        slug
        for slug in Article.objects.values_list("slug", flat=True)
        if Byline.objects.filter(article__slug=slug).count() > 1
    ]
    assert len(multi) >= 3

    html = client.get("/articles/care-workers-strike/").content.decode()

    byline = html.split('<p class="byline">', 1)[1].split("</p>", 1)[0]
    names = re.findall(r'rel="author">([^<]+)</a>', byline)
    # Deliberately not alphabetical, so a sort anywhere would show up here.
    assert names == ["Priya Halloran", "Dev Ramaswamy", "Mara Lindqvist"]
    assert "Submitted by Newsdesk on" in html


def test_the_archive_spans_many_months_over_several_years(client: Client) -> None:
    run_demo()

    html = client.get("/archive/").content.decode()

    months = set(re.findall(r'href="/archive/(\d{4})/(\d{1,2})/"', html))
    assert len(months) == len(LIVE)
    assert {year for year, _ in months} == {"2024", "2025", "2026"}
    assert "2031" not in html


def test_topic_and_author_pages_describe_the_newsroom(client: Client) -> None:
    run_demo()

    housing = client.get("/topics/housing/").content.decode()
    author = client.get("/authors/priya-halloran/").content.decode()

    assert escape(Topic.objects.get(slug="housing").description) in housing
    assert escape("Harrow Court tenants form a union") in housing
    assert escape(Author.objects.get(slug="priya-halloran").bio) in author
    assert "Home care workers strike over unpaid travel time" in author
