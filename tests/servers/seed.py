"""The server tests' site: run inside `broadsheet shell` against their fresh database.

A moderator and two published articles: one the tests read and comment on, one that
takes the posting load (so the first page stays short). Prints nothing.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.moderation.services import MODERATORS_GROUP, ensure_moderators_group
from broadsheet.publishing.models import Article
from tests.servers.people import MODERATOR, PASSWORD

ensure_moderators_group()
morgan = User.objects.create_user(
    username=MODERATOR,
    email="morgan@example.org",
    password=PASSWORD,
    display_name="Morgan Vale",
    email_confirmed_at=timezone.now(),
)
morgan.groups.add(Group.objects.get(name=MODERATORS_GROUP))
desk = User.objects.create_user(username="newsdesk", display_name="Newsdesk")
for slug, title in (
    ("harbour-wall", "Council agrees to rebuild the harbour wall"),
    ("ferry-letters", "Letters on the ferry timetable"),
):
    Article.objects.create(
        title=title,
        slug=slug,
        submitted_by=desk,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(hours=3),
        body_source="The council voted on Monday.",
    )
