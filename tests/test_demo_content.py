"""`broadsheet demo-content`: the Northgate Courier sample newsroom that `make demo` loads.

What a visitor to the demo sees (live articles with real structure, ordered bylines, an
archive over many months, previews hidden, threads of reader comments) and what the person
running it relies on (an editor login that works, and a second run that changes nothing).
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
from broadsheet.consent.models import CookieCategory, PolicyPage
from broadsheet.demo.comments import COMMENTS
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article, Author, Byline, Topic
from broadsheet.publishing.services import EDITORS_GROUP, set_bylines
from tests.helpers import comments_section, reply_depth, shown_comments, submitted_lines

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
# Its text says comments are closed because it is a record of the results: it has none.
CLOSED = "northgate-election-results-2026"
COMMENTED = [slug for slug in LIVE if slug != CLOSED]
HELD_BODY = "Not one of the transport committee has set foot on a bus"


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

    assert output.startswith(
        f"Demo content: 8 articles, 7 authors, 7 topics, 3 accounts, {len(COMMENTS)} comments, "
        f"3 policy pages to review ({28 + len(COMMENTS)} new)"
    )
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
    assert User.objects.count() == 3
    assert Comment.objects.count() == len(COMMENTS)
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
    assert f"(0 new, {25 + len(COMMENTS)} reset)" in output
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


# Reader comments ----------------------------------------------------------------------


def test_open_live_articles_have_threads_of_comments_and_the_others_none(client: Client) -> None:
    run_demo()

    for slug in COMMENTED:
        comments = Comment.objects.filter(article__slug=slug)
        assert 4 <= comments.count() <= 12, slug
        assert comments.filter(depth=0).count() >= 2, slug
        assert comments.filter(depth=1).exists(), slug
        response = client.get(f"/articles/{slug}/")
        shown = shown_comments(response)
        assert len(shown) == comments.published().count(), slug
        depths = {reply_depth(response, comment) for comment in comments.published()}
        assert {0, 1} <= depths <= {0, 1, 2}, slug
    # Three levels somewhere: a reply to a reply.
    assert Comment.objects.filter(depth=2).count() >= 3
    assert not Comment.objects.filter(article__slug__in=[DRAFT, SCHEDULED, CLOSED]).exists()
    closed = client.get(f"/articles/{CLOSED}/").content.decode()
    assert "Comments on this article are closed." in closed


def test_every_comment_is_in_its_parents_thread_one_level_below_it() -> None:
    run_demo()

    for comment in Comment.objects.select_related("parent", "article"):
        assert comment.address_hash == ""
        assert comment.body_html.startswith("<"), comment.pk
        assert comment.article.published_at is not None
        assert comment.created_at > comment.article.published_at
        if comment.parent is None:
            assert (comment.depth, comment.thread_id) == (0, comment.pk)
        else:
            assert comment.parent.article_id == comment.article_id
            assert comment.depth == comment.parent.depth + 1
            assert comment.thread_id == (comment.parent.thread_id or comment.parent.pk)
            assert comment.created_at > comment.parent.created_at


def test_anonymous_commenters_are_not_verified_unlike_the_reader_and_confirmed_ones(
    client: Client, settings: Any
) -> None:
    settings.TIME_ZONE = "UTC"
    run_demo()

    response = client.get("/articles/harrow-court-tenants-union/")

    lines = submitted_lines(response)
    assert "Submitted by Tomasz Wierzbicki (not verified) on Tue, 19/11/2024 - 08:14" in lines
    assert "Submitted by Hollis Achterberg on Tue, 19/11/2024 - 11:05" in lines
    assert "Submitted by Gwen Lacey on Wed, 20/11/2024 - 07:55" in lines
    assert sum("(not verified)" in line for line in lines) == len(lines) - 2
    # A commenter's homepage is their name, as a link search engines are told not to follow.
    section = comments_section(response)
    assert section is not None
    links = {a.text: a.attrs for a in section.find_all("a") if "rel" in a.attrs}
    assert links["Graham Pettifer"]["href"] == "https://pettifer-lettings.example.com/"
    assert "nofollow" in links["Graham Pettifer"]["rel"]


def test_the_reader_account_is_registered_and_confirmed_but_cannot_sign_in() -> None:
    run_demo()

    reader = User.objects.get(username="reader")
    assert reader.public_name == "Hollis Achterberg"
    assert reader.email_confirmed_at is not None and reader.can_comment_as_registered
    assert not reader.has_usable_password()
    assert not reader.is_staff
    assert set(Comment.objects.filter(user=reader).values_list("name", flat=True)) == {
        "Hollis Achterberg"
    }
    assert 1 <= Comment.objects.filter(user=reader).count() <= 2
    assert 1 <= Comment.objects.filter(user=None, email_confirmed=True).count() <= 2


def test_a_long_comment_quotes_the_article_and_links_out(client: Client) -> None:
    run_demo()

    response = client.get("/articles/route-41-bus-cuts/")

    section = comments_section(response)
    assert section is not None
    quoted = [
        comment
        for comment in shown_comments(response)
        if comment.find("blockquote") is not None and comment.find("ol") is not None
    ]
    assert len(quoted) == 1
    body = quoted[0].find("div", "comment-body")
    assert body is not None and len(body.text.split()) > 150
    link = body.find("a")
    assert link is not None
    assert link.attrs["href"] == "https://example.org/bus-users/41-journeys"


def test_the_held_comment_is_hidden_from_readers_and_not_counted(client: Client) -> None:
    run_demo()
    held = Comment.objects.get(status=Comment.Status.HELD)
    assert Comment.objects.exclude(status=Comment.Status.PUBLISHED).count() == 1

    html = client.get(f"/articles/{held.article.slug}/").content.decode()

    assert HELD_BODY in held.body_source
    assert held.user is None and not held.email_confirmed
    assert held.held_reasons == ["moderation-policy"]
    assert HELD_BODY not in html
    assert held.anchor not in html
    assert client.get(f"/comment/{held.pk}/").status_code == 404


def test_each_articles_comment_count_is_its_published_comments(client: Client) -> None:
    run_demo()

    for article in Article.objects.all():
        assert article.comment_count == article.comments.published().count(), article.slug
    bus = Article.objects.get(slug="route-41-bus-cuts")
    html = client.get("/articles/route-41-bus-cuts/").content.decode()
    assert f'<span class="count">({bus.comment_count})</span>' in html


def test_a_rerun_adds_no_comments_keeps_edits_and_reset_restores_them() -> None:
    run_demo()
    edited = Comment.objects.get(name="Ade")
    edited.body_source = "Changed in the admin."
    edited.save()
    removed = Comment.objects.get(name="Rhiannon Pugh", body_source="Signed.")
    removed.delete()
    kept_ids = set(Comment.objects.values_list("id", flat=True))

    run_demo()

    edited.refresh_from_db()
    assert edited.body_source == "Changed in the admin."
    assert Comment.objects.count() == len(COMMENTS)
    # Only the deleted comment is made again; every other row is the one already there.
    assert set(Comment.objects.values_list("id", flat=True)) - kept_ids == {
        Comment.objects.get(name="Rhiannon Pugh", body_source="Signed.").pk
    }

    run_demo("--reset")

    edited.refresh_from_db()
    assert edited.body_source == "34 driver vacancies. Pay the drivers more. Next question."
    assert "Pay the drivers more" in edited.body_html
    assert Comment.objects.count() == len(COMMENTS)


# Policy pages -------------------------------------------------------------------------

POLICY_LINKS = {"/privacy/": "Privacy Policy", "/terms/": "Terms & Conditions",
                "/cookie-policy/": "Cookie Policy"}  # fmt: skip
REVIEW_NOTE = "still to be reviewed and adapted by the people who run this site"


def test_the_footer_policy_links_open_drafts_marked_for_review(client: Client) -> None:
    run_demo()
    home = client.get("/").content.decode()

    for path, title in POLICY_LINKS.items():
        assert f'<a href="{path}">{escape(title)}</a>' in home
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        assert f'<h1 id="policy-title">{escape(title)}</h1>' in html
        assert REVIEW_NOTE in html
        assert "Version 1, published" in html
    assert {(page.version, page.needs_review) for page in PolicyPage.objects.all()} == {(1, True)}


def test_the_drafts_say_what_the_site_keeps_and_how_to_change_it(client: Client) -> None:
    run_demo()

    privacy = client.get("/privacy/").content.decode()
    cookies = client.get("/cookie-policy/").content.decode()
    terms = client.get("/terms/").content.decode()

    assert "never shown" in privacy and "30 days" in privacy
    assert 'href="/your-data/"' in privacy
    assert 'href="/cookies/"' in cookies
    assert "Moderation" in terms and "copyright" in terms
    # Every cookie a category declares is explained, under that category's name.
    for category in CookieCategory.objects.all():
        assert f"<h2>{escape(category.name)}</h2>" in cookies, category.key
        for name, _ in category.cookie_list():
            assert f"<code>{name}</code>" in cookies, name


def test_policy_pages_are_loaded_once_and_reset_restores_version_one() -> None:
    run_demo()
    privacy = PolicyPage.objects.get(kind="privacy", version=1)
    privacy.title = "Edited in the admin"
    privacy.save()
    PolicyPage.objects.create(
        kind="terms", version=2, title="Our own terms", body_source="Ours.", needs_review=False
    )

    run_demo()
    privacy.refresh_from_db()
    assert privacy.title == "Edited in the admin"
    assert PolicyPage.objects.count() == 4

    run_demo("--reset")
    privacy.refresh_from_db()
    assert privacy.title == "Privacy Policy"
    assert PolicyPage.objects.get(kind="terms", version=2).body_source == "Ours."
