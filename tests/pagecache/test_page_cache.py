"""What the page cache shares, with whom, and how it answers: personal pages are never
shared, each consent choice has its own page, stored pages go out compressed with an ETag
and answer conditional requests with 304."""

from __future__ import annotations

import gzip
from typing import Any

import brotli
import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import SAME_ORIGIN, UNREACHABLE_CACHE, make_article, post_form

pytestmark = pytest.mark.django_db
HIT = "X-Page-Cache"


@pytest.fixture
def article() -> Article:
    return make_article("Bus lanes on the high street", slug="bus-lanes")


def hit(client: Client, path: str, **headers: str) -> bool:
    return client.get(path, headers=headers).headers.get(HIT) == "hit"


def test_a_second_anonymous_visit_is_served_from_the_cache(
    client: Client, article: Article
) -> None:
    assert not hit(client, "/articles/bus-lanes/")
    assert hit(Client(), "/articles/bus-lanes/"), "another anonymous reader shares the page"


def test_signed_in_readers_get_their_own_pages(
    client: Client, article: Article, reader: Any
) -> None:
    client.get("/articles/bus-lanes/")
    client.force_login(reader)

    response = client.get("/articles/bus-lanes/")

    assert response.headers.get(HIT) != "hit"
    assert "Log out" in response.content.decode()
    assert not hit(client, "/articles/bus-lanes/")


def test_a_reader_with_a_held_comment_sees_it_and_others_do_not(
    client: Client, article: Article
) -> None:
    Client().get("/articles/bus-lanes/")  # the shared page, now cached

    post_form(client, article, name="Lowri Bevan", body="Held for now, I expect.")
    assert Comment.objects.get().status == Comment.Status.HELD

    own = client.get("/articles/bus-lanes/")
    assert own.headers.get(HIT) != "hit"
    assert "Held for now, I expect." in own.content.decode()
    shared = Client().get("/articles/bus-lanes/")
    assert "Held for now, I expect." not in shared.content.decode()


def test_each_consent_choice_has_its_own_page(client: Client, article: Article) -> None:
    first = client.get("/")
    assert "data-consent-notice" in first.content.decode()
    client.post("/cookies/reject-all/", {"next": "/"}, headers=SAME_ORIGIN)

    after = client.get("/")

    assert after.headers.get(HIT) != "hit"
    assert "data-consent-notice" not in after.content.decode()
    client.get("/")  # the page after the choice showed its message; this one is shared
    assert hit(client, "/")
    assert "data-consent-notice" in Client().get("/").content.decode()


def test_other_query_strings_are_not_cached(client: Client, article: Article) -> None:
    client.get("/?utm_source=newsletter")
    assert not hit(client, "/?utm_source=newsletter")
    client.get("/?page=1")
    assert hit(client, "/?page=1")


def test_stored_pages_are_compressed_tagged_and_revalidated(
    client: Client, article: Article
) -> None:
    plain = client.get("/articles/bus-lanes/").content

    as_brotli = client.get("/articles/bus-lanes/", headers={"Accept-Encoding": "gzip, br"})
    as_gzip = client.get("/articles/bus-lanes/", headers={"Accept-Encoding": "gzip"})

    assert as_brotli["Content-Encoding"] == "br"
    assert brotli.decompress(as_brotli.content) == plain
    assert as_gzip["Content-Encoding"] == "gzip"
    assert gzip.decompress(as_gzip.content) == plain
    assert "Accept-Encoding" in as_gzip["Vary"] and "Cookie" in as_gzip["Vary"]
    assert as_gzip["ETag"] != as_brotli["ETag"]
    cache_control = {part.strip() for part in as_gzip["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "must-revalidate"} <= cache_control

    again = client.get(
        "/articles/bus-lanes/",
        headers={"Accept-Encoding": "gzip", "If-None-Match": as_gzip["ETag"]},
    )
    assert again.status_code == 304
    assert again.content == b""


@override_settings(PAGE_CACHE_SHARED_SECONDS=30)
def test_a_cdn_may_keep_pages_when_configured(client: Client, article: Article) -> None:
    client.get("/articles/bus-lanes/")
    assert "s-maxage=30" in client.get("/articles/bus-lanes/")["Cache-Control"]


def test_pages_render_when_the_cache_is_down(client: Client, article: Article) -> None:
    with override_settings(CACHES=UNREACHABLE_CACHE):
        response = client.get("/articles/bus-lanes/")

    assert response.status_code == 200
    assert "Bus lanes on the high street" in response.content.decode()


def test_a_setting_change_is_not_hidden_by_a_cached_page(client: Client, article: Article) -> None:
    client.get("/")
    with override_settings(SITE_NAME="The Quayside Post"):
        assert "The Quayside Post" in client.get("/").content.decode()


def test_the_anonymous_comment_form_is_checked_by_origin(client: Client, article: Article) -> None:
    data = {"name": "Ola Nowak", "body": "From elsewhere?", "save": "1"}

    forged = client.post(
        "/articles/bus-lanes/comment/", data, headers={"Origin": "https://evil.example"}
    )
    bare = client.post("/articles/bus-lanes/comment/", data)

    assert forged.status_code == bare.status_code == 403
    assert not Comment.objects.exists()


def test_a_signed_in_reader_also_needs_the_csrf_token(article: Article, reader: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    data = {"body": "Signed in, no token.", "save": "1"}

    response = client.post("/articles/bus-lanes/comment/", data, headers=SAME_ORIGIN)

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_transaction_replaces_each_tag_once_at_its_commit(article: Article) -> None:
    from unittest import mock

    from django.db import connection, transaction

    from broadsheet.pagecache import tags

    with mock.patch.object(tags, "_replace_tokens") as replace:
        with transaction.atomic():
            tags.changed("article:1")
            tags.changed("article:1", "topic:2")
            [flush] = [
                callback
                for _, callback, _ in connection.run_on_commit
                if getattr(callback, "__name__", "") == "flush"
            ]
        immediate = [sorted(call.args[0]) for call in replace.call_args_list]
        flush()  # what the commit runs (the test's own transaction never commits)
        at_commit = sorted(replace.call_args_list[-1].args[0])

    # (_replace_tokens adds the global token to any change itself.)
    assert immediate == [["article:1"], ["article:1", "topic:2"]]
    # The test's own transaction made other changes before (its fixtures); each tag once.
    assert {"article:1", "topic:2"} <= set(at_commit)
    assert len(at_commit) == len(set(at_commit))


@pytest.mark.django_db(transaction=True)
def test_after_a_rollback_the_next_transaction_registers_its_own_commit() -> None:
    from django.db import connection, transaction

    from broadsheet.pagecache import tags

    def flushes() -> int:
        return sum(
            getattr(callback, "__name__", "") == "flush"
            for _, callback, _ in connection.run_on_commit
        )

    before = flushes()
    try:
        with transaction.atomic():
            tags.changed("article:3")
            assert flushes() == before + 1
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert flushes() == before  # the savepoint's callback went with it
    with transaction.atomic():
        tags.changed("article:3")
        assert flushes() == before + 1


def test_the_request_that_stores_a_page_gets_the_stored_bytes(
    client: Client, article: Article
) -> None:
    first = client.get("/articles/bus-lanes/", headers={"Accept-Encoding": "gzip"})
    second = client.get("/articles/bus-lanes/", headers={"Accept-Encoding": "gzip"})

    assert first.headers.get(HIT) != "hit" and second.headers[HIT] == "hit"
    assert first["Content-Encoding"] == "gzip"
    assert first.content == second.content, "compressed once, when stored"
    assert first["ETag"] == second["ETag"]


def _token(tag: str) -> object:
    from broadsheet.pagecache import tags

    return cache.get(tags.TAG_PREFIX + tag)


@pytest.mark.django_db(transaction=True)
def test_a_change_in_a_transaction_replaces_the_token_when_it_commits() -> None:
    from django.db import transaction

    from broadsheet.pagecache import tags

    tags.changed("article:9")
    before = _token("article:9")
    assert before is not None

    with transaction.atomic():
        tags.changed("article:9")
        assert _token("article:9") == before, "pages of the uncommitted rows must not count"

    assert _token("article:9") not in (None, before)


@pytest.mark.django_db(transaction=True)
def test_a_change_in_a_nested_block_replaces_the_token_at_once() -> None:
    from django.db import transaction

    from broadsheet.pagecache import tags

    tags.changed("article:9")
    before = _token("article:9")

    with transaction.atomic(), transaction.atomic():
        tags.changed("article:9")
        inside = _token("article:9")
        assert inside not in (None, before)

    assert _token("article:9") not in (None, before, inside), "and again at the commit"


def test_the_writer_of_a_comment_sees_it_at_once_while_others_may_wait(
    article: Article, settings: Any
) -> None:
    """An addition may reach anonymous readers up to the grace period late (here another
    worker is rendering the page), but its writer's own next page is not shared."""
    from django.test import RequestFactory

    from broadsheet.pagecache import flight
    from broadsheet.pagecache.keys import shared_page_key

    settings.COMMENTS_HOLD_ANONYMOUS = False
    settings.SPAM_MIN_FORM_SECONDS = 0
    Client().get("/articles/bus-lanes/")
    assert hit(Client(), "/articles/bus-lanes/")
    key = shared_page_key(RequestFactory().get("/articles/bus-lanes/"))
    assert key is not None
    writer = Client()

    posted = post_form(writer, article, body="The lane paint was still wet on Monday.")
    other_worker = flight.render_locks().try_lock(key)
    assert other_worker is not None
    try:
        assert posted.status_code == 302
        own = writer.get(posted["Location"])
        someone_else = Client().get("/articles/bus-lanes/")
    finally:
        other_worker.release()

    assert "The lane paint was still wet on Monday." in own.content.decode()
    assert own.headers.get(HIT) is None, "the writer's page is their own"
    assert someone_else.headers[HIT] == "stale"
    assert "The lane paint was still wet" not in someone_else.content.decode()
    assert "The lane paint was still wet" in Client().get("/articles/bus-lanes/").content.decode()
