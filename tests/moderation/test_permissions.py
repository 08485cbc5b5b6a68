"""Who may use the moderation pages: Morgan the moderator; not Rita the reader, not Edith
the editor (staff, but not in the Moderators group), and not an anonymous visitor.

Every moderation URL (every URL under /moderation/, the erasure the data rights app serves
there included) is tried with GET and with POST, each POST carrying a request that
would change something if it got through, and the test checks nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.moderation.models import Ban, BlockedTerm, ModerationLogEntry
from broadsheet.moderation.services import ban_commenter
from tests.helpers import held_comment, make_article

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    comment: Comment
    ban: Ban
    term: BlockedTerm

    def url(self, name: str) -> str:
        args = {
            "moderation:ban": [self.comment.pk],
            "rights:moderator-erase": [self.comment.pk],
            "moderation:lift-ban": [self.ban.pk],
            "moderation:remove-blocked-term": [self.term.pk],
        }.get(name, [])
        return reverse(name, args=args)

    def post_data(self, name: str) -> dict[str, Any]:
        """What a moderator would send to `name` to change something."""
        return {
            "moderation:act": {"comments": [self.comment.pk], "action": "approve"},
            "moderation:ban": {"expires": "7", "reason": "spam run"},
            "moderation:add-blocked-term": {"kind": "word", "value": "miracle cure"},
            "rights:moderator-erase": {"bodies": "remove"},
        }.get(name, {"reason": "testing"})


@pytest.fixture
def scene(moderator: User) -> Scene:
    article = make_article()
    banned = held_comment(article, email="earlier@example.net")
    ban = ban_commenter(banned, moderator, reason="earlier")[0]
    term = BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="casino")
    return Scene(held_comment(article), ban, term)


MODERATION_URLS = [
    "moderation:queue",
    "rights:moderator-erase",
    "moderation:act",
    "moderation:ban",
    "moderation:bans",
    "moderation:lift-ban",
    "moderation:blocked-terms",
    "moderation:add-blocked-term",
    "moderation:remove-blocked-term",
    "moderation:log",
]
POST_ONLY = {
    "moderation:act",
    "rights:moderator-erase",
    "moderation:lift-ban",
    "moderation:add-blocked-term",
    "moderation:remove-blocked-term",
}


def named_urls_under(prefix: str) -> set[str]:
    """The names of the site's URLs whose path starts with `prefix`, whichever app serves
    them (the erasure under /moderation/ is the data rights app's)."""
    found = set()

    def walk(patterns: list[Any], route: str, namespace: str) -> None:
        for pattern in patterns:
            here = route + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, here, inner)
            elif pattern.name and here.startswith(prefix):
                found.add(namespace + pattern.name)

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_moderation_url_is_checked_here() -> None:
    assert named_urls_under("moderation/") == set(MODERATION_URLS)


def _nothing_changed(scene: Scene, log_entries: int) -> None:
    scene.comment.refresh_from_db()
    assert scene.comment.status == Comment.Status.HELD
    assert ModerationLogEntry.objects.count() == log_entries
    assert Ban.objects.active().filter(pk=scene.ban.pk).exists()
    assert BlockedTerm.objects.filter(pk=scene.term.pk).exists()
    assert not BlockedTerm.objects.filter(value="miracle cure").exists()


def _try_everything(client: Client, scene: Scene) -> dict[tuple[str, str], HttpResponse]:
    """Every moderation URL with GET and with POST (sending what would change something)."""
    responses = {}
    for name in MODERATION_URLS:
        url = scene.url(name)
        responses[name, "get"] = client.get(url)
        responses[name, "post"] = client.post(url, scene.post_data(name))
    return responses


@pytest.mark.parametrize("who", ["reader", "editor"])
def test_readers_and_editors_get_403_everywhere(
    request: pytest.FixtureRequest, scene: Scene, who: str
) -> None:
    client = Client()
    client.force_login(request.getfixturevalue(who))
    entries = ModerationLogEntry.objects.count()

    responses = _try_everything(client, scene)

    assert {key: r.status_code for key, r in responses.items()} == dict.fromkeys(responses, 403)
    for response in responses.values():
        assert b"Not allowed" in response.content
        assert b"These pages are for moderators." in response.content
    _nothing_changed(scene, entries)


def test_anonymous_visitors_are_sent_to_log_in(client: Client, scene: Scene) -> None:
    entries = ModerationLogEntry.objects.count()

    responses = _try_everything(client, scene)

    login = reverse("accounts:login")
    assert {key: (r.status_code, r["Location"]) for key, r in responses.items()} == {
        (name, method): (302, f"{login}?next={scene.url(name)}") for name, method in responses
    }
    _nothing_changed(scene, entries)


@pytest.mark.parametrize("name", sorted(set(MODERATION_URLS) - POST_ONLY))
def test_a_moderator_can_open_every_page(moderator_client: Client, scene: Scene, name: str) -> None:
    response = moderator_client.get(scene.url(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_changes_are_post_only(moderator_client: Client, scene: Scene, name: str) -> None:
    entries = ModerationLogEntry.objects.count()
    response = moderator_client.get(scene.url(name), scene.post_data(name))
    assert response.status_code == 405
    _nothing_changed(scene, entries)


@pytest.mark.parametrize("name", sorted(POST_ONLY | {"moderation:ban"}))
def test_changes_need_the_csrf_token(moderator: User, scene: Scene, name: str) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(moderator)
    entries = ModerationLogEntry.objects.count()
    response = browser.post(scene.url(name), scene.post_data(name))
    assert response.status_code == 403
    _nothing_changed(scene, entries)


def test_the_same_post_with_the_token_goes_through(moderator: User, scene: Scene) -> None:
    # The counterpart of the CSRF test: the form's own token is accepted.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(moderator)
    browser.get(reverse("moderation:queue"))
    token = browser.cookies["csrftoken"].value
    data = {**scene.post_data("moderation:act"), "csrfmiddlewaretoken": token}
    response = browser.post(reverse("moderation:act"), data)
    assert response.status_code == 302
    scene.comment.refresh_from_db()
    assert scene.comment.status == Comment.Status.PUBLISHED


def test_only_moderators_see_the_link_in_the_header(
    moderator_client: Client, reader_client: Client, editor_client: Client, client: Client
) -> None:
    link = f'<a href="{reverse("moderation:queue")}">Moderation</a>'
    home = reverse("publishing:home")
    assert link in moderator_client.get(home).content.decode()
    for other in (reader_client, editor_client, client):
        assert link not in other.get(home).content.decode()


def test_the_admin_shows_the_log_but_cannot_change_it(admin_client: Client, scene: Scene) -> None:
    changelist = reverse("admin:moderation_moderationlogentry_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert admin_client.get(reverse("admin:moderation_moderationlogentry_add")).status_code == 403
    entry = ModerationLogEntry.objects.first()
    assert entry is not None
    delete = reverse("admin:moderation_moderationlogentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert ModerationLogEntry.objects.filter(pk=entry.pk).exists()
    for model in ("ban", "blockedterm"):
        assert admin_client.get(reverse(f"admin:moderation_{model}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:moderation_{model}_add")).status_code == 403
