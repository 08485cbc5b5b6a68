"""Near-duplicate held comments in the queue: found, shown together, and decided once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.discussion.models import Comment
from broadsheet.moderation import spamfilter
from broadsheet.moderation.grouping import near_duplicates
from broadsheet.moderation.models import FilterDecision
from tests.helpers import at, held_comment, make_article, page_of

pytestmark = pytest.mark.django_db

QUEUE = reverse("moderation:queue")
ACT = reverse("moderation:act")


def unsaved(pk: int, body: str, minutes: int) -> Comment:
    return Comment(pk=pk, body_source=body, created_at=at(minutes))


def test_the_same_text_however_disguised_is_one_group() -> None:
    comments = [
        unsaved(1, "WIN a prize of £500 today, reply now", 0),
        unsaved(2, "win a prize of £750 TODAY, reply now", 5),  # numbers and case differ
        unsaved(3, "Wіn a prіze of £900 today reply now", 9),  # Cyrillic і, no comma
        unsaved(4, "The prize-giving at the school is today.", 10),
    ]

    groups = near_duplicates(comments)

    assert set(groups) == {1, 2, 3}
    assert groups[1].ids == (1, 2, 3)
    assert groups[2].why == "same text"


def test_links_to_one_domain_within_an_hour_are_one_group() -> None:
    comments = [
        unsaved(1, "Great read! More at https://cheap-watches.biz/deal", 0),
        unsaved(2, "Loved this. cheap-watches.biz/other is better", 40),
        unsaved(3, "see shop.cheap-watches.biz", 95),  # 55 minutes after the second
        unsaved(4, "see cheap-watches.biz", 200),  # over an hour after the third
    ]

    groups = near_duplicates(comments)

    assert groups[1].ids == (1, 2, 3)
    assert groups[3].why == "links to cheap-watches.biz"
    assert 4 not in groups


def test_the_queue_shows_a_group_and_one_action_decides_it_teaching_the_filter_once(
    moderator_client: Client,
) -> None:
    article = make_article()
    flood = [
        held_comment(article, body=f"Cheap loans at 0{n}% today, text LOAN to 8008{n}",
                     created_at=at(n))
        for n in range(3)
    ]  # fmt: skip
    loner = held_comment(article, body="The meeting moved to Thursday.", created_at=at(9))

    response = moderator_client.get(QUEUE)
    row = page_of(response).by_id(f"queued-{flood[0].pk}")
    assert row is not None
    group = row.find("dd", "queue-group")
    assert group is not None and group.text == "One of 3 held comments alike (same text)"
    lone_row = page_of(response).by_id(f"queued-{loner.pk}")
    assert lone_row is not None and lone_row.find("dd", "queue-group") is None

    moderator_client.post(
        ACT,
        {"scope": "group", "group": [c.pk for c in flood], "action": "spam", "next": QUEUE},
    )

    assert set(
        Comment.objects.filter(pk__in=[c.pk for c in flood]).values_list("status", flat=True)
    ) == {"spam"}
    assert Comment.objects.get(pk=loner.pk).status == Comment.Status.HELD
    assert list(FilterDecision.objects.values_list("comment", flat=True)) == [flood[0].pk]
    assert spamfilter.spam_model.get().decisions == 1
    assert dt.timedelta(0) <= flood[1].created_at - flood[0].created_at
