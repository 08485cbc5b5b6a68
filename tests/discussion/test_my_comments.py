"""/account/comments/: the signed-in reader's own comments, newest first, and nobody
else's. Bob should see none of Rita's, and a visitor is sent to log in.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from broadsheet.discussion import services
from broadsheet.discussion.models import Comment
from tests.helpers import as_nadia, make_article, post_comment

pytestmark = pytest.mark.django_db

MINE = "/account/comments/"


def test_the_page_lists_only_the_readers_own_comments_newest_first(
    rita: Client, bob: Client, client: Client
) -> None:
    assert reverse("discussion:mine") == MINE
    markets = make_article("Street market moves to the square")
    tram = make_article("Tram extension approved")
    post_comment(rita, markets, body="The square has *no shade* in August.")
    post_comment(rita, tram, body="About time for the tram.")
    post_comment(bob, tram, body="Bob thinks trams are noisy.")
    post_comment(client, tram, **as_nadia("Nadia thinks trams are late."))

    response = rita.get(MINE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Your comments</h1>" in html
    assert html.index("On “Tram extension approved”") < html.index(
        "On “Street market moves to the square”"
    )
    assert "<em>no shade</em>" in html
    assert "About time for the tram." in html
    assert "Bob thinks trams are noisy." not in html
    assert "Nadia thinks trams are late." not in html
    about_tram = Comment.objects.get(body_source="About time for the tram.")
    assert f'href="/comment/{about_tram.pk}/"' in html


def test_held_comments_are_listed_with_their_state_and_deleted_ones_are_not(
    rita: Client,
) -> None:
    article = make_article("Tram extension approved")
    post_comment(rita, article, body="Still here.")
    post_comment(rita, article, body="Regretted this one.")
    post_comment(rita, article, body="Waiting for a moderator.")
    services.set_status(
        Comment.objects.get(body_source="Regretted this one."), Comment.Status.DELETED
    )
    services.set_status(
        Comment.objects.get(body_source="Waiting for a moderator."), Comment.Status.HELD
    )

    html = rita.get(MINE).content.decode()

    assert "Still here." in html
    assert "Waiting for a moderator." in html
    assert "Held for review" in html
    assert "Regretted this one." not in html


def test_a_reader_with_no_comments_is_told_so(bob: Client) -> None:
    assert "You have not commented yet." in bob.get(MINE).content.decode()


def test_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(MINE)

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={MINE}"
