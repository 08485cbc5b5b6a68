"""Posting a comment through the form under an article: what the form offers, Preview,
Save, what the commenter sees afterwards, the errors, double submits and replies.

Nadia and Tomasz are anonymous visitors (each a browser of their own); Rita is a registered
reader. The helpers these tests share with the other posting test files (`post_comment()`,
`FormPage`…) are in tests/helpers.py.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import (
    NADIA,
    SPAM_EVIDENCE,
    TOMASZ,
    FormPage,
    as_nadia,
    confirm_account,
    make_article,
    post_comment,
)

pytestmark = pytest.mark.django_db

# Helpers --------------------------------------------------------------------------------


def page_of(client: Client, article: Article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def article() -> Article:
    return make_article("Night buses cut from the timetable")


# The form -------------------------------------------------------------------------------


def test_visitor_sees_the_full_form_under_the_article(nadia: Client, article: Article) -> None:
    html = page_of(nadia, article)
    form = FormPage(html)

    assert '<h2 id="add-comment-heading">Add new comment</h2>' in html
    # No CSRF token: the page is shared by every anonymous reader (the origin is checked).
    assert set(form.inputs) == {
        "parent",
        "name",
        "email",
        "homepage",
        "body",
        "notify_replies",
        "confirm_address",
        *SPAM_EVIDENCE,
    }
    assert form.inputs["email"]["type"] == "email"
    assert form.inputs["homepage"]["type"] == "url"
    assert "required" not in form.inputs["homepage"]
    assert form.buttons == ["Preview", "Save"]
    assert 'Your name <span class="required">(required)</span>' in html
    assert "Homepage</label>" in html
    assert "Only once your address is confirmed" in html  # beside "E-mail me when …"


def test_signed_in_reader_sees_only_the_comment_and_the_notify_box(
    rita: Client, article: Article
) -> None:
    form = FormPage(page_of(rita, article))

    assert set(form.inputs) == {
        "csrfmiddlewaretoken", "parent", "body", "notify_replies", *SPAM_EVIDENCE
    }  # fmt: skip
    assert form.buttons == ["Preview", "Save"]


# Preview ----------------------------------------------------------------------------------


def test_preview_shows_the_rendered_comment_and_stores_nothing(
    nadia: Client, article: Article
) -> None:
    body = "The **N29** was the only way home\nafter a late shift."
    response = post_comment(nadia, article, preview="1", **as_nadia(body))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="comment-preview"' in html
    assert "Submitted by Nadia Holm (not verified)" in html
    assert "<strong>N29</strong>" in html
    assert FormPage(html).values["body"] == body
    assert FormPage(html).values["name"] == "Nadia Holm"
    assert Comment.objects.count() == 0
    # Nothing is remembered either: the article page shows no comment afterwards.
    assert "N29" not in page_of(nadia, article)


def test_preview_for_a_signed_in_reader_uses_their_public_name(
    rita: Client, article: Article
) -> None:
    response = post_comment(rita, article, preview="1", body="A _quiet_ word.")

    html = response.content.decode()
    assert "Submitted by Rita Campbell</p>" in html
    assert "<em>quiet</em>" in html
    assert Comment.objects.count() == 0


# Saving -----------------------------------------------------------------------------------


def test_visitor_comment_is_held_and_shown_only_in_their_browser(
    nadia: Client, tomasz: Client, article: Article
) -> None:
    body = "The last bus home is at 23:40 now, which is no use to anyone on nights."
    response = post_comment(nadia, article, **as_nadia(body))

    [comment] = Comment.objects.all()
    assert comment.status == Comment.Status.HELD
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"

    html = nadia.get(response["Location"]).content.decode()
    assert "will appear once a moderator has reviewed it" in html
    assert f'id="comment-{comment.pk}"' in html
    assert "Your comment is waiting for a moderator. Only you can see it." in html
    assert "no use to anyone on nights" in html

    assert "no use to anyone on nights" not in page_of(tomasz, article)


def test_confirmed_account_comment_is_published_at_once(
    rita: Client, tomasz: Client, article: Article, reader: User
) -> None:
    response = post_comment(rita, article, body="I drive the 29. We were told last week.")

    [comment] = Comment.objects.all()
    assert comment.status == Comment.Status.PUBLISHED
    assert comment.user == reader
    assert comment.name == "Rita Campbell"
    assert comment.email == reader.email
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"

    html = rita.get(response["Location"]).content.decode()
    assert "Your comment has been published." in html
    others = page_of(tomasz, article)
    assert "I drive the 29. We were told last week." in others
    assert "Submitted by Rita Campbell on" in others
    assert "Rita Campbell (not verified)" not in others
    article.refresh_from_db()
    assert article.comment_count == 1


def test_published_visitor_comment_says_not_verified(
    nadia: Client, tomasz: Client, article: Article, settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    homepage = "https://nadia.example.net/"
    post_comment(
        nadia, article, **as_nadia("Timetables should be consulted on.", homepage=homepage)
    )

    html = page_of(tomasz, article)
    assert f'<a href="{homepage}" rel="nofollow ugc noopener">Nadia Holm</a> (not verified)' in html
    assert "Timetables should be consulted on." in html


def test_account_that_has_not_confirmed_its_address_cannot_post(
    reader: User, article: Article
) -> None:
    client = Client()
    client.force_login(reader)  # email_confirmed_at is still empty

    response = post_comment(client, article, body="Let me in.", follow=True)

    assert Comment.objects.count() == 0
    html = response.content.decode()
    assert "Please confirm your e-mail address before commenting." in html
    assert 'class="comment-form"' not in html
    assert "see the link we sent you" in html


def test_body_is_stored_exactly_as_typed(nadia: Client, article: Article) -> None:
    body = "   indented first line\r\n\r\n  * a list\r\n  * of stops\r\n\n  "
    post_comment(nadia, article, **as_nadia(body))

    assert Comment.objects.get().body_source == body


def test_homepage_is_optional_and_a_bare_domain_gets_https(nadia: Client, article: Article) -> None:
    post_comment(nadia, article, **as_nadia("First.", homepage="nadia.example.net"))
    post_comment(nadia, article, **as_nadia("Second."))

    assert [c.homepage for c in Comment.objects.order_by("pk")] == [
        "https://nadia.example.net",
        "",
    ]


def test_a_signed_in_reader_cannot_set_name_email_or_homepage(
    rita: Client, article: Article, reader: User
) -> None:
    post_comment(
        rita,
        article,
        body="Mine.",
        name="Someone Else",
        email="else@example.net",
        homepage="https://else.example.net/",
        confirm_address="on",
    )

    comment = Comment.objects.get()
    assert (comment.name, comment.email, comment.homepage) == ("Rita Campbell", reader.email, "")


# Errors -------------------------------------------------------------------------------------

LONG_BODY = "All the buses. " * 667  # 10,005 characters


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("name", {"name": ""}, "Please give the name to show with your comment."),
        ("name", {"name": "   "}, "Please give the name to show with your comment."),
        ("name", {"name": "N" * 61}, "Please keep your name to 60 characters (it has 61)."),
        ("email", {"email": "nadia.holm@"}, "Enter a valid email address."),
        ("email", {"email": "", "notify_replies": "on"}, "Give your e-mail address"),
        ("homepage", {"homepage": "javascript:alert(1)"}, "Enter a valid URL."),
        ("body", {"body": ""}, "Please write a comment."),
        ("body", {"body": " \n\t \n"}, "Please write a comment."),
        (
            "body",
            {"body": LONG_BODY},
            "Please keep your comment to 10,000 characters (it has 10,005).",
        ),
    ],
)
def test_a_mistake_is_shown_at_its_field_and_everything_typed_is_kept(
    nadia: Client, article: Article, field: str, changes: dict[str, str], message: str
) -> None:
    typed = {
        **NADIA,
        "homepage": "https://nadia.example.net/",
        "body": "  Where do I write to complain?\n",
        "notify_replies": "on",
        **changes,
    }

    response = post_comment(nadia, article, **typed)

    assert response.status_code == 400
    assert Comment.objects.count() == 0
    form = FormPage(response.content.decode())
    assert [field] == list(form.errors)
    assert message in form.errors[field][0]
    for name in ("name", "email", "homepage", "body"):
        assert form.values[name] == typed[name]
    assert ("notify_replies" in form.checked) == ("notify_replies" in typed)
    assert form.inputs[field].get("aria-invalid") == "true"
    assert [name for name, attrs in form.inputs.items() if "autofocus" in attrs] == [field]


def test_limits_follow_the_settings(nadia: Client, article: Article, settings: Any) -> None:
    settings.COMMENT_NAME_MAX_LENGTH = 10
    settings.COMMENT_BODY_MAX_LENGTH = 20

    response = post_comment(nadia, article, **as_nadia("x" * 21, name="Nadia Holmberg"))

    form = FormPage(response.content.decode())
    assert form.errors["name"] == ["Please keep your name to 10 characters (it has 14)."]
    assert form.errors["body"] == ["Please keep your comment to 20 characters (it has 21)."]
    assert Comment.objects.count() == 0


def test_a_name_and_body_of_exactly_the_limit_are_accepted(nadia: Client, article: Article) -> None:
    name = "Nadia " + "H" * 54
    body = "b" * 10_000
    response = post_comment(nadia, article, **as_nadia(body, name=name))

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.name, comment.body_source) == (name, body)


@pytest.mark.parametrize(
    "name",
    [
        "Edith Okafor",
        "edith okafor",
        "  Edith   Okafor ",
        "Еdith Оkafor",  # Cyrillic Е and О
        "edith",  # the username
    ],
)
def test_a_visitor_cannot_pass_for_a_member_of_staff(
    nadia: Client, article: Article, editor: User, name: str
) -> None:
    response = post_comment(
        nadia, article, **as_nadia("Official notice: buses restored.", name=name)
    )

    assert response.status_code == 400
    assert Comment.objects.count() == 0
    form = FormPage(response.content.decode())
    assert form.errors["name"] == [
        "That name belongs to a member of staff. Please use your own name."
    ]
    assert form.values["body"] == "Official notice: buses restored."


def test_a_name_merely_like_a_staff_members_is_fine(
    nadia: Client, article: Article, editor: User
) -> None:
    response = post_comment(nadia, article, **as_nadia("Not that Edith.", name="Edith Morgan"))

    assert response.status_code == 302
    assert Comment.objects.get().name == "Edith Morgan"


def test_a_staff_member_signed_in_posts_under_their_own_name(
    article: Article, editor: User
) -> None:
    client = Client()
    client.force_login(confirm_account(editor))

    response = post_comment(client, article, body="Editor's note: we have asked the council.")

    assert response.status_code == 302
    assert Comment.objects.get().name == "Edith Okafor"


# Double submits ---------------------------------------------------------------------------


def test_a_double_submit_within_a_minute_stores_one_comment(
    nadia: Client, article: Article
) -> None:
    fields = as_nadia("Pressed twice by accident.")
    first = post_comment(nadia, article, **fields)
    second = post_comment(nadia, article, **fields)

    [comment] = Comment.objects.all()
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"]
        == second["Location"]
        == (f"{article.get_absolute_url()}#comment-{comment.pk}")
    )


def test_a_double_submit_by_a_signed_in_reader_stores_one_comment(
    rita: Client, article: Article
) -> None:
    first = post_comment(rita, article, body="Twice, sorry.")
    second = post_comment(rita, article, body="Twice, sorry.")

    assert Comment.objects.count() == 1
    assert first["Location"] == second["Location"]
    article.refresh_from_db()
    assert article.comment_count == 1


def test_the_same_words_after_the_window_are_a_new_comment(nadia: Client, article: Article) -> None:
    fields = as_nadia("Still waiting for an answer.")
    post_comment(nadia, article, **fields)
    Comment.objects.update(created_at=timezone.now() - dt.timedelta(seconds=61))

    second = post_comment(nadia, article, **fields)

    assert Comment.objects.count() == 2
    newest = Comment.objects.latest("pk")
    assert second["Location"].endswith(f"#comment-{newest.pk}")


def test_the_same_words_from_someone_else_are_their_own_comment(
    nadia: Client, tomasz: Client, article: Article
) -> None:
    post_comment(nadia, article, **as_nadia("Agreed."))
    post_comment(tomasz, article, **TOMASZ, body="Agreed.")

    assert sorted(Comment.objects.values_list("name", flat=True)) == [
        "Nadia Holm",
        "Tomasz Wierzba",
    ]


def test_the_same_reply_to_two_different_comments_is_stored_twice(
    nadia: Client, article: Article, settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    post_comment(nadia, article, **as_nadia("The N29 is going."))
    post_comment(nadia, article, **as_nadia("So is the N31."))
    first, second = Comment.objects.order_by("pk")

    post_comment(nadia, article, **as_nadia("Thanks!", parent=str(first.pk)))
    post_comment(nadia, article, **as_nadia("Thanks!", parent=str(second.pk)))

    replies = Comment.objects.filter(body_source="Thanks!").order_by("pk")
    assert [reply.parent_id for reply in replies] == [first.pk, second.pk]


# Replies ------------------------------------------------------------------------------------


def test_a_reply_is_stored_under_its_parent(
    nadia: Client, tomasz: Client, article: Article, settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    post_comment(nadia, article, **as_nadia("Who decided this?"))
    parent = Comment.objects.get()

    response = post_comment(tomasz, article, **TOMASZ, body="The operator did.", parent=parent.pk)

    reply = Comment.objects.latest("pk")
    assert (reply.parent, reply.thread, reply.depth) == (parent, parent, 1)
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    html = page_of(nadia, article)
    assert html.index("Who decided this?") < html.index("The operator did.")
    assert '<ol class="comment-list replies">' in html


def test_a_reply_to_a_comment_on_another_article_is_refused(
    nadia: Client, tomasz: Client, article: Article, settings: Any
) -> None:
    settings.COMMENTS_HOLD_ANONYMOUS = False
    elsewhere = make_article("Library opening hours extended")
    post_comment(nadia, elsewhere, **as_nadia("Good news for students."))
    other = Comment.objects.get()

    response = post_comment(tomasz, article, **TOMASZ, body="Crossed wires.", parent=other.pk)

    assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_a_reply_to_someone_elses_held_comment_is_refused(
    nadia: Client, tomasz: Client, article: Article
) -> None:
    post_comment(nadia, article, **as_nadia("Held for now."))
    held = Comment.objects.get()

    response = post_comment(tomasz, article, **TOMASZ, body="Replying blind.", parent=held.pk)

    assert response.status_code == 404
    assert Comment.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    # SQLite's test database is in memory with a shared cache, where a second writer fails
    # with "table is locked" at once instead of waiting as it does on the real file.
    reason="concurrent writers need PostgreSQL's test database",
)
@pytest.mark.django_db(transaction=True)
def test_two_presses_of_save_at_the_same_moment_store_one_comment(article: Article) -> None:
    # Two requests racing through the duplicate check, each on its own connection: the
    # article row lock makes the second wait, then find the first one's comment.
    fields = as_nadia("Sent from a shaky connection.")
    start = threading.Barrier(2)
    locations: list[str] = []

    def press_save() -> None:
        try:
            client = Client()
            start.wait(timeout=10)
            locations.append(post_comment(client, article, **fields)["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=press_save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    [comment] = Comment.objects.all()
    assert locations == [f"{article.get_absolute_url()}#comment-{comment.pk}"] * 2
