"""One reader's text must not freeze a worker: each pathological body (tests/pathological.py)
goes through the whole posting path, and no step may take more than GUARD_SECONDS.

The path: the comment form's preview, the post (screening and the filter's score), a
moderator's approval (the filter learns it), the article page, the moderation queue, the
article's comments feed, and a registered reader's edit of a comment to the same text
(screened again). The bound is a generous guard against a freeze on a busy machine, not a
speed test: bench/pathological records the real figures (the goal is under 50 ms a step).
Every step must also keep the text: the body's last word is on the page and in the feed.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import as_nadia, make_article, post_comment
from tests.pathological import BODIES, LAST_WORD, within_guard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_page_rendered(settings: Any) -> None:
    # The page cache would answer later requests without rendering the comment again.
    settings.PAGE_CACHE_SECONDS = 0
    settings.PAGE_REPLAY_MAX_BYTES = 0


@pytest.mark.parametrize("shape", sorted(BODIES))
def test_a_pathological_body_passes_every_step_in_bounded_time(
    shape: str, moderator_client: Client, rita: Client
) -> None:
    body = BODIES[shape]
    article: Article = make_article("The ferry timetable changes in spring")
    nadia = Client()

    preview = within_guard(
        lambda: post_comment(nadia, article, preview="1", **as_nadia(body)), "preview"
    )
    assert preview.status_code == 200
    assert LAST_WORD in preview.content.decode()

    posted = within_guard(lambda: post_comment(nadia, article, **as_nadia(body)), "post")
    assert posted.status_code == 302
    comment = Comment.objects.get(article=article)

    approve = {"comments": comment.pk, "action": "approve"}
    within_guard(lambda: moderator_client.post(reverse("moderation:act"), approve), "approve")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED

    page = within_guard(lambda: Client().get(article.get_absolute_url()), "page")
    assert page.status_code == 200
    assert LAST_WORD in page.content.decode()

    feed_url = reverse("discussion:feed", args=[article.slug])
    feed = within_guard(lambda: Client().get(feed_url), "feed")
    assert feed.status_code == 200
    assert LAST_WORD in feed.content.decode()

    queue = reverse("moderation:queue") + "?status=published"
    assert within_guard(lambda: moderator_client.get(queue), "queue").status_code == 200

    post_comment(rita, article, body="The spring timetable suits the school run better.")
    ritas = Comment.objects.filter(article=article, user__isnull=False).get()
    edit_url = reverse("discussion:edit", args=[ritas.pk])
    edited = within_guard(lambda: rita.post(edit_url, {"body": body}), "edit")
    assert edited.status_code == 302
    ritas.refresh_from_db()
    assert ritas.body_source == body.replace("\r\n", "\n") or ritas.body_source == body
