"""The moderation log: every action through the moderation pages leaves an entry (who,
what, which comment, when, why), and moderators can read and filter it.

Morgan and Nkechi both moderate; Nkechi ("nk") is set up here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.moderation.models import Ban, BlockedTerm, ModerationLogEntry
from broadsheet.moderation.services import ensure_moderators_group, log_action
from tests.helpers import held_comment, make_article, make_user, page_of

pytestmark = pytest.mark.django_db

LOG = reverse("moderation:log")


@pytest.fixture
def nkechi(db: None) -> User:
    user = make_user("nk", display_name="Nkechi Eze")
    user.groups.add(ensure_moderators_group())
    return user


def log_rows(response: HttpResponse) -> list[list[str]]:
    """The log table as a reader sees it: when, who, what, comment, why."""
    table = page_of(response).find("table", "moderation-log")
    if table is None:
        return []
    return [[cell.text for cell in row.find_all("td")] for row in table.find_all("tr", "log-entry")]


def shown_entry_ids(response: HttpResponse) -> list[int]:
    table = page_of(response).find("table", "moderation-log")
    assert table is not None
    return [int(row.attrs["id"].removeprefix("log-")) for row in table.find_all("tr", "log-entry")]


def messages_shown(response: HttpResponse) -> list[str]:
    return [p.text for p in page_of(response).find_all("p", "message")]


def test_actions_through_the_site_are_logged_and_listed(
    moderator_client: Client, moderator: User
) -> None:
    article = make_article("The library stays open")
    comment = held_comment(article, name="Morwenna Tate")
    moderator_client.post(
        reverse("moderation:act"),
        {"comments": [comment.pk], "action": "approve", "reason": "On topic"},
    )
    moderator_client.post(
        reverse("moderation:act"),
        {"comments": [comment.pk], "action": "delete", "reason": "Asked to be removed"},
    )

    rows = log_rows(moderator_client.get(LOG))

    comment_cell = f"#{comment.pk} by Morwenna Tate on The library stays open"
    assert [row[1:] for row in rows] == [
        ["Morgan Osei", "Deleted (was published)", comment_cell, "Asked to be removed"],
        ["Morgan Osei", "Approved (was held)", comment_cell, "On topic"],
    ]
    entry = ModerationLogEntry.objects.filter(action="delete").get()
    assert (entry.actor, entry.comment, entry.comment_ref) == (moderator, comment, comment.pk)
    when = timezone.localtime(entry.created_at)
    assert rows[0][0] == when.strftime("%a, %d/%m/%Y - %H:%M")


def test_filter_by_action_moderator_comment_and_date(
    moderator_client: Client, moderator: User, nkechi: User
) -> None:
    article = make_article()
    first, second = held_comment(article), held_comment(article)
    old = log_action(moderator, "approve", first, "old news")
    ModerationLogEntry.objects.filter(pk=old.pk).update(
        created_at=dt.datetime(2024, 3, 10, 23, 30, tzinfo=timezone.get_current_timezone())
    )
    by_morgan = log_action(moderator, "spam", second, "casino links")
    by_nkechi = log_action(nkechi, "approve", second, "not spam after all")

    assert shown_entry_ids(moderator_client.get(LOG)) == [by_nkechi.pk, by_morgan.pk, old.pk]
    assert shown_entry_ids(moderator_client.get(LOG, {"action": "approve"})) == [
        by_nkechi.pk,
        old.pk,
    ]
    assert shown_entry_ids(moderator_client.get(LOG, {"moderator": nkechi.pk})) == [by_nkechi.pk]
    assert shown_entry_ids(moderator_client.get(LOG, {"comment": second.pk})) == [
        by_nkechi.pk,
        by_morgan.pk,
    ]
    # Dates are days in the site's time zone, both ends included.
    one_day = {"since": "2024-03-10", "until": "2024-03-10"}
    assert shown_entry_ids(moderator_client.get(LOG, one_day)) == [old.pk]
    today = timezone.localdate().isoformat()
    assert shown_entry_ids(moderator_client.get(LOG, {"since": today})) == [
        by_nkechi.pk,
        by_morgan.pk,
    ]
    both = moderator_client.get(LOG, {"action": "approve", "since": today})
    assert shown_entry_ids(both) == [by_nkechi.pk]
    # The moderator menu names the people in the log.
    menu = page_of(both).by_id("id_moderator")
    assert menu is not None
    assert [o.text for o in menu.find_all("option")] == [
        "Any moderator",
        "Morgan Osei (mo)",
        "Nkechi Eze (nk)",
    ]


def test_the_log_is_paginated_and_keeps_the_filters(
    moderator_client: Client, moderator: User
) -> None:
    comment = held_comment(make_article())
    for n in range(60):
        log_action(moderator, "approve", comment, f"pass {n}")
    log_action(moderator, "spam", comment, "not counted")

    first = moderator_client.get(LOG, {"action": "approve"})
    assert len(log_rows(first)) == 50
    older = [a for a in page_of(first).find_all("a") if a.attrs.get("rel") == "next"]
    assert len(older) == 1 and "action=approve" in older[0].attrs["href"]
    second = moderator_client.get(LOG + older[0].attrs["href"])
    assert [row[4] for row in log_rows(second)] == [f"pass {n}" for n in range(9, -1, -1)]


def test_lifting_a_ban_is_logged(moderator_client: Client, moderator: User) -> None:
    article = make_article()
    comment = held_comment(article, email="pavel@example.com")
    ban = reverse("moderation:ban", args=[comment.pk])
    moderator_client.post(ban, {"expires": "permanent"}, follow=True)
    email_ban = Ban.objects.get(kind=Ban.Kind.EMAIL)
    assert email_ban.is_active

    response = moderator_client.post(
        reverse("moderation:lift-ban", args=[email_ban.pk]),
        {"reason": "Apologised by e-mail", "next": reverse("moderation:bans")},
        follow=True,
    )

    assert messages_shown(response) == ["Lifted the ban on E-mail address pavel@example.com."]
    email_ban.refresh_from_db()
    assert not email_ban.is_active
    entry = ModerationLogEntry.objects.get(action="unban")
    assert (entry.actor, entry.reason, entry.details) == (
        moderator,
        "Apologised by e-mail",
        {"ban": email_ban.pk},
    )
    page = page_of(response)
    ended = page.by_id(f"ban-{email_ban.pk}")
    assert ended is not None and "Lift" not in ended.text
    # Lifting it again changes nothing and logs nothing.
    moderator_client.post(reverse("moderation:lift-ban", args=[email_ban.pk]))
    assert ModerationLogEntry.objects.filter(action="unban").count() == 1


def test_blocking_and_unblocking_terms_is_logged(moderator_client: Client, moderator: User) -> None:
    terms = reverse("moderation:blocked-terms")
    add = reverse("moderation:add-blocked-term")

    moderator_client.post(
        add, {"kind": "word", "value": "  Miracle   CURE ", "reason": "Pills"}, follow=True
    )
    response = moderator_client.post(
        add, {"kind": "domain", "value": "https://www.Cheap-Watches.example/buy?now=1"}, follow=True
    )

    assert messages_shown(response) == ["Blocked “cheap-watches.example”."]
    assert sorted(BlockedTerm.objects.values_list("kind", "value", "created_by")) == [
        ("domain", "cheap-watches.example", moderator.pk),
        ("word", "miracle cure", moderator.pk),
    ]
    logged = ModerationLogEntry.objects.filter(action="block-term").order_by("id")
    assert [(e.actor, e.reason, e.details) for e in logged] == [
        (moderator, "Pills", {"kind": "word", "value": "miracle cure"}),
        (moderator, "", {"kind": "domain", "value": "cheap-watches.example"}),
    ]
    page = page_of(moderator_client.get(terms))
    words, domains = page.find_all("ul", "blocked-terms")
    assert [v.text for v in words.find_all("span", "term-value")] == ["miracle cure"]
    assert [v.text for v in domains.find_all("span", "term-value")] == ["cheap-watches.example"]

    duplicate = moderator_client.post(add, {"kind": "word", "value": "MIRACLE CURE"})
    assert duplicate.status_code == 400
    assert "“miracle cure” is already blocked." in page_of(duplicate).text
    not_a_domain = moderator_client.post(add, {"kind": "domain", "value": "not a domain"})
    assert not_a_domain.status_code == 400
    assert ModerationLogEntry.objects.filter(action="block-term").count() == 2

    word = BlockedTerm.objects.get(kind="word")
    response = moderator_client.post(
        reverse("moderation:remove-blocked-term", args=[word.pk]),
        {"reason": "Too many false alarms"},
        follow=True,
    )

    assert messages_shown(response) == ["Unblocked “miracle cure”."]
    assert not BlockedTerm.objects.filter(pk=word.pk).exists()
    entry = ModerationLogEntry.objects.get(action="unblock-term")
    assert (entry.actor, entry.reason, entry.details) == (
        moderator,
        "Too many false alarms",
        {"kind": "word", "value": "miracle cure"},
    )
    rows = log_rows(moderator_client.get(LOG, {"action": "unblock-term"}))
    assert [row[1:] for row in rows] == [
        ["Morgan Osei", "Unblocked a term: miracle cure", "—", "Too many false alarms"]
    ]
