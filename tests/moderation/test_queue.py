"""The moderation queue as Morgan uses it: what each held comment shows, the filters, the
actions on one comment and on a selection, and banning a commenter for a while or for good.

The commenters: Morwenna (morwenna@example.net, the default of `held_comment()`), Pavel
(a link spammer) and Quentin (a regular whose earlier comments were published).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.lib.addresses import address_hash
from broadsheet.moderation.models import Ban, FilterDecision, ModerationLogEntry
from broadsheet.moderation.services import active_ban_for, is_banned
from broadsheet.publishing.models import Article
from tests.helpers import (
    TEST_CLIENT_ADDRESS,
    at,
    held_comment,
    make_article,
    make_comment,
    page_of,
    post_form,
    shown_ids,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("moderation:queue")
ACT = reverse("moderation:act")
PAVEL_ADDRESS = address_hash("203.0.113.99")


# Reading the queue page -----------------------------------------------------------------


def queued_ids(response: HttpResponse) -> list[int]:
    rows = page_of(response).find_all("article", "queued-comment")
    return [int(row.attrs["id"].removeprefix("queued-")) for row in rows]


def detail(response: HttpResponse, comment: Comment, name: str) -> str:
    """The text of one detail of a queued comment: status, email, homepage, score,
    reasons or history."""
    row = page_of(response).by_id(f"queued-{comment.pk}")
    assert row is not None, f"comment {comment.pk} is not in the queue"
    element = row.find("dd", f"queue-{name}")
    assert element is not None
    return element.text


def reasons(response: HttpResponse, comment: Comment) -> list[str]:
    row = page_of(response).by_id(f"queued-{comment.pk}")
    assert row is not None
    listed = row.find("dd", "queue-reasons")
    assert listed is not None
    return [item.text for item in listed.find_all("li")]


def heading(response: HttpResponse, comment: Comment) -> str:
    row = page_of(response).by_id(f"queued-{comment.pk}-heading")
    assert row is not None
    return row.text


def messages_shown(response: HttpResponse) -> list[str]:
    return [p.text for p in page_of(response).find_all("p", "message")]


def reader_sees(article: Article) -> list[int]:
    """The comment ids an anonymous visitor sees under the article."""
    return shown_ids(Client().get(article.get_absolute_url()))


def act(client: Client, comments: list[Comment], action: str, **extra: Any) -> HttpResponse:
    data = {"comments": [c.pk for c in comments], "action": action, "next": QUEUE, **extra}
    response: HttpResponse = client.post(ACT, data, follow=True)
    return response


# What the queue shows -------------------------------------------------------------------


def test_held_comments_newest_first_with_what_a_moderator_needs(moderator_client: Client) -> None:
    estate = make_article("Tenants organise on the estate")
    library = make_article("The library stays open")
    oldest = held_comment(estate, created_at=at(1))
    spammy = held_comment(
        library,
        name="Pavel Spamsky",
        email="pavel@example.com",
        homepage="https://cheap-watches.example/",
        held_reasons=["links", "too-fast", "filter-likely-spam", "carrier-pigeon"],
        spam_score=0.8749,
        address_hash=PAVEL_ADDRESS,
        created_at=at(3),
    )
    unscored = held_comment(estate, name="Quentin Adeyemi", spam_score=None, created_at=at(2))
    make_comment(estate, created_at=at(4))  # published: not in the queue

    response = moderator_client.get(QUEUE)

    assert response.status_code == 200
    assert queued_ids(response) == [spammy.pk, unscored.pk, oldest.pk]
    assert heading(response, spammy).startswith("Pavel Spamsky on The library stays open")
    assert detail(response, spammy, "email") == "pavel@example.com"
    assert detail(response, spammy, "homepage") == "https://cheap-watches.example/"
    assert detail(response, oldest, "homepage") == "none given"
    assert detail(response, spammy, "status") == "Held for review"
    assert detail(response, spammy, "score").startswith("0.87, most swayed by ")
    assert detail(response, unscored, "score").startswith("—")
    assert reasons(response, spammy) == [
        "Many links",
        "Sent too soon after the form was shown",
        "The spam filter thinks it is likely spam",
        "carrier-pigeon",
    ]
    assert detail(response, oldest, "reasons") == (
        "Held by the site's policy (unverified commenter)"
    )
    count = page_of(response).find("p", "result-count")
    assert count is not None and count.text == "3 comments · Held for review"


def test_the_commenters_earlier_comments_by_email_or_address(moderator_client: Client) -> None:
    article = make_article()
    quentin = {"email": "quentin@example.org", "address_hash": address_hash("192.0.2.10")}
    make_comment(article, email="Quentin@Example.org", created_at=at(1))  # same address, other case
    make_comment(article, **quentin, created_at=at(2))
    make_comment(article, email="q@elsewhere.example", address_hash=quentin["address_hash"],
                 status=Comment.Status.SPAM, created_at=at(3))  # fmt: skip
    make_comment(article, email="someone@example.org", created_at=at(4))  # someone else
    now = held_comment(article, name="Quentin Adeyemi", **quentin, created_at=at(5))
    held_comment(article, **quentin, created_at=at(6))  # later: not "earlier"
    newcomer = held_comment(article, email="new@example.org", address_hash="", created_at=at(7))

    response = moderator_client.get(QUEUE)

    assert detail(response, now, "history") == (
        "3 from the same e-mail or client address (2 published)"
    )
    assert detail(response, newcomer, "history") == "None from the same e-mail or client address"


def test_the_queue_takes_the_same_number_of_queries_for_5_or_40_comments(
    moderator_client: Client, django_assert_max_num_queries: Any
) -> None:
    articles = [make_article(f"Article {n}") for n in range(3)]
    for count in (5, 40):
        while Comment.objects.filter(status=Comment.Status.HELD).count() < count:
            n = Comment.objects.count()
            held_comment(
                articles[n % 3],
                email=f"commenter{n % 7}@example.org",
                address_hash=address_hash(f"198.51.100.{n % 5}"),
                held_reasons=["links", "too-fast"],
            )
        with django_assert_max_num_queries(12):
            response = moderator_client.get(QUEUE)
        assert len(queued_ids(response)) == count


# Filters ----------------------------------------------------------------------------------


def test_the_default_view_leaves_out_spam_and_the_status_filter_shows_it(
    moderator_client: Client,
) -> None:
    article = make_article()
    held = held_comment(article, created_at=at(1))
    discarded = held_comment(
        article,
        status=Comment.Status.SPAM,
        held_reasons=["filter-spam"],
        spam_score=0.99,
        created_at=at(2),
    )
    published = make_comment(article, created_at=at(3))
    deleted = make_comment(article, status=Comment.Status.DELETED, created_at=at(4))

    assert queued_ids(moderator_client.get(QUEUE)) == [held.pk]
    spam_page = moderator_client.get(QUEUE, {"status": "spam"})
    assert queued_ids(spam_page) == [discarded.pk]
    assert detail(spam_page, discarded, "reasons") == "The spam filter is sure it is spam"
    assert queued_ids(moderator_client.get(QUEUE, {"status": "published"})) == [published.pk]
    assert queued_ids(moderator_client.get(QUEUE, {"status": "deleted"})) == [deleted.pk]
    assert queued_ids(moderator_client.get(QUEUE, {"status": "all"})) == [
        deleted.pk,
        published.pk,
        discarded.pk,
        held.pk,
    ]


def test_filter_by_article_and_by_reason(moderator_client: Client) -> None:
    estate = make_article("Tenants organise on the estate")
    library = make_article("The library stays open")
    links = held_comment(estate, held_reasons=["moderation-policy", "links"], created_at=at(1))
    fast = held_comment(estate, held_reasons=["too-fast"], created_at=at(2))
    elsewhere = held_comment(library, held_reasons=["links"], created_at=at(3))

    by_article = moderator_client.get(QUEUE, {"article": estate.pk})
    assert queued_ids(by_article) == [fast.pk, links.pk]
    assert queued_ids(moderator_client.get(QUEUE, {"reason": "links"})) == [elsewhere.pk, links.pk]
    both = moderator_client.get(QUEUE, {"article": estate.pk, "reason": "links"})
    assert queued_ids(both) == [links.pk]
    # The article menu offers the articles with comments in the chosen status.
    menu = page_of(by_article).by_id("id_article")
    assert menu is not None
    assert [o.text for o in menu.find_all("option")] == [
        "All articles",
        "The library stays open",
        "Tenants organise on the estate",
    ]


# Actions on one comment -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "before", "after", "shown_after", "learned", "message"),
    [
        ("approve", "held", "published", True, "ham", "Approved 1 comment."),
        ("spam", "published", "spam", False, "spam", "Marked 1 comment as spam."),
        ("delete", "published", "deleted", False, None, "Deleted 1 comment."),
        ("unpublish", "published", "held", False, None, "Unpublished 1 comment."),
    ],
)
def test_an_action_on_one_comment(
    moderator_client: Client,
    moderator: User,
    action: str,
    before: str,
    after: str,
    shown_after: bool,
    learned: str | None,
    message: str,
) -> None:
    article = make_article()
    comment = held_comment(article, status=before)
    assert (comment.pk in reader_sees(article)) == (before == "published")

    response = act(moderator_client, [comment], action, reason="Checked the thread")

    assert response.redirect_chain == [(QUEUE, 302)]
    assert messages_shown(response) == [message]
    comment.refresh_from_db()
    assert comment.status == after
    entry = ModerationLogEntry.objects.get(comment=comment, action=action)
    assert (entry.actor, entry.reason) == (moderator, "Checked the thread")
    assert entry.details["previous_status"] == before
    assert (comment.pk in reader_sees(article)) == shown_after
    article.refresh_from_db()
    assert article.comment_count == (1 if shown_after else 0)
    decision = FilterDecision.objects.filter(comment=comment).first()
    assert (decision.label if decision else None) == learned


def test_approving_from_the_queue_row_puts_the_comment_on_the_article_page(
    moderator_client: Client,
) -> None:
    article = make_article()
    comment = held_comment(article)
    # The row's own form, as the queue renders it.
    form = page_of(moderator_client.get(QUEUE)).by_id(f"queued-{comment.pk}").find("form")  # type: ignore[union-attr]
    assert form is not None and form.attrs["action"] == ACT
    hidden = {
        i.attrs["name"]: i.attrs["value"] for i in form.find_all("input") if "value" in i.attrs
    }
    buttons = [b.attrs["value"] for b in form.find_all("button")]
    assert buttons == ["approve", "spam", "delete"]

    response = moderator_client.post(ACT, {**hidden, "action": "approve"})

    assert response.status_code == 302 and response["Location"] == QUEUE
    assert reader_sees(article) == [comment.pk]
    heading = page_of(Client().get(article.get_absolute_url())).by_id("comments-heading")
    assert heading is not None and heading.text == "Comments (1)"


def test_redirects_back_to_next_only_within_the_site(moderator_client: Client) -> None:
    article = make_article()
    first, second = held_comment(article), held_comment(article)
    back = f"{QUEUE}?reason=links"
    response = moderator_client.post(
        ACT, {"comments": [first.pk], "action": "approve", "next": back}
    )
    assert response["Location"] == back
    response = moderator_client.post(
        ACT, {"comments": [second.pk], "action": "approve", "next": "https://evil.example/"}
    )
    assert response["Location"] == QUEUE


# Actions on a selection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "after", "message"),
    [
        ("approve", "published", "Approved 2 comments."),
        ("spam", "spam", "Marked 2 comments as spam."),
        ("delete", "deleted", "Deleted 2 comments."),
    ],
)
def test_an_action_on_a_selection(
    moderator_client: Client, moderator: User, action: str, after: str, message: str
) -> None:
    article = make_article()
    chosen = [held_comment(article, created_at=at(1)), held_comment(article, created_at=at(2))]
    left = held_comment(article, created_at=at(3))

    response = act(moderator_client, chosen, action, reason="Tidying up", scope="selected")

    assert messages_shown(response) == [message]
    assert [c.status for c in Comment.objects.filter(pk__in=[c.pk for c in chosen])] == [after] * 2
    left.refresh_from_db()
    assert left.status == Comment.Status.HELD
    entries = ModerationLogEntry.objects.filter(action=action).order_by("comment_ref")
    assert [(e.comment_ref, e.actor, e.reason) for e in entries] == [
        (c.pk, moderator, "Tidying up") for c in chosen
    ]
    assert sorted(reader_sees(article)) == ([c.pk for c in chosen] if after == "published" else [])
    article.refresh_from_db()
    assert article.comment_count == (2 if after == "published" else 0)
    if action in ("approve", "spam"):
        labels = set(FilterDecision.objects.values_list("label", flat=True))
        assert labels == {"ham" if action == "approve" else "spam"}


def test_apply_to_all_shown_needs_no_ticking(moderator_client: Client) -> None:
    article = make_article()
    held = [held_comment(article, created_at=at(n)) for n in range(3)]
    spam = held_comment(article, status=Comment.Status.SPAM, created_at=at(4))
    page = page_of(moderator_client.get(QUEUE))
    bulk = page.by_id("bulk-actions")
    assert bulk is not None
    shown = [i.attrs["value"] for i in bulk.find_all("input") if i.attrs.get("name") == "shown"]
    assert shown == [str(c.pk) for c in reversed(held)]
    # Each row's checkbox belongs to the bulk form, and has a label.
    for comment in held:
        box = page.by_id(f"select-{comment.pk}")
        assert box is not None and box.attrs["form"] == "bulk-actions"
        assert any(
            label.attrs.get("for") == f"select-{comment.pk}" for label in page.find_all("label")
        )

    response = moderator_client.post(
        ACT, {"shown": shown, "action": "approve", "scope": "shown", "next": QUEUE}, follow=True
    )

    assert messages_shown(response) == ["Approved 3 comments."]
    assert sorted(reader_sees(article)) == sorted(c.pk for c in held)
    spam.refresh_from_db()
    assert spam.status == Comment.Status.SPAM


def test_nothing_selected_changes_nothing(moderator_client: Client) -> None:
    article = make_article()
    comment = held_comment(article)
    response = moderator_client.post(
        ACT, {"shown": [comment.pk], "action": "approve", "scope": "selected"}, follow=True
    )
    assert messages_shown(response) == ["Select at least one comment first."]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert not ModerationLogEntry.objects.exists()


# Banning ----------------------------------------------------------------------------------


def test_ban_for_seven_days_from_the_ban_page(moderator_client: Client, moderator: User) -> None:
    article = make_article()
    comment = held_comment(
        article, name="Pavel Spamsky", email="Pavel@Example.com", address_hash=PAVEL_ADDRESS
    )
    ban_page = reverse("moderation:ban", args=[comment.pk])
    page = moderator_client.get(ban_page, {"next": QUEUE})
    assert page.status_code == 200
    assert "the e-mail address Pavel@Example.com" in page_of(page).text
    before = timezone.now()

    response = moderator_client.post(
        ban_page, {"expires": "7", "reason": "Watch adverts", "next": QUEUE}, follow=True
    )

    assert response.redirect_chain == [(QUEUE, 302)]
    assert messages_shown(response)[0].startswith("Banned the commenter of 1 comment until ")
    bans = {ban.kind: ban for ban in Ban.objects.all()}
    assert bans[Ban.Kind.EMAIL].value == "pavel@example.com"
    assert bans[Ban.Kind.ADDRESS].value == PAVEL_ADDRESS
    for ban in bans.values():
        assert ban.created_by == moderator and ban.reason == "Watch adverts"
        assert ban.expires_at is not None
        assert dt.timedelta(days=7) <= ban.expires_at - before < dt.timedelta(days=7, minutes=1)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.DELETED
    logged = ModerationLogEntry.objects.filter(comment=comment)
    assert {(e.action, e.actor, e.reason) for e in logged} >= {
        ("ban", moderator, "Watch adverts"),
        ("delete", moderator, "Watch adverts"),
    }
    listed = page_of(moderator_client.get(reverse("moderation:bans"))).find("table", "bans")
    assert listed is not None and "pavel@example.com" in listed.text


def test_a_ban_ends_by_itself_when_it_expires(
    moderator_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = make_article()
    comment = held_comment(article, email="pavel@example.com", address_hash=PAVEL_ADDRESS)
    moderator_client.post(reverse("moderation:ban", args=[comment.pk]), {"expires": "1"})
    assert active_ban_for("PAVEL@example.com", "") is not None
    assert active_ban_for("", PAVEL_ADDRESS) is not None
    assert is_banned("PAVEL@example.com", "") and is_banned("", PAVEL_ADDRESS)

    later = timezone.now() + dt.timedelta(days=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert active_ban_for("pavel@example.com", PAVEL_ADDRESS) is None
    # Screening's copy of the bans, kept since before: the ban ended with no change made.
    assert not is_banned("pavel@example.com", PAVEL_ADDRESS)
    page = page_of(moderator_client.get(reverse("moderation:bans")))
    assert "No active bans." in page.text
    assert page.by_id(f"ban-{Ban.objects.first().pk}") is not None  # type: ignore[union-attr]


def test_a_permanent_ban_of_a_selection_bans_each_commenter_once(
    moderator_client: Client,
) -> None:
    article = make_article()
    twice = [
        held_comment(article, email="pavel@example.com", address_hash=PAVEL_ADDRESS)
        for _ in range(2)
    ]
    other = held_comment(article, email="spam@example.net", address_hash="")

    response = act(moderator_client, [*twice, other], "ban", expires="permanent")

    assert messages_shown(response) == [
        "Banned the commenter of 3 comments for good (3 bans); the comments are deleted."
    ]
    assert sorted(Ban.objects.values_list("kind", "value", "expires_at")) == [
        ("address", PAVEL_ADDRESS, None),
        ("email", "pavel@example.com", None),
        ("email", "spam@example.net", None),
    ]
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.DELETED}
    assert ModerationLogEntry.objects.filter(action="delete").count() == 3


def test_a_comment_with_no_address_left_cannot_be_banned(moderator_client: Client) -> None:
    article = make_article()
    comment = held_comment(article, email="", address_hash="")
    ban_page = reverse("moderation:ban", args=[comment.pk])
    assert "nothing to ban" in page_of(moderator_client.get(ban_page)).text
    response = moderator_client.post(ban_page, {"expires": "7"})
    assert response.status_code == 400
    assert not Ban.objects.exists()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD


@pytest.mark.parametrize(
    ("banned", "later_email"),
    [
        # By e-mail (in another case), posting from another client address.
        ({"email": "pavel@example.com", "address_hash": ""}, "PAVEL@example.com"),
        # By client address: the test client's, with a new e-mail address.
        (
            {"email": "", "address_hash": address_hash(TEST_CLIENT_ADDRESS)},
            "pavel.again@example.net",
        ),
    ],
    ids=["by e-mail", "by address"],
)
def test_a_later_comment_from_the_banned_commenter_is_stored_as_spam(
    moderator_client: Client, client: Client, banned: dict[str, str], later_email: str
) -> None:
    article = make_article()
    comment = held_comment(article, **banned)
    moderator_client.post(reverse("moderation:ban", args=[comment.pk]), {"expires": "30"})
    assert Ban.objects.active().count() == 1

    post_form(client, article, name="Pavel", email=later_email)

    later = Comment.objects.exclude(pk=comment.pk).get()
    assert later.status == Comment.Status.SPAM
    assert "banned" in later.held_reasons
    assert later.pk not in reader_sees(article)
    assert queued_ids(moderator_client.get(QUEUE)) == []
    spam = moderator_client.get(QUEUE, {"status": "spam", "reason": "banned"})
    assert queued_ids(spam) == [later.pk]
    assert reasons(spam, later)[-1] == "From a banned e-mail address or client address"


# Scores and what swayed them ------------------------------------------------------------


def test_each_score_names_the_tokens_that_swayed_it_most(moderator_client: Client) -> None:
    article = make_article()
    pitch = held_comment(
        article,
        body="WIN a FREE prize now!!! Text CLAIM to 80086 or visit cheap-prizes dot com",
        spam_score=0.97,
        abuse_score=0.12,
    )

    response = moderator_client.get(QUEUE)

    spam = detail(response, pitch, "score")
    assert spam.startswith("0.97, most swayed by ")
    swayed = spam.removeprefix("0.97, most swayed by ").split(", ")
    assert 1 <= len(swayed) <= 4
    # Each as "token (+1.2)": the token from the comment itself, and its signed weight.
    assert all(part.rsplit(" (", 1)[1].rstrip(")")[0] in "+-" for part in swayed)
    assert detail(response, pitch, "abuse-score").startswith("0.12")


def test_the_queue_sorts_by_either_score(moderator_client: Client) -> None:
    article = make_article()
    mild = held_comment(article, spam_score=0.2, abuse_score=0.9, created_at=at(3))
    pitch = held_comment(article, spam_score=0.95, abuse_score=0.1, created_at=at(1))
    unscored = held_comment(article, spam_score=None, abuse_score=None, created_at=at(2))

    by_spam = moderator_client.get(QUEUE, {"order": "spam"})
    by_abuse = moderator_client.get(QUEUE, {"order": "abuse"})

    assert queued_ids(by_spam) == [pitch.pk, mild.pk, unscored.pk]
    assert queued_ids(by_abuse) == [mild.pk, pitch.pk, unscored.pk]
    assert queued_ids(moderator_client.get(QUEUE)) == [mild.pk, unscored.pk, pitch.pk]
