"""How comments are shown under an article: the "Submitted by" line, the body, who sees
which comment, the comments modes, the markup for screen readers and the page's queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import refresh_comment_count, set_status
from broadsheet.publishing.models import Article
from tests.helpers import (
    at,
    body_of,
    comments_section,
    make_article,
    make_comment,
    page_of,
    post_form,
    shown_comments,
    shown_ids,
    submitted_lines,
)

pytestmark = pytest.mark.django_db

SATURDAY_EVENING = dt.datetime(2019, 12, 7, 17, 54, tzinfo=dt.UTC)


# The "Submitted by" line ---------------------------------------------------------------


def test_anonymous_unconfirmed_commenter_is_marked_not_verified(client: Client) -> None:
    article = make_article("Night buses cut from the timetable")
    make_comment(article, name="Morwenna Tate", created_at=SATURDAY_EVENING)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert submitted_lines(response) == [
        "Submitted by Morwenna Tate (not verified) on Sat, 07/12/2019 - 17:54"
    ]


def test_registered_and_confirmed_commenters_are_shown_without_the_mark(
    client: Client, reader: User
) -> None:
    article = make_article("Night buses cut from the timetable")
    make_comment(article, name=reader.public_name, user=reader, created_at=SATURDAY_EVENING)
    make_comment(
        article,
        name="Joaquim Peralta",
        email="joaquim@example.net",
        email_confirmed=True,
        created_at=SATURDAY_EVENING + dt.timedelta(minutes=3),
    )

    response = client.get(article.get_absolute_url())

    assert submitted_lines(response) == [
        "Submitted by Rita Campbell on Sat, 07/12/2019 - 17:54",
        "Submitted by Joaquim Peralta on Sat, 07/12/2019 - 17:57",
    ]


def test_the_date_is_shown_in_the_sites_time_zone(client: Client, settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Lisbon"
    article = make_article()
    # 23:30 UTC on 30 June is 00:30 on 1 July in Lisbon (summer time, UTC+1).
    make_comment(article, created_at=dt.datetime(2023, 6, 30, 23, 30, tzinfo=dt.UTC))

    response = client.get(article.get_absolute_url())

    assert submitted_lines(response) == [
        "Submitted by Morwenna Tate (not verified) on Sat, 01/07/2023 - 00:30"
    ]


def test_the_date_format_follows_the_setting(client: Client, settings: Any) -> None:
    settings.COMMENT_DATE_FORMAT = "j M Y, H:i"
    article = make_article()
    make_comment(article, created_at=SATURDAY_EVENING)

    response = client.get(article.get_absolute_url())

    assert submitted_lines(response) == [
        "Submitted by Morwenna Tate (not verified) on 7 Dec 2019, 17:54"
    ]


def test_a_homepage_links_the_name_as_user_content(client: Client) -> None:
    article = make_article()
    make_comment(article, name="Priya Castellanos", homepage="https://castellanos.example/")
    make_comment(article, name="Ossian Brandt", created_at=timezone.now())

    html = client.get(article.get_absolute_url()).content.decode()

    assert (
        'Submitted by <a href="https://castellanos.example/" rel="nofollow ugc noopener">'
        "Priya Castellanos</a> (not verified) on" in html
    )
    assert "Submitted by Ossian Brandt (not verified) on" in html


def test_names_are_escaped(client: Client) -> None:
    article = make_article()
    make_comment(article, name="<b>Loud</b> & Proud")

    response = client.get(article.get_absolute_url())

    assert submitted_lines(response)[0].startswith("Submitted by <b>Loud</b> & Proud (not")
    assert "&lt;b&gt;Loud&lt;/b&gt; &amp; Proud" in response.content.decode()


# The body --------------------------------------------------------------------------------


def test_body_keeps_the_safe_markdown_subset(client: Client) -> None:
    article = make_article()
    comment = make_comment(
        article,
        body=(
            "I *strongly* disagree, see [the minutes](https://council.example/minutes).\n\n"
            "> The committee noted the objection.\n\n"
            "- first point\n- second point\n\n"
            "Run `make quiet` instead."
        ),
    )

    body = body_of(client.get(article.get_absolute_url()), comment)

    assert [e.text for e in body.find_all("em")] == ["strongly"]
    links = body.find_all("a")
    assert [(a.attrs["href"], a.attrs["rel"], a.text) for a in links] == [
        ("https://council.example/minutes", "nofollow ugc noopener", "the minutes")
    ]
    quote = body.find("blockquote")
    assert quote is not None and quote.text == "The committee noted the objection."
    assert [li.text for li in body.find_all("li")] == ["first point", "second point"]
    assert [c.text for c in body.find_all("code")] == ["make quiet"]


def test_body_shows_headings_images_and_html_as_plain_text(client: Client) -> None:
    article = make_article()
    comment = make_comment(
        article,
        body=(
            "# Shouting headline\n\n"
            "![a cat](https://cats.example/cat.png)\n\n"
            '<script>alert("gotcha")</script> <img src=x onerror=alert(1)>'
        ),
    )

    response = client.get(article.get_absolute_url())
    body = body_of(response, comment)

    assert not [e for e in body.iter() if e.tag in {"h1", "h2", "img", "script"}]
    assert "# Shouting headline" in body.text
    assert '<script>alert("gotcha")</script>' in body.text
    assert "<img src=x onerror=alert(1)>" in body.text
    # The image syntax leaves at most a link to the picture, never the picture itself.
    assert [(a.attrs["href"], a.attrs["rel"]) for a in body.find_all("a")] == [
        ("https://cats.example/cat.png", "nofollow ugc noopener")
    ]


def test_link_with_a_script_url_is_not_a_link(client: Client) -> None:
    article = make_article()
    comment = make_comment(article, body="[click me](javascript:alert(1))")

    body = body_of(client.get(article.get_absolute_url()), comment)

    assert not [a for a in body.find_all("a") if "javascript" in a.attrs.get("href", "")]


# Who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [Comment.Status.HELD, Comment.Status.SPAM, Comment.Status.DELETED]
)
def test_unpublished_comments_are_not_shown_to_readers(
    client: Client, reader_client: Client, status: str
) -> None:
    article = make_article()
    shown = make_comment(article, body="This one is fine.", created_at=at(1))
    make_comment(article, body="Buy cheap watches here.", status=status, created_at=at(2))

    for visitor in (client, reader_client):
        response = visitor.get(article.get_absolute_url())
        assert shown_ids(response) == [shown.pk]
        assert "cheap watches" not in response.content.decode()
        assert "This comment has been removed." not in response.content.decode()


def test_held_comment_is_shown_only_in_the_browser_that_posted_it(client: Client) -> None:
    article = make_article("Library opening hours to shrink")
    make_comment(article, name="Ossian Brandt", body="Already published.", created_at=at(1))

    response = post_form(client, article, name="Hedda Lindqvist", body="They *cannot* do this.")
    assert response.status_code == 302
    held = Comment.objects.get(name="Hedda Lindqvist")
    assert held.status == Comment.Status.HELD

    own_view = client.get(response["Location"])
    assert [line.split(" on ")[0] for line in submitted_lines(own_view)] == [
        "Submitted by Ossian Brandt (not verified)",
        "Submitted by Hedda Lindqvist (not verified)",
    ]
    held_article = shown_comments(own_view)[1]
    assert "comment-held" in held_article.classes
    note = held_article.find("p", "held-note")
    assert note is not None
    assert note.text == "Your comment is waiting for a moderator. Only you can see it."
    assert body_of(own_view, held).find("em") is not None
    # Only published comments are counted, and a held one cannot be replied to yet.
    heading = page_of(own_view).by_id("comments-heading")
    assert heading is not None and heading.text == "Comments (1)"
    assert held_article.find("a", "reply-link") is None

    someone_else = Client()
    other_view = someone_else.get(article.get_absolute_url())
    assert [line.split(" on ")[0] for line in submitted_lines(other_view)] == [
        "Submitted by Ossian Brandt (not verified)"
    ]
    assert "They <em>cannot</em> do this." not in other_view.content.decode()


def test_own_held_comment_disappears_once_marked_as_spam(client: Client) -> None:
    article = make_article()
    post_form(client, article, name="Hedda Lindqvist", body="Visit my shop.")
    held = Comment.objects.get(name="Hedda Lindqvist")

    set_status(held, Comment.Status.SPAM)

    assert shown_ids(client.get(article.get_absolute_url())) == []


def test_deleted_parent_with_replies_leaves_a_placeholder(client: Client) -> None:
    article = make_article()
    parent = make_comment(article, name="Ossian Brandt", body="Something libellous.")
    reply = make_comment(
        article,
        parent=parent,
        name="Hedda Lindqvist",
        body="I disagree with that.",
        created_at=at(5),
    )
    set_status(parent, Comment.Status.DELETED)

    response = client.get(article.get_absolute_url())

    section = comments_section(response)
    assert section is not None
    placeholder = section.by_id(parent.anchor)
    assert placeholder is not None and placeholder.tag == "p"
    assert placeholder.text == "This comment has been removed."
    assert shown_ids(response) == [reply.pk]
    assert "libellous" not in response.content.decode()
    assert "Ossian Brandt" not in response.content.decode()
    # The reply stays nested under the placeholder's place in the thread.
    li = placeholder.parent
    assert li is not None and li.find("article", "comment") is section.by_id(reply.anchor)


def test_deleting_a_comments_row_removes_its_replies_too(client: Client) -> None:
    article = make_article()
    root = make_comment(article, name="Priya Castellanos", created_at=at(0))
    middle = make_comment(article, parent=root, name="Ossian Brandt", created_at=at(1))
    reply = make_comment(article, parent=middle, name="Hedda Lindqvist", created_at=at(2))

    middle.delete()  # as from the admin; moderators remove by status instead

    response = client.get(article.get_absolute_url())
    assert shown_ids(response) == [root.pk]
    assert not Comment.objects.filter(pk=reply.pk).exists()


def test_thread_of_only_deleted_comments_is_not_shown_at_all(client: Client) -> None:
    article = make_article()
    parent = make_comment(article, name="Ossian Brandt", status=Comment.Status.DELETED)
    make_comment(article, parent=parent, status=Comment.Status.SPAM, created_at=at(3))

    response = client.get(article.get_absolute_url())

    assert "This comment has been removed." not in response.content.decode()
    assert shown_ids(response) == []


# Comments modes ------------------------------------------------------------------------


def test_hidden_mode_shows_no_comments_and_no_form(client: Client) -> None:
    article = make_article(comments_mode=Article.Comments.HIDDEN)
    make_comment(article, body="Shown before the editor hid them.")

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert comments_section(response) is None
    assert "Shown before the editor hid them." not in html
    assert 'class="comment-form"' not in html
    assert "Add new comment" not in html


def test_closed_mode_shows_comments_but_no_form(client: Client) -> None:
    article = make_article(comments_mode=Article.Comments.CLOSED)
    comment = make_comment(article, body="Said before closing time.")

    response = client.get(article.get_absolute_url())

    section = comments_section(response)
    assert section is not None
    assert shown_ids(response) == [comment.pk]
    closed = section.find("p", "comments-closed")
    assert closed is not None and closed.text == "Comments on this article are closed."
    assert section.find("form") is None
    assert section.find("a", "reply-link") is None


def test_comments_close_after_the_configured_days(client: Client, settings: Any) -> None:
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    article = make_article(published_at=timezone.now() - dt.timedelta(days=15))
    make_comment(article)

    section = comments_section(client.get(article.get_absolute_url()))

    assert section is not None and section.find("form") is None
    assert "Comments on this article are closed." in section.text


def test_open_article_without_comments_shows_the_form(client: Client) -> None:
    article = make_article()

    section = comments_section(client.get(article.get_absolute_url()))

    assert section is not None
    heading = section.by_id("comments-heading")
    assert heading is not None and heading.text == "Comments"
    form = section.find("form", "comment-form")
    assert form is not None and form.attrs["action"] == f"/articles/{article.slug}/comment/"


# Markup for assistive technology -------------------------------------------------------


def test_comments_are_labelled_articles_under_a_heading(client: Client) -> None:
    article = make_article()
    first = make_comment(article, name="Priya Castellanos", created_at=at(1))
    make_comment(article, name="Ossian Brandt", parent=first, created_at=at(2))

    response = client.get(article.get_absolute_url())

    section = comments_section(response)
    assert section is not None and section.tag == "section"
    heading = section.by_id(section.attrs["aria-labelledby"])
    assert heading is not None and heading.tag == "h2" and heading.text == "Comments (2)"
    comments = shown_comments(response)
    assert len(comments) == 2
    for comment in comments:
        assert comment.tag == "article"
        label = section.by_id(comment.attrs["aria-labelledby"])
        assert label is not None and label.text.startswith("Submitted by ")
    reply_links = [c.find("a", "reply-link") for c in comments]
    hidden = [link.find("span", "visually-hidden") if link else None for link in reply_links]
    assert [h.text if h else None for h in hidden] == ["to Priya Castellanos", "to Ossian Brandt"]
    assert [link.text if link else None for link in reply_links] == [
        "Reply to Priya Castellanos",
        "Reply to Ossian Brandt",
    ]


# Queries -------------------------------------------------------------------------------


def _bulk_threads(article: Article, threads: int) -> None:
    """`threads` threads of five comments each: a root, a chain of replies three deep and a
    second reply to the root, stored with bulk_create like an import would."""
    roots = Comment.objects.bulk_create(
        Comment(
            article=article,
            name=f"Commenter {n}",
            body_source=f"Opening remark {n}.",
            body_html=f"<p>Opening remark {n}.</p>",
            status=Comment.Status.PUBLISHED,
            created_at=at(n),
        )
        for n in range(threads)
    )
    Comment.objects.filter(pk__in=[r.pk for r in roots]).update(thread_id=F("pk"))
    level = roots
    for depth in (1, 2, 3):
        level = Comment.objects.bulk_create(
            Comment(
                article=article,
                parent=above,
                thread_id=above.thread_id or above.pk,
                depth=depth,
                name=f"Replier {depth}",
                body_source="Fair point.",
                body_html="<p>Fair point.</p>",
                status=Comment.Status.PUBLISHED,
                created_at=above.created_at + dt.timedelta(seconds=depth),
            )
            for above in level
        )
    Comment.objects.bulk_create(
        Comment(
            article=article,
            parent=root,
            thread_id=root.pk,
            depth=1,
            name="Second replier",
            body_source="Also this.",
            body_html="<p>Also this.</p>",
            status=Comment.Status.PUBLISHED,
            created_at=root.created_at + dt.timedelta(seconds=30),
        )
        for root in roots
    )
    refresh_comment_count(article.pk)


@pytest.mark.parametrize(
    ("visitor", "most_queries"),
    [
        ("anonymous", 8),
        ("own held comment", 8),
        # Two more: the user, and the permission check for the editor's "Edit" link.
        ("signed-in reader", 10),
    ],
)
def test_article_page_queries_do_not_grow_with_comments(
    visitor: str, most_queries: int, reader: User, django_assert_max_num_queries: Any
) -> None:
    small, large = make_article("Ten comments"), make_article("Five hundred comments")
    _bulk_threads(small, 2)
    _bulk_threads(large, 100)
    assert Comment.objects.filter(article=small).count() == 10
    assert Comment.objects.filter(article=large).count() == 500

    browser = Client()
    if visitor == "own held comment":
        for article in (small, large):
            # A held reply in the first thread, so it is on the page measured.
            first = Comment.objects.filter(article=article, depth=0).earliest("created_at")
            post_form(browser, article, parent=first.pk, body=f"Held on {article.title}.")
            assert Comment.objects.get(article=article, parent=first, status="held")
    elif visitor == "signed-in reader":
        browser.force_login(reader)

    counts = []
    for article in (small, large):
        with django_assert_max_num_queries(most_queries) as captured:
            response = browser.get(article.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
        article.refresh_from_db()
        held = 1 if visitor == "own held comment" else 0
        per_page = min(article.comment_count, 50 * 5)
        assert len(shown_comments(response)) == per_page + held
    assert counts[0] == counts[1]
