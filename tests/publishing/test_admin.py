"""The editors' article admin: the add form, the change list, actions and who gets in.

Edith is an editor (staff in the Editors group, not a superuser); Rita is a reader.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Article, Author, Byline
from tests.helpers import make_article, make_author, make_topic, make_user

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/publishing/article/add/"
CHANGELIST_URL = "/admin/publishing/article/"


def article_form(
    submitted_by: User, bylines: Sequence[tuple[Author, int | None]] = (), **fields: Any
) -> dict[str, Any]:
    """POST data for the article add/change form, bylines as (author, position) rows."""
    data: dict[str, Any] = {
        "title": "Night buses to return in the spring",
        "slug": "night-buses-return",
        "standfirst": "",
        "body_source": "The transport board agreed the timetable on Monday.",
        "submitted_by": str(submitted_by.pk),
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "comments_mode": Article.Comments.OPEN,
        "bylines-TOTAL_FORMS": str(len(bylines)),
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, (author, position) in enumerate(bylines):
        data[f"bylines-{index}-author"] = str(author.pk)
        data[f"bylines-{index}-position"] = "" if position is None else str(position)
    data.update(fields)
    return data


def test_the_issue_acceptance_test(editor_client: Client, client: Client) -> None:
    newsdesk = make_user("newsdesk", display_name="Newsdesk")
    ada = make_author("Ada Reyes")

    response = editor_client.post(
        ADD_URL,
        article_form(
            newsdesk,
            bylines=[(ada, 0)],
            title="Ferry crews vote to strike over rotas",
            slug="ferry-crews-vote",
            status=Article.Status.PUBLISHED,
            published_at_0="2019-12-04",
            published_at_1="04:46",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    page = client.get("/articles/ferry-crews-vote/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Submitted by Newsdesk on" in html
    assert "4 December, 2019 - 4:46" in html
    assert re.search(r'Author: <a href="/authors/[^"]+" rel="author">Ada Reyes</a>', html)


def test_add_form_defaults_the_submitter_to_the_editor(editor_client: Client, editor: User) -> None:
    response = editor_client.get(ADD_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(rf'<option value="{editor.pk}" selected>Edith Okafor</option>', html)
    # The submitter is searched through the article admin, not the accounts admin.
    assert 'data-ajax--url="/admin/publishing/article/accounts/"' in html
    # Editors may not add accounts, so no "add another user" button beside the field.
    assert "/admin/accounts/user/add/" not in html
    body = re.search(r"<textarea [^>]*name=\"body_source\"[^>]*>", html)
    assert body and "monospace" in body.group(0) and 'rows="30"' in body.group(0)


def test_account_search_finds_names_for_editors_only(
    editor_client: Client, reader_client: Client
) -> None:
    make_user("newsdesk", display_name="Newsdesk")
    sports = make_user("sports", display_name="Sports desk")
    sports.email = "newsdesk-lookalike@example.org"
    sports.save()

    found = editor_client.get("/admin/publishing/article/accounts/", {"term": "news"}).json()

    assert [result["text"] for result in found["results"]] == ["Newsdesk"]
    assert reader_client.get("/admin/publishing/article/accounts/").status_code == 302


def test_staff_without_article_rights_cannot_search_accounts() -> None:
    client = Client()
    client.force_login(make_user("sam", is_staff=True))

    assert client.get("/admin/publishing/article/accounts/", {"term": "a"}).status_code == 403


def test_published_and_scheduled_need_a_publish_time(editor_client: Client, editor: User) -> None:
    for status in (Article.Status.PUBLISHED, Article.Status.SCHEDULED):
        response = editor_client.post(ADD_URL, article_form(editor, status=status))

        assert response.status_code == 200
        # On the field itself, beside the input the editor has to fill in.
        assert response.context["adminform"].form.errors["published_at"] == [
            "A scheduled or published article needs a publish time."
        ]
    assert not Article.objects.exists()


def test_a_draft_needs_no_publish_time(editor_client: Client, editor: User) -> None:
    response = editor_client.post(ADD_URL, article_form(editor))

    assert response.status_code == 302
    assert Article.objects.get().status == Article.Status.DRAFT


def test_scheduled_in_the_future_stays_hidden_from_readers(
    editor_client: Client, editor: User, reader_client: Client, client: Client
) -> None:
    when = timezone.now() + dt.timedelta(days=3)
    editor_client.post(
        ADD_URL,
        article_form(
            editor,
            status=Article.Status.SCHEDULED,
            published_at_0=when.strftime("%Y-%m-%d"),
            published_at_1=when.strftime("%H:%M"),
        ),
    )

    article = Article.objects.get()
    assert article.status == Article.Status.SCHEDULED
    assert client.get(article.get_absolute_url()).status_code == 404
    assert reader_client.get(article.get_absolute_url()).status_code == 404
    listing = editor_client.get(CHANGELIST_URL).content.decode()
    assert '<td class="field-readers_see">Scheduled</td>' in listing


def test_scheduled_in_the_past_is_simply_published(
    editor_client: Client, editor: User, client: Client
) -> None:
    response = editor_client.post(
        ADD_URL,
        article_form(
            editor,
            status=Article.Status.SCHEDULED,
            published_at_0="2024-03-01",
            published_at_1="09:00",
        ),
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert client.get(article.get_absolute_url()).status_code == 200
    listing = editor_client.get(CHANGELIST_URL).content.decode()
    assert '<td class="field-readers_see">Published</td>' in listing


def test_bylines_follow_their_positions(
    editor_client: Client, editor: User, client: Client
) -> None:
    ada, tomasz = make_author("Ada Reyes"), make_author("Tomasz Wren")
    lin = make_author("Lin Abara")

    # Lin has no position: a blank one goes to the end, whatever the row order.
    editor_client.post(
        ADD_URL,
        article_form(
            editor,
            bylines=[(lin, None), (ada, 5), (tomasz, 2)],
            status=Article.Status.PUBLISHED,
            published_at_0="2024-03-01",
            published_at_1="09:00",
        ),
    )

    article = Article.objects.get()
    html = client.get(article.get_absolute_url()).content.decode()
    byline = html.split('<p class="byline">')[1].split("</p>")[0]
    assert byline.index("Tomasz Wren") < byline.index("Ada Reyes") < byline.index("Lin Abara")
    stored = Byline.objects.filter(article=article).order_by("position")
    assert [(b.author.name, b.position) for b in stored] == [
        ("Tomasz Wren", 0),
        ("Ada Reyes", 1),
        ("Lin Abara", 2),
    ]
    # The change form lists them in the same order, ready to be renumbered.
    form = editor_client.get(f"/admin/publishing/article/{article.pk}/change/").content.decode()
    assert form.index("Tomasz Wren") < form.index("Ada Reyes") < form.index("Lin Abara")


def test_an_author_can_be_on_a_byline_only_once(editor_client: Client, editor: User) -> None:
    ada = make_author("Ada Reyes")

    response = editor_client.post(ADD_URL, article_form(editor, bylines=[(ada, 0), (ada, 1)]))

    assert response.status_code == 200
    assert not Article.objects.exists()


def test_change_form_links_to_preview_and_revisions(editor_client: Client) -> None:
    draft = make_article("Plans for the old library", status=Article.Status.DRAFT)
    live = make_article("Library reopens")

    draft_form = editor_client.get(f"/admin/publishing/article/{draft.pk}/change/")
    live_form = editor_client.get(f"/admin/publishing/article/{live.pk}/change/")

    html = draft_form.content.decode()
    assert f'<a href="{draft.get_absolute_url()}" class="viewsitelink" target="_blank"' in html
    assert ">Preview</a>" in html
    assert f'href="/admin/publishing/article/{draft.pk}/revisions/"' in html
    assert ">View on site</a>" in live_form.content.decode()
    # The preview itself is the public page, which editors may see as a draft.
    assert (
        "Preview: this article is draft"
        in editor_client.get(draft.get_absolute_url()).content.decode()
    )


def test_editor_sees_the_change_list_with_what_readers_see(editor_client: Client) -> None:
    make_article("Tram depot sold", authors=[make_author("Ada Reyes")])
    make_article("Budget leaks early", status=Article.Status.DRAFT)
    make_article(
        "Election night coverage",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=1),
    )

    response = editor_client.get(CHANGELIST_URL)

    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("Published", "Draft", "Scheduled"):
        assert f'<td class="field-readers_see">{shown}</td>' in html
    assert '<td class="field-byline">Ada Reyes</td>' in html


def test_change_list_queries_do_not_grow_with_articles(
    editor_client: Client, django_assert_max_num_queries: Any
) -> None:
    topic = make_topic("Transport")
    for number in range(12):
        make_article(f"Report {number}", authors=[make_author(f"Writer {number}")], topics=[topic])

    with django_assert_max_num_queries(12):
        response = editor_client.get(CHANGELIST_URL)

    assert response.status_code == 200


def _titles(response: Any) -> set[str]:
    return {article.title for article in response.context["cl"].result_list}


def test_change_list_search_and_filters(editor_client: Client) -> None:
    housing, transport = make_topic("Housing"), make_topic("Transport")
    ada, tomasz = make_author("Ada Reyes"), make_author("Tomasz Wren")
    make_article("Rents rise again", topics=[housing], authors=[ada], body="Landlords blamed.")
    make_article(
        "Bus lanes approved",
        topics=[transport],
        authors=[tomasz],
        standfirst="Cyclists cautiously welcome the scheme.",
    )
    make_article("Draft on cycling", status=Article.Status.DRAFT, authors=[ada, tomasz])
    make_article(
        "Council tax vote",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=2),
    )

    def listing(**params: Any) -> set[str]:
        response = editor_client.get(CHANGELIST_URL, params)
        assert response.status_code == 200
        return _titles(response)

    assert listing(q="landlords") == {"Rents rise again"}
    assert listing(q="cyclists") == {"Bus lanes approved"}
    assert listing(q="bus lanes") == {"Bus lanes approved"}
    assert listing(status__exact="draft") == {"Draft on cycling"}
    assert listing(topics__id__exact=housing.pk) == {"Rents rise again"}
    assert listing(authors__id__exact=tomasz.pk) == {"Bus lanes approved", "Draft on cycling"}
    assert listing(readers_see="scheduled") == {"Council tax vote"}
    assert listing(readers_see="published") == {"Rents rise again", "Bus lanes approved"}


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_readers_and_visitors_are_sent_to_log_in(
    who: str, client: Client, reader_client: Client
) -> None:
    article = make_article()
    browser = client if who == "anonymous" else reader_client

    for url in (CHANGELIST_URL, ADD_URL, f"/admin/publishing/article/{article.pk}/change/"):
        response = browser.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_staff_without_article_rights_get_403() -> None:
    client = Client()
    client.force_login(make_user("sam", is_staff=True))

    assert client.get(CHANGELIST_URL).status_code == 403
    assert client.get(ADD_URL).status_code == 403


def test_editors_cannot_touch_accounts_or_groups(editor_client: Client, reader: User) -> None:
    index = editor_client.get("/admin/").content.decode()

    assert "/admin/publishing/article/" in index
    assert "/admin/accounts/user/" not in index
    assert "/admin/auth/group/" not in index
    for url in (
        "/admin/accounts/user/",
        f"/admin/accounts/user/{reader.pk}/change/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
    ):
        assert editor_client.get(url).status_code == 403
    response = editor_client.post(
        f"/admin/accounts/user/{reader.pk}/change/", {"username": "rita", "is_staff": "on"}
    )
    assert response.status_code == 403
    reader.refresh_from_db()
    assert not reader.is_staff


def test_editor_is_staff_but_not_superuser(editor: User) -> None:
    assert editor.is_staff and not editor.is_superuser
    assert editor.has_perm("publishing.change_article")
    assert not editor.has_perm("accounts.change_user")
    assert not editor.has_perm("auth.change_group")
    assert not editor.has_perm("publishing.change_articlerevision")


def _run_action(client: Client, action: str, articles: list[Article]) -> Any:
    return client.post(
        CHANGELIST_URL,
        {"action": action, "_selected_action": [str(a.pk) for a in articles]},
        follow=True,
    )


def test_publish_now_action(editor_client: Client, editor: User, client: Client) -> None:
    draft = make_article("Pier reopens", status=Article.Status.DRAFT)
    later = make_article(
        "Festival line-up",
        status=Article.Status.SCHEDULED,
        published_at=timezone.now() + dt.timedelta(days=5),
    )
    before = timezone.now()

    response = _run_action(editor_client, "publish_now", [draft, later])

    assert "Published 2 articles." in response.content.decode()
    for article in (draft, later):
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        assert article.published_at is not None and article.published_at >= before
        assert client.get(article.get_absolute_url()).status_code == 200
        assert article.revisions.get().edited_by == editor


def test_publishing_again_keeps_the_original_date(editor_client: Client) -> None:
    first_published = dt.datetime(2021, 6, 1, 8, 0, tzinfo=dt.UTC)
    article = make_article("Harbour report", published_at=first_published)
    article.unpublish()

    _run_action(editor_client, "publish_now", [article])

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == first_published


def test_unpublish_action(editor_client: Client, editor: User, client: Client) -> None:
    article = make_article("Retracted claim about the ferry")

    response = _run_action(editor_client, "unpublish", [article])

    assert "Unpublished 1 article." in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.revisions.get().data["status"] == "draft"


def test_view_only_staff_cannot_run_actions() -> None:
    staff = make_user("vera", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_article"))
    client = Client()
    client.force_login(staff)
    article = make_article("Quiet week at the town hall")

    _run_action(client, "unpublish", [article])

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
