"""Two servers, one site: what one server does, the other shows or enforces at once.

Each reading server's page cache (and its per-process replay of cached pages) is warmed
first, so a stale cached or replayed page would show; each read is repeated so that both
of a server's worker processes answer. The one exception to "at once" is the page
cache's: a published comment may reach anonymous readers up to PAGE_CACHE_GRACE_SECONDS
later (removals and approvals show at once).
"""

from __future__ import annotations

import time

import pytest

from .helpers import Site, random_word
from .people import ARTICLE, MODERATOR, PASSWORD
from .tools import Visitor, comment_form, comment_id, fetch, shown_at

READS = 6  # per check: enough that both worker processes of a server answer


@pytest.fixture(scope="module")
def stamp(site: Site) -> str:
    return shown_at(site.a.url, ARTICLE)


def warm(base: str) -> None:
    """Read the article until the server answers it from its page cache."""
    for _ in range(10):
        if fetch(base, ARTICLE).headers.get("x-page-cache") == "hit":
            return
    pytest.fail(f"{base}{ARTICLE} never came from the page cache")


def shown_everywhere(base: str, text: str) -> bool:
    """Whether every one of several reads of the article shows `text`."""
    return all(text in fetch(base, ARTICLE).text for _ in range(READS))


def shown_nowhere(base: str, text: str) -> bool:
    return all(text not in fetch(base, ARTICLE).text for _ in range(READS))


def moderator(site: Site, address: str) -> Visitor:
    """Morgan the moderator, signed in on server A."""
    morgan = Visitor(address)
    reply = morgan.log_in(site.a.url, MODERATOR, PASSWORD)
    assert reply.status == 302, reply.text[:500]
    return morgan


def unique(words: str) -> str:
    return f"{words} ({random_word()})"


def shown_everywhere_soon(base: str, text: str) -> bool:
    """Whether every read shows `text` once the grace period for additions is over (the
    bound is generous: it guards against a page that never changes, not a slow one)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if shown_everywhere(base, text):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("direction", ["a-to-b", "b-to-a"])
def test_a_comment_posted_through_one_server_is_shown_by_the_other_within_the_grace_period(
    site: Site, stamp: str, direction: str
) -> None:
    writer, reader = (site.a, site.b) if direction == "a-to-b" else (site.b, site.a)
    body = unique("The old harbour master kept the tide tables in the chapel")
    warm(reader.url)
    assert shown_nowhere(reader.url, body)

    posted = Visitor("192.0.2.10").request(
        writer.url, f"{ARTICLE}comment/", comment_form(body, stamp, name="Nadia Osei")
    )

    comment_id(posted)  # saved: a redirect to the new comment
    assert shown_everywhere_soon(reader.url, body)


def test_a_comment_removed_on_one_server_is_gone_at_once_from_the_other(
    site: Site, stamp: str
) -> None:
    body = unique("The ferry timetable on the quay wall is a year out of date")
    posted = Visitor("192.0.2.70").request(
        site.b.url, f"{ARTICLE}comment/", comment_form(body, stamp, name="Nadia Osei")
    )
    pk = comment_id(posted)
    assert site.database.comment(pk)["status"] == "published"
    assert shown_everywhere_soon(site.b.url, body)
    warm(site.b.url)

    removed = moderator(site, "192.0.2.71").request(
        site.a.url, "/moderation/act/", {"action": "delete", "comments": str(pk)}
    )

    assert removed.status == 302, removed.text[:500]
    assert shown_nowhere(site.b.url, body)


def test_a_held_comment_approved_on_one_server_is_shown_at_once_by_the_other(
    site: Site, stamp: str
) -> None:
    # More links than SPAM_MAX_LINKS (2): held for a moderator.
    body = unique("Timetables: https://example.org/a https://example.org/b https://example.org/c")
    posted = Visitor("192.0.2.20").request(
        site.b.url, f"{ARTICLE}comment/", comment_form(body, stamp, name="Tomasz Nowak")
    )
    pk = comment_id(posted)
    assert site.database.comment(pk)["status"] == "held"
    warm(site.b.url)
    assert shown_nowhere(site.b.url, "Timetables:")

    approved = moderator(site, "192.0.2.21").request(
        site.a.url, "/moderation/act/", {"action": "approve", "comments": str(pk)}
    )

    assert approved.status == 302, approved.text[:500]
    assert site.database.comment(pk)["status"] == "published"
    assert shown_everywhere(site.b.url, "Timetables:")


def test_comment_rate_limit_counts_posts_to_both_servers_together(site: Site, stamp: str) -> None:
    """COMMENT_RATE_LIMIT_ADDRESS is 3 a day here: of six posts from one address, split
    between the servers, the last three are held for it."""
    visitor = Visitor("192.0.2.30")
    ids = []
    for number in range(6):
        server = site.servers[number % 2]
        body = unique(f"Rate-limited post {number}")
        reply = visitor.request(server.url, f"{ARTICLE}comment/", comment_form(body, stamp))
        ids.append(comment_id(reply))

    stored = [site.database.comment(pk) for pk in ids]
    assert [c["status"] for c in stored] == ["published"] * 3 + ["held"] * 3
    assert all("rate-limit-address" in c["held_reasons"] for c in stored[3:])


def test_login_rate_limit_per_address_counts_attempts_on_both_servers(site: Site) -> None:
    """LOGIN_RATE_LIMIT_ADDRESS is 4 a day here: four failed sign-ins from one address,
    two on each server, and the fifth is refused on either, the right password too."""
    visitor = Visitor("192.0.2.40")
    for number in range(4):
        server = site.servers[number % 2]
        reply = visitor.log_in(server.url, f"guess{number}@example.org", "wrong password")
        assert reply.status == 200, reply.status  # the form again, with its error

    for server in site.servers:
        refused = visitor.log_in(server.url, MODERATOR, PASSWORD)
        assert refused.status == 429
        assert "Too many sign-in attempts" in refused.text
        assert "sessionid" not in visitor.cookies


def test_login_rate_limit_per_account_counts_failures_on_both_servers(site: Site) -> None:
    """LOGIN_RATE_LIMIT_ACCOUNT is 3 a day here: three failures for one login, from three
    addresses on both servers, and the next attempt at it is refused, from anywhere."""
    for number in range(3):
        server = site.servers[number % 2]
        reply = Visitor(f"192.0.2.{50 + number}").log_in(
            server.url, "ghost@example.org", "wrong password"
        )
        assert reply.status == 200

    for server in site.servers:
        refused = Visitor("192.0.2.59").log_in(server.url, "ghost@example.org", "anything")
        assert refused.status == 429


def test_a_ban_made_on_one_server_applies_on_the_other(site: Site, stamp: str) -> None:
    troll = Visitor("192.0.2.60")
    first = troll.request(
        site.b.url,
        f"{ARTICLE}comment/",
        comment_form(unique("First provocation"), stamp, name="Vic", email="vic@example.org"),
    )
    pk = comment_id(first)
    warm(site.b.url)
    assert not shown_nowhere(site.b.url, "First provocation")

    banned = moderator(site, "192.0.2.61").request(
        site.a.url, f"/moderation/comments/{pk}/ban/", {"expires": "1", "reason": "Abuse"}
    )

    assert banned.status == 302, banned.text[:500]
    assert shown_nowhere(site.b.url, "First provocation")  # the ban deleted it
    # From the same address with another name and no e-mail: stored as spam, told the same.
    again = troll.request(
        site.b.url, f"{ARTICLE}comment/", comment_form(unique("Second go"), stamp, name="V")
    )
    stored = site.database.comment(comment_id(again))
    assert stored["status"] == "spam"
    assert "banned" in stored["held_reasons"]
    assert shown_nowhere(site.b.url, "Second go")
