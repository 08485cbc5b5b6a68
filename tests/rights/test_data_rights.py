"""Commenters' data rights: Morwenna asks for her data by e-mail address, follows the
mailed links to download it as JSON and to erase it; a moderator erases from the queue.

Morwenna (morwenna@example.net) has comments; Tomasz (tomasz@example.net) has one too and
must never see hers; nobody@example.net has none. The form's answer must not tell the
three apart.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.lib.addresses import address_hash
from broadsheet.moderation import spamfilter
from broadsheet.moderation.models import FilterDecision, ModerationLogEntry
from broadsheet.moderation.tasks import retrain_spam_model
from broadsheet.publishing.models import Article
from broadsheet.rights import services as rights
from tests.helpers import deliver_mail, make_article, make_comment, make_user, submitted_lines

MORWENNA = "morwenna@example.net"
TOMASZ = "tomasz@example.net"
SAME_ORIGIN = {"Origin": "http://testserver"}


def ask(email: str, **headers: str) -> Any:
    """Send the request form from a fresh browser."""
    return Client().post(
        reverse("rights:request"), {"email": email}, headers=headers or SAME_ORIGIN
    )


def link_in(message: mail.EmailMessage, purpose: str, site_url: str) -> str:
    match = re.search(re.escape(site_url) + rf"(/your-data/{purpose}/\S+/)", str(message.body))
    assert match, message.body
    return match.group(1)


def export_path(email: str) -> str:
    return reverse("rights:export", args=[rights.export_token(email)])


def erase_path(email: str) -> str:
    return reverse("rights:erase", args=[rights.erase_token(email)])


@pytest.fixture
def article(db: None) -> Article:
    return make_article("Library opening hours cut again")


@pytest.fixture
def morwennas(article: Article) -> list[Comment]:
    """Two comments by Morwenna (one confirmed and published, one held, with an address
    hash and a homepage, the address in another case), and one by Tomasz."""
    first = make_comment(
        article,
        email=MORWENNA,
        email_confirmed=True,
        notify_replies=True,
        homepage="https://morwenna.example.net/",
        address_hash=address_hash("198.51.100.23"),
        body="The Saturday opening was the only one I could use.",
    )
    second = make_comment(
        make_article("Bus route 12 withdrawn"),
        email="Morwenna@Example.NET",
        status=Comment.Status.HELD,
        body="My neighbour relies on the 12.",
    )
    make_comment(
        article,
        name="Tomasz Wierzba",
        email=TOMASZ,
        address_hash=address_hash("203.0.113.9"),
        body="Volunteers could keep it open.",
    )
    return [first, second]


# The request form ---------------------------------------------------------------------


def test_the_form_is_at_your_data(client: Client) -> None:
    response = client.get("/your-data/")
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_answer_is_the_same_for_known_and_unknown_addresses_and_only_known_get_mail(
    morwennas: list[Comment], mailoutbox: list[mail.EmailMessage], settings: Any
) -> None:
    known = ask(MORWENNA)
    known_other_case = ask("MORWENNA@example.net")
    unknown = ask("nobody@example.net")

    assert known.status_code == unknown.status_code == known_other_case.status_code == 200
    assert known.content == unknown.content == known_other_case.content
    assert "If we hold comments for that address, we have e-mailed it a link" in (
        known.content.decode()
    )
    assert known.cookies.keys() == unknown.cookies.keys()

    assert mailoutbox == []  # queued, sent by the worker
    deliver_mail()
    assert [m.to for m in mailoutbox] == [[MORWENNA], [MORWENNA]]
    message = mailoutbox[0]
    assert link_in(message, "export", settings.SITE_URL)
    assert link_in(message, "erase", settings.SITE_URL)


def test_the_request_form_runs_the_same_look_up_for_known_and_unknown_addresses(
    morwennas: list[Comment],
) -> None:
    with CaptureQueriesContext(connection) as unknown:
        ask("nobody@example.net")
    with CaptureQueriesContext(connection) as known:
        ask(MORWENNA)

    # One look-up either way; a known address adds only the mail's row in the queue.
    [look_up] = unknown.captured_queries
    assert known.captured_queries[0]["sql"] == look_up["sql"].replace(
        "nobody@example.net", MORWENNA
    )
    assert all("INSERT" in q["sql"] for q in known.captured_queries[1:])


def test_a_cross_site_post_is_refused_and_sends_nothing(
    morwennas: list[Comment], mailoutbox: list[mail.EmailMessage]
) -> None:
    response = ask(MORWENNA, Origin="https://evil.example.com")
    assert response.status_code == 403
    no_headers = Client().post(reverse("rights:request"), {"email": MORWENNA})
    assert no_headers.status_code == 403
    assert not DBTaskResult.objects.exists()


def test_an_invalid_address_shows_the_form_again(db: None) -> None:
    response = ask("not an address")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


# The export link ----------------------------------------------------------------------


def test_the_export_link_downloads_that_address_s_comments_and_account(
    client: Client, morwennas: list[Comment]
) -> None:
    account = make_user("morwenna", display_name="Morwenna T")
    User.objects.filter(pk=account.pk).update(email="MORWENNA@example.net")

    response = client.get(export_path(MORWENNA))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert [c["id"] for c in data["comments"]] == [c.pk for c in morwennas]
    first, second = data["comments"]
    assert first["article"]["title"] == "Library opening hours cut again"
    assert first["article"]["url"].endswith(morwennas[0].article.get_absolute_url())
    assert first["name"] == "Morwenna Tate"
    assert first["email"] == MORWENNA
    assert first["homepage"] == "https://morwenna.example.net/"
    assert first["body"] == "The Saturday opening was the only one I could use."
    assert first["status"] == "published"
    assert first["verified"] is True
    assert first["notify_replies"] is True
    assert first["network_address_hash_kept"] is True
    assert first["created_at"] and first["edited_at"] is None
    assert second["status"] == "held" and second["verified"] is False
    assert second["network_address_hash_kept"] is False
    assert data["accounts"] == [
        {"username": "morwenna", "display_name": "Morwenna T", "date_joined": mock.ANY}
    ]
    text = response.content.decode()
    assert "Tomasz" not in text and TOMASZ not in text
    assert address_hash("198.51.100.23") not in text
    assert address_hash("203.0.113.9") not in text


def test_a_link_for_another_address_shows_only_that_address_s_data(
    client: Client, morwennas: list[Comment]
) -> None:
    response = client.get(export_path(TOMASZ))
    assert response.status_code == 200
    text = response.content.decode()
    assert [c["email"] for c in json.loads(text)["comments"]] == [TOMASZ]
    assert "Morwenna" not in text and MORWENNA not in text


def test_a_tampered_link_is_refused(client: Client, morwennas: list[Comment]) -> None:
    token = rights.export_token(TOMASZ)
    # Tomasz's timestamp and signature over Morwenna's address.
    forged = ":".join([rights.export_token(MORWENNA).split(":")[0], *token.split(":")[1:]])
    for path in [
        reverse("rights:export", args=[forged]),
        reverse("rights:export", args=[token[:-2] + "xx"]),
        reverse("rights:export", args=["nonsense"]),
        reverse("rights:erase", args=[rights.erase_token(TOMASZ)[:-2] + "xx"]),
    ]:
        response = client.get(path)
        assert response.status_code == 400, path
        html = response.content.decode()
        assert "The link is not valid." in html
        assert "Morwenna" not in html and "Tomasz" not in html


def test_an_expired_link_is_refused(
    client: Client, morwennas: list[Comment], settings: Any
) -> None:
    settings.DATA_REQUEST_MAX_AGE_HOURS = 1
    export, erase = export_path(MORWENNA), erase_path(MORWENNA)
    now = time.time()

    with mock.patch("django.core.signing.time.time", return_value=now + 30 * 60):
        assert client.get(export).status_code == 200
    with mock.patch("django.core.signing.time.time", return_value=now + 2 * 60 * 60):
        for path in (export, erase):
            response = client.get(path)
            assert response.status_code == 400
            assert "The link has expired." in response.content.decode()
        assert client.post(erase, {"bodies": "remove"}).status_code == 400
    assert Comment.objects.filter(email__iexact=MORWENNA).count() == 2


def test_links_expire_after_48_hours_by_default(client: Client, morwennas: list[Comment]) -> None:
    export = export_path(MORWENNA)
    now = time.time()
    with mock.patch("django.core.signing.time.time", return_value=now + 47 * 60 * 60):
        assert client.get(export).status_code == 200
    with mock.patch("django.core.signing.time.time", return_value=now + 49 * 60 * 60):
        assert client.get(export).status_code == 400


def test_an_export_link_cannot_erase_and_an_erase_link_cannot_export(
    client: Client, morwennas: list[Comment]
) -> None:
    export_token, erase_token = rights.export_token(MORWENNA), rights.erase_token(MORWENNA)

    assert client.get(reverse("rights:erase", args=[export_token])).status_code == 400
    response = client.post(reverse("rights:erase", args=[export_token]), {"bodies": "remove"})
    assert response.status_code == 400
    assert client.get(reverse("rights:export", args=[erase_token])).status_code == 400
    assert Comment.objects.filter(email__iexact=MORWENNA).count() == 2


# Erasure by the commenter -------------------------------------------------------------


def test_erasing_and_keeping_the_words_anonymises_the_comments(
    client: Client, morwennas: list[Comment], article: Article
) -> None:
    path = erase_path(MORWENNA)
    choice = client.get(path)
    assert choice.status_code == 200
    assert "We hold 2 comments written with morwenna@example.net." in choice.content.decode()

    done = client.post(path, {"bodies": "keep"})

    assert done.status_code == 200
    assert "2 comments no longer carry your name" in done.content.decode()
    first, second = (Comment.objects.get(pk=c.pk) for c in morwennas)
    for comment, status in ((first, "published"), (second, "held")):
        assert comment.name == "Anonymous"
        assert comment.email == "" and comment.homepage == "" and comment.address_hash == ""
        assert not comment.email_confirmed and not comment.notify_replies
        assert comment.user_id is None
        assert comment.status == status
    assert first.body_source == "The Saturday opening was the only one I could use."
    tomasz = Comment.objects.get(email=TOMASZ)
    assert tomasz.name == "Tomasz Wierzba" and tomasz.address_hash

    page = Client().get(article.get_absolute_url())
    lines = submitted_lines(page)
    assert lines[0].startswith("Submitted by Anonymous (not verified) on")
    assert "Morwenna" not in page.content.decode()
    assert "The Saturday opening was the only one I could use." in page.content.decode()


def test_erasure_takes_the_moderators_decisions_on_the_comments_out_of_the_spam_model(
    client: Client, morwennas: list[Comment], django_capture_on_commit_callbacks: Any
) -> None:
    tomasz = Comment.objects.get(email=TOMASZ)
    for comment in (*morwennas, tomasz):
        spamfilter.learn(comment, FilterDecision.Label.HAM)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(erase_path(MORWENNA), {"bodies": "keep"})

    assert list(FilterDecision.objects.values_list("comment", flat=True)) == [tomasz.pk]
    # The model is rebuilt from what is left by the worker, queued by the erasure.
    assert DBTaskResult.objects.filter(task_path=retrain_spam_model.module_path).exists()


def test_erasing_and_removing_the_words_empties_and_deletes_the_comments(
    client: Client, morwennas: list[Comment], article: Article
) -> None:
    response = client.post(erase_path(MORWENNA), {"bodies": "remove"})

    assert response.status_code == 200
    for comment in Comment.objects.filter(pk__in=[c.pk for c in morwennas]):
        assert comment.name == "Anonymous" and comment.email == ""
        assert comment.body_source == "" and comment.body_html == ""
        assert comment.status == Comment.Status.DELETED
    article.refresh_from_db()
    assert article.comment_count == 1  # Tomasz's
    page = Client().get(article.get_absolute_url())
    # A removed comment with no replies leaves no trace; Tomasz's is all that shows.
    assert submitted_lines(page)[0].startswith("Submitted by Tomasz Wierzba (not verified)")
    assert len(submitted_lines(page)) == 1
    assert "Morwenna" not in page.content.decode()
    assert "Saturday opening" not in page.content.decode()


def test_erasure_needs_a_choice_and_is_logged_without_the_address(
    client: Client, morwennas: list[Comment]
) -> None:
    path = erase_path(MORWENNA)
    assert client.post(path, {}).status_code == 400
    assert not ModerationLogEntry.objects.exists()

    client.post(path, {"bodies": "keep"})

    entry = ModerationLogEntry.objects.get()
    assert entry.action == ModerationLogEntry.Action.ERASE
    assert entry.actor is None
    assert entry.details["count"] == 2 and entry.details["keep_bodies"] is True
    assert entry.details["email_hash"] == rights.email_hash(MORWENNA)
    logged = json.dumps(entry.details) + entry.reason
    assert "morwenna" not in logged.lower()


def test_an_erasure_link_used_again_finds_nothing_more(
    client: Client, morwennas: list[Comment]
) -> None:
    path = erase_path(MORWENNA)
    client.post(path, {"bodies": "keep"})
    again = client.post(path, {"bodies": "remove"})
    assert again.status_code == 200
    assert "We hold no comments for this address any more." in again.content.decode()
    assert Comment.objects.get(pk=morwennas[0].pk).body_source  # the first choice stands


# Erasure by a moderator ---------------------------------------------------------------


def test_a_moderator_erases_from_the_queue_and_it_is_logged_with_them(
    moderator_client: Client, moderator: User, morwennas: list[Comment]
) -> None:
    held = morwennas[1]
    queue = moderator_client.get(reverse("moderation:queue")).content.decode()
    assert reverse("rights:moderator-erase", args=[held.pk]) in queue
    assert "Erase personal data" in queue

    response = moderator_client.post(
        reverse("rights:moderator-erase", args=[held.pk]),
        {"bodies": "remove", "next": reverse("moderation:queue")},
        follow=True,
    )

    assert response.status_code == 200
    assert "Erased the personal data of 2 comments; the text is removed." in (
        response.content.decode()
    )
    for comment in Comment.objects.filter(pk__in=[c.pk for c in morwennas]):
        assert comment.name == "Anonymous" and comment.email == ""
        assert comment.status == Comment.Status.DELETED
    assert Comment.objects.get(email=TOMASZ).name == "Tomasz Wierzba"
    entry = ModerationLogEntry.objects.get()
    assert entry.actor == moderator
    assert entry.action == ModerationLogEntry.Action.ERASE
    assert entry.comment == held
    assert entry.details["count"] == 2 and entry.details["keep_bodies"] is False
    assert "morwenna" not in json.dumps(entry.details).lower()


def test_a_moderator_erasing_a_comment_without_an_address_erases_only_that_one(
    moderator_client: Client, article: Article
) -> None:
    lone = make_comment(article, name="Pat", email="", homepage="https://pat.example.org/")
    other = make_comment(article, name="Pat", email="")

    moderator_client.post(reverse("rights:moderator-erase", args=[lone.pk]), {"bodies": "keep"})

    lone.refresh_from_db()
    other.refresh_from_db()
    assert lone.name == "Anonymous" and lone.homepage == ""
    assert lone.status == Comment.Status.PUBLISHED
    assert other.name == "Pat"
    assert ModerationLogEntry.objects.get().details["email_hash"] == ""


def test_only_moderators_may_erase_and_only_by_post(
    client: Client,
    reader_client: Client,
    editor_client: Client,
    moderator_client: Client,
    morwennas: list[Comment],
) -> None:
    path = reverse("rights:moderator-erase", args=[morwennas[0].pk])
    assert reader_client.post(path, {"bodies": "remove"}).status_code == 403
    assert editor_client.post(path, {"bodies": "remove"}).status_code == 403
    anonymous = client.post(path, {"bodies": "remove"})
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert moderator_client.get(path).status_code == 405
    assert Comment.objects.filter(email__iexact=MORWENNA).count() == 2
    assert not ModerationLogEntry.objects.exists()


def test_the_moderator_erase_action_needs_the_csrf_token(
    moderator: User, morwennas: list[Comment]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    response = client.post(
        reverse("rights:moderator-erase", args=[morwennas[0].pk]), {"bodies": "remove"}
    )
    assert response.status_code == 403
    assert Comment.objects.filter(email__iexact=MORWENNA).count() == 2
