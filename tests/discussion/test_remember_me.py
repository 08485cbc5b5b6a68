""" "Remember me" on the comment form: offered only to readers who accepted preferences
cookies, kept in one signed cookie of that category, filled into the next form, and gone
once the reader withdraws that consent."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import signing
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.forms import DETAILS_COOKIE, DETAILS_COOKIE_SALT
from broadsheet.publishing.models import Article
from tests.helpers import make_article, post_form

pytestmark = pytest.mark.django_db

ORIGIN = {"Origin": "http://testserver"}
ISOLDE = {
    "name": "Isolde Fairweather",
    "email": "isolde@example.net",
    "homepage": "https://isolde.example.net/",
}
YEAR = 60 * 60 * 24 * 365


class _Inputs(HTMLParser):
    """The comment form's inputs by name."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "input" and fields.get("name"):
            self.inputs[str(fields["name"])] = fields


def form_inputs(response: HttpResponse) -> dict[str, dict[str, str | None]]:
    html = response.content.decode()
    form = html.split('class="comment-form"', 1)[1].split("</form>", 1)[0]
    parser = _Inputs()
    parser.feed("<form " + form)
    return parser.inputs


def choose(client: Client, *categories: str) -> None:
    response = client.post("/cookies/", dict.fromkeys(categories, "on"), headers=ORIGIN)
    assert response.status_code == 302


def post_as_isolde(client: Client, article: Article, **extra: Any) -> HttpResponse:
    response = post_form(
        client, article, body="The tide gauge was wrong again this morning.", **ISOLDE, **extra
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


@pytest.fixture
def article() -> Article:
    return make_article("Tide gauge readings questioned")


@pytest.mark.parametrize("categories", [None, (), ("statistics", "external-media")])
def test_without_preferences_consent_there_is_no_box_and_no_cookie(
    client: Client, article: Article, categories: tuple[str, ...] | None, caplog: Any
) -> None:
    if categories is not None:
        choose(client, *categories)

    inputs = form_inputs(client.get(article.get_absolute_url()))
    response = post_as_isolde(client, article, remember_me="on")

    assert "name" in inputs and "remember_me" not in inputs
    assert DETAILS_COOKIE not in response.cookies
    assert DETAILS_COOKIE not in client.cookies
    # The view did not even try: the consent middleware's safety net had nothing to drop.
    assert "Dropped cookie" not in caplog.text
    assert "value" not in form_inputs(client.get(article.get_absolute_url()))["name"]


def test_with_preferences_the_box_appears_and_ticking_it_sets_the_cookie(
    client: Client, article: Article
) -> None:
    choose(client, "preferences")

    inputs = form_inputs(client.get(article.get_absolute_url()))
    response = post_as_isolde(client, article, remember_me="on")

    assert inputs["remember_me"]["type"] == "checkbox"
    assert "checked" not in inputs["remember_me"]
    cookie = response.cookies[DETAILS_COOKIE]
    assert signing.loads(cookie.value, salt=DETAILS_COOKIE_SALT) == ISOLDE
    assert cookie["max-age"] == YEAR
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]


def test_over_https_the_cookie_is_secure(client: Client, article: Article) -> None:
    choose(client, "preferences")

    data = {**ISOLDE, "body": "Low water at noon.", "save": "1", "remember_me": "on"}
    response = client.post(
        reverse("discussion:post", args=[article.slug]),
        data,
        secure=True,
        headers={"Origin": "https://testserver"},
    )

    assert response.status_code == 302

    assert response.cookies[DETAILS_COOKIE]["secure"] is True


def test_the_next_form_is_filled_in_with_the_remembered_details(
    client: Client, article: Article
) -> None:
    choose(client, "preferences")
    post_as_isolde(client, article, remember_me="on")
    other = make_article("Harbour dredging starts in May")

    inputs = form_inputs(client.get(other.get_absolute_url()))

    assert inputs["name"]["value"] == "Isolde Fairweather"
    assert inputs["email"]["value"] == "isolde@example.net"
    assert inputs["homepage"]["value"] == "https://isolde.example.net/"
    assert "checked" in inputs["remember_me"]


def test_the_reply_page_is_filled_in_too(client: Client, article: Article) -> None:
    choose(client, "preferences")
    post_as_isolde(client, article, remember_me="on")
    comment = article.comments.get()

    inputs = form_inputs(client.get(f"/comment/{comment.pk}/reply/"))

    assert inputs["name"]["value"] == "Isolde Fairweather"
    assert inputs["parent"]["value"] == str(comment.pk)


def test_without_the_tick_nothing_is_remembered_and_unticking_forgets(
    client: Client, article: Article
) -> None:
    choose(client, "preferences")

    unticked = post_as_isolde(client, article)
    assert DETAILS_COOKIE not in unticked.cookies

    post_as_isolde(client, article, remember_me="on")
    forgotten = post_as_isolde(client, article)

    assert forgotten.cookies[DETAILS_COOKIE]["max-age"] == 0
    assert "value" not in form_inputs(client.get(article.get_absolute_url()))["name"]


def test_after_withdrawing_preferences_the_box_and_the_cookie_are_gone(
    client: Client, article: Article
) -> None:
    choose(client, "preferences")
    post_as_isolde(client, article, remember_me="on")
    kept = client.cookies[DETAILS_COOKIE].value

    withdrawn = client.post("/cookies/", {"statistics": "on"}, headers=ORIGIN)

    assert withdrawn.cookies[DETAILS_COOKIE]["max-age"] == 0
    assert form_inputs(client.get(article.get_absolute_url())).keys().isdisjoint({"remember_me"})
    # A browser that kept the cookie anyway gets no prefilled form from it.
    client.cookies[DETAILS_COOKIE] = kept
    inputs = form_inputs(client.get(article.get_absolute_url()))
    assert "value" not in inputs["name"] and "value" not in inputs["email"]
    assert "remember_me" not in inputs


def test_a_tampered_cookie_fills_in_nothing(client: Client, article: Article) -> None:
    choose(client, "preferences")
    forged = signing.dumps({"name": "Edith Okafor"}, salt="another-salt")
    client.cookies[DETAILS_COOKIE] = forged

    inputs = form_inputs(client.get(article.get_absolute_url()))

    assert "value" not in inputs["name"]
    assert "checked" not in inputs["remember_me"]


def test_signed_in_readers_are_not_offered_the_box(
    reader: User, reader_client: Client, article: Article
) -> None:
    reader.email_confirmed_at = timezone.now()
    reader.save()
    choose(reader_client, "preferences")

    inputs = form_inputs(reader_client.get(article.get_absolute_url()))

    assert "notify_replies" in inputs  # the form is there, for a registered commenter
    assert "remember_me" not in inputs and "name" not in inputs
