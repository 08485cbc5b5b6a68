"""The browser tests' site: run inside `broadsheet shell` against the served database.

Kept apart from the demo content so the tests do not change when the sample site does.
Prints nothing; the names and passwords are the constants in tests/e2e/site.py.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import refresh_comment_count
from broadsheet.moderation.services import MODERATORS_GROUP, ensure_moderators_group
from broadsheet.publishing.models import Article, Author, Topic
from broadsheet.publishing.services import EDITORS_GROUP, ensure_editors_group, set_bylines
from tests.e2e import site


def account(username: str, display_name: str, password: str, *groups: str) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=password,
        display_name=display_name,
        email_confirmed_at=timezone.now(),
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def article(title: str, slug: str, body: str, *, by: User, author: Author, topic: Topic) -> Article:
    item = Article.objects.create(
        title=title,
        slug=slug,
        submitted_by=by,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(hours=3),
        body_source=body,
    )
    set_bylines(item, [author])
    item.topics.set([topic])
    return item


ensure_editors_group()
ensure_moderators_group()
editor = account("edith", site.EDITOR_NAME, site.PASSWORD, EDITORS_GROUP)
account("morgan", site.MODERATOR_NAME, site.PASSWORD, MODERATORS_GROUP)
account("rita", site.READER_NAME, site.PASSWORD)
desk = User.objects.create_user(username="newsdesk", display_name="Newsdesk")
author = Author.objects.create(name="Ada Reyes", slug="ada-reyes")
topic = Topic.objects.create(name="Harbour", slug="harbour")

threaded = article(
    site.ARTICLE_TITLE,
    site.ARTICLE_SLUG,
    "The council voted on Monday to rebuild the north wall of the harbour.\n\n"
    "## What happens next\n\n> Work starts in spring, the harbour master said.\n\n"
    "Read the [council minutes](https://example.org/minutes) for the full vote.",
    by=desk,
    author=author,
    topic=topic,
)
first = Comment.objects.create(
    article=threaded,
    name="Harriet Pole",
    body_source="My grandfather helped build the old wall in the fifties.",
    status=Comment.Status.PUBLISHED,
)
reply = Comment.objects.create(
    article=threaded,
    parent=first,
    thread_id=first.pk,
    depth=1,
    name="Sam Ekwueme",
    body_source="Do you know whether any of the original stone will be kept?",
    status=Comment.Status.PUBLISHED,
)
Comment.objects.create(
    article=threaded,
    parent=reply,
    thread_id=first.pk,
    depth=2,
    name="Harriet Pole",
    body_source="The minutes say the facing stones will be numbered and reused.",
    status=Comment.Status.PUBLISHED,
)
refresh_comment_count(threaded.pk)

article(
    site.HOSTILE_ARTICLE_TITLE,
    site.HOSTILE_ARTICLE_SLUG,
    "Readers argue here; the browser tests post their hostile inputs to this page.",
    by=desk,
    author=author,
    topic=topic,
)
