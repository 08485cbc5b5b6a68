"""A comment's status changed in the Django admin goes through discussion's set_status(),
as the moderation queue's changes do: the article's count follows, and the cached article
page stops showing a comment taken down.

Sam owns the site (a superuser); Nadia is an anonymous reader with the page in the cache.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam() -> Client:
    owner = make_user("sam", display_name="Sam Okoro", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(owner)
    return client


def change_url(comment: Comment) -> str:
    return f"/admin/discussion/comment/{comment.pk}/change/"


def form_data(client: Client, comment: Comment, **changes: Any) -> dict[str, Any]:
    """The admin's change form for `comment` as the browser would send it back, with
    `changes` typed in."""
    form = client.get(change_url(comment)).context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if value is False:
            continue  # an unticked checkbox is not sent
        data[name] = "on" if value is True else ("" if value is None else value)
    data.update(changes)
    return data


def stored_count(article: Article) -> int:
    article.refresh_from_db()
    return article.comment_count


def test_holding_a_comment_in_the_admin_updates_the_count_and_the_page(
    sam: Client, nadia: Client
) -> None:
    article = make_article("Harbour wall repaired")
    make_comment(article, name="Ossian Brandt", body="About time too.")
    comment = make_comment(article, name="Morwenna Tate", body="It leaked all winter.")
    assert stored_count(article) == 2
    page = article.get_absolute_url()
    nadia.get(page)
    cached = nadia.get(page)
    assert cached.headers.get("X-Page-Cache") == "hit"
    assert "It leaked all winter." in cached.content.decode()

    response = sam.post(change_url(comment), form_data(sam, comment, status="held"))

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert stored_count(article) == 1
    fresh = nadia.get(page)
    assert fresh.headers.get("X-Page-Cache") != "hit"
    assert "It leaked all winter." not in fresh.content.decode()
    assert "About time too." in fresh.content.decode()


def test_approving_in_the_admin_counts_the_comment_again(sam: Client) -> None:
    article = make_article("Harbour wall repaired")
    comment = make_comment(article, body="Held for a moderator.", status=Comment.Status.HELD)
    assert stored_count(article) == 0

    response = sam.post(change_url(comment), form_data(sam, comment, status="published"))

    assert response.status_code == 302
    assert stored_count(article) == 1


def test_an_admin_edit_that_keeps_the_status_saves_the_rest(sam: Client, nadia: Client) -> None:
    article = make_article("Harbour wall repaired")
    comment = make_comment(article, name="Morwenna Tate", body="It leaked all winter.")
    nadia.get(article.get_absolute_url())

    response = sam.post(
        change_url(comment), form_data(sam, comment, body_source="It leaked *every* winter.")
    )

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.body_html.strip() == "<p>It leaked <em>every</em> winter.</p>"
    assert stored_count(article) == 1
    assert "every</em> winter." in nadia.get(article.get_absolute_url()).content.decode()
