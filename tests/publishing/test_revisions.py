"""Article revisions: kept at every admin save, listed, compared with now, and restored.

Edith is an editor (staff in the Editors group, not a superuser); Rita is a reader.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Article, ArticleRevision, Author
from tests.helpers import make_article, make_author, make_topic, make_user

pytestmark = pytest.mark.django_db


def change_url(article: Article) -> str:
    return f"/admin/publishing/article/{article.pk}/change/"


def revisions_url(article: Article) -> str:
    return f"/admin/publishing/article/{article.pk}/revisions/"


def revision_url(revision: ArticleRevision) -> str:
    return f"/admin/publishing/article/{revision.article_id}/revisions/{revision.pk}/"


def restore_url(revision: ArticleRevision) -> str:
    return revision_url(revision) + "restore/"


def save_in_admin(client: Client, article: Article, **changes: Any) -> Any:
    """Post the change form as the editor would, with the article's current values plus
    `changes`; `authors` replaces the byline (in order)."""
    article.refresh_from_db()
    bylines = list(article.bylines.order_by("position", "id"))
    authors: list[Author] | None = changes.pop("authors", None)
    data: dict[str, Any] = {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body_source": article.body_source,
        "submitted_by": str(article.submitted_by_id),
        "topics": [str(pk) for pk in article.topics.values_list("pk", flat=True)],
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d") if article.published_at else "",
        "published_at_1": article.published_at.strftime("%H:%M:%S") if article.published_at else "",
        "comments_mode": article.comments_mode,
        "bylines-INITIAL_FORMS": str(len(bylines)),
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "_continue": "Save and continue editing",
    }
    rows: list[dict[str, str]] = []
    for byline in bylines:
        row = {"id": str(byline.pk), "article": str(article.pk)}
        if authors is None:
            row |= {"author": str(byline.author_id), "position": str(byline.position)}
        else:
            row |= {"author": str(byline.author_id), "position": "0", "DELETE": "on"}
        rows.append(row)
    for position, author in enumerate(authors or []):
        rows.append({"author": str(author.pk), "position": str(position)})
    data["bylines-TOTAL_FORMS"] = str(len(rows))
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"bylines-{index}-{key}"] = value
    data.update(changes)
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_each_admin_save_keeps_a_revision_with_editor_and_bylines(
    editor_client: Client, editor: User
) -> None:
    ada, lin = make_author("Ada Reyes"), make_author("Lin Abara")
    housing = make_topic("Housing")
    article = make_article("Flats above the market", authors=[ada])

    save_in_admin(editor_client, article, authors=[lin, ada], topics=[str(housing.pk)])

    revision = article.revisions.get()
    assert revision.edited_by == editor
    assert revision.data["authors"] == [lin.pk, ada.pk]
    assert revision.data["topics"] == [housing.pk]
    assert revision.data["title"] == "Flats above the market"


def test_editing_twice_gives_two_revisions(editor_client: Client) -> None:
    article = make_article("Ward boundaries redrawn")

    save_in_admin(editor_client, article, title="Ward boundaries to be redrawn")
    save_in_admin(editor_client, article, title="Ward boundaries redrawn after review")

    titles = [r.data["title"] for r in article.revisions.all()]
    assert titles == ["Ward boundaries redrawn after review", "Ward boundaries to be redrawn"]


def test_saving_without_changes_keeps_no_new_revision(editor_client: Client) -> None:
    article = make_article("Ward boundaries redrawn")

    save_in_admin(editor_client, article, title="Ward boundaries to be redrawn")
    save_in_admin(editor_client, article)

    assert article.revisions.count() == 1


def test_revisions_page_lists_who_and_when(editor_client: Client) -> None:
    article = make_article("Ward boundaries redrawn")
    save_in_admin(editor_client, article, title="Ward boundaries to be redrawn")
    save_in_admin(editor_client, article, body_source="A new first paragraph.")

    response = editor_client.get(revisions_url(article))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<td>Edith Okafor</td>") == 2
    newest, oldest = article.revisions.all()
    assert f'<time datetime="{newest.created_at.isoformat()}">' in html
    assert "<td>Body</td>" in html  # what the newer save changed
    assert "First kept revision" in html
    assert "Same as the current article" in html
    assert f'href="{revision_url(oldest)}">Compare with current</a>' in html


def test_diff_shows_the_changed_line_escaped(editor_client: Client) -> None:
    article = make_article(
        "Allotment waiting list",
        body="The list has 300 names.\n\nThe council meets <on Thursday>.\n\nMore soon.",
    )
    save_in_admin(editor_client, article)
    old = article.revisions.get()
    save_in_admin(
        editor_client,
        article,
        body_source="The list has 300 names.\n\nThe council met on Friday & agreed.\n\nMore soon.",
    )

    response = editor_client.get(revision_url(old))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Body</h2>" in html
    assert (
        '<tr class="diff-removed"><td class="diff-sign">−</td>'
        "<td>The council meets &lt;on Thursday&gt;.</td></tr>"
    ) in html
    assert (
        '<tr class="diff-added"><td class="diff-sign">+</td>'
        "<td>The council met on Friday &amp; agreed.</td></tr>"
    ) in html
    assert '<tr class="diff-context"><td class="diff-sign"></td><td>More soon.</td></tr>' in html
    assert "<h2>Title</h2>" not in html  # unchanged fields are left out
    assert 'value="Restore this revision"' in html


def test_diff_marks_skipped_lines_in_long_bodies(editor_client: Client) -> None:
    paragraphs = [f"Paragraph {number} of the inquiry report." for number in range(1, 13)]
    article = make_article("Inquiry report published", body="\n".join(paragraphs))
    save_in_admin(editor_client, article)
    old = article.revisions.get()
    paragraphs[0], paragraphs[-1] = "A new opening.", "A new ending."
    save_in_admin(editor_client, article, body_source="\n".join(paragraphs))

    html = editor_client.get(revision_url(old)).content.decode()

    body = html.split("<h2>Body</h2>")[1].split("</table>")[0]
    assert body.count('<tr class="diff-gap">') == 1  # between the two changes, not before
    assert "Paragraph 6 of" not in body  # the unchanged middle is skipped
    assert body.index("A new opening.") < body.index("⋯") < body.index("A new ending.")
    assert "@@" not in body


def test_diff_names_the_byline_authors(editor_client: Client) -> None:
    ada, tomasz = make_author("Ada Reyes"), make_author("Tomasz Wren")
    article = make_article("Pool closes for repairs", authors=[ada])
    save_in_admin(editor_client, article)
    old = article.revisions.get()
    save_in_admin(editor_client, article, authors=[tomasz, ada])

    html = editor_client.get(revision_url(old)).content.decode()

    assert "<h2>Byline authors</h2>" in html
    assert '<tr class="diff-added"><td class="diff-sign">+</td><td>Tomasz Wren</td></tr>' in html


def test_restore_brings_back_the_old_article_and_keeps_a_revision(
    editor_client: Client, editor: User, client: Client
) -> None:
    ada, tomasz = make_author("Ada Reyes"), make_author("Tomasz Wren")
    article = make_article("Leisure centre to stay open", body="Original text.", authors=[ada])
    save_in_admin(editor_client, article)
    old = article.revisions.get()
    save_in_admin(
        editor_client,
        article,
        title="Leisure centre to close",
        body_source="Rewritten text.",
        authors=[tomasz],
    )

    response = editor_client.post(restore_url(old), follow=True)

    assert response.redirect_chain == [(change_url(article), 302)]
    assert "Restored the revision of" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Leisure centre to stay open"
    assert article.body_source == "Original text."
    assert article.byline_authors() == [ada]
    assert article.revisions.count() == 3
    latest = article.revisions.first()
    assert latest is not None and latest.edited_by == editor
    assert latest.data["title"] == "Leisure centre to stay open"
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Leisure centre to stay open" in page and "Ada Reyes" in page


def test_restore_refuses_get(editor_client: Client) -> None:
    article = make_article("Leisure centre to stay open")
    save_in_admin(editor_client, article, title="Leisure centre to close")
    revision = article.revisions.get()

    response = editor_client.get(restore_url(revision))

    assert response.status_code == 405
    assert article.revisions.count() == 1


def test_restore_needs_the_csrf_token(editor: User) -> None:
    article = make_article("Leisure centre to stay open")
    revision = ArticleRevision.objects.create(
        article=article, edited_by=editor, data={"title": "Anything"}
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    assert client.post(restore_url(revision)).status_code == 403
    article.refresh_from_db()
    assert article.title == "Leisure centre to stay open"


def test_restore_that_would_clash_on_slug_is_refused_with_a_message(
    editor_client: Client,
) -> None:
    article = make_article("Market hall plans", slug="market-hall")
    save_in_admin(editor_client, article)
    old = article.revisions.get()
    save_in_admin(editor_client, article, slug="market-hall-plans")
    make_article("Another piece", slug="market-hall")

    response = editor_client.post(restore_url(old), follow=True)

    assert "Another article now has the slug “market-hall”" in response.content.decode()
    article.refresh_from_db()
    assert article.slug == "market-hall-plans"


def test_revision_of_another_article_is_404(editor_client: Client) -> None:
    first, second = make_article("First story"), make_article("Second story")
    save_in_admin(editor_client, first, title="First story, revised")
    revision = first.revisions.get()

    url = f"/admin/publishing/article/{second.pk}/revisions/{revision.pk}/"
    assert editor_client.get(url).status_code == 404
    assert editor_client.post(url + "restore/").status_code == 404


def test_change_form_links_to_the_revisions(editor_client: Client) -> None:
    article = make_article()

    html = editor_client.get(change_url(article)).content.decode()

    assert f'<a href="{revisions_url(article)}" class="historylink">Revisions</a>' in html


def test_staff_without_change_permission_get_403(editor: User) -> None:
    article = make_article()
    revision = ArticleRevision.objects.create(article=article, edited_by=editor, data={})
    viewer = make_user("vera", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    client = Client()
    client.force_login(viewer)

    assert client.get(change_url(article)).status_code == 200  # may look…
    assert client.get(revisions_url(article)).status_code == 403  # …but not at revisions
    assert client.get(revision_url(revision)).status_code == 403
    assert client.post(restore_url(revision)).status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_readers_are_sent_to_log_in(who: str, client: Client, reader_client: Client) -> None:
    article = make_article()
    revision = ArticleRevision.objects.create(article=article, data={})
    browser = client if who == "anonymous" else reader_client

    for response in (
        browser.get(revisions_url(article)),
        browser.get(revision_url(revision)),
        browser.post(restore_url(revision)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert article.revisions.count() == 1
