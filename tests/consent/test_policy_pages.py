"""Privacy Policy, Terms & Conditions and Cookie Policy: versioned pages editors write in
the admin. Readers see the current version with its number and date, can read earlier
ones, never see drafts; a new cookie policy version asks every reader again.

Edith is an editor (`editor_client`); Nadia an anonymous visitor (the plain `client`).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from broadsheet.consent.models import ConsentRecord, PolicyPage
from broadsheet.lib.rendering import render_article_markdown

from .helpers import choose, notice_of

pytestmark = pytest.mark.django_db

Kind = PolicyPage.Kind


def make_policy(
    kind: str = Kind.PRIVACY,
    version: int = 1,
    *,
    days_ago: float | None = 10,
    body: str = "We keep as little as we can.",
    **extra: Any,
) -> PolicyPage:
    """A policy page version, published `days_ago` (None: a draft; negative: scheduled)."""
    published_at = None if days_ago is None else timezone.now() - dt.timedelta(days=days_ago)
    return PolicyPage.objects.create(
        kind=kind,
        version=version,
        title=extra.pop("title", f"{Kind(kind).label}"),
        body_source=body,
        published_at=published_at,
        **extra,
    )


# Reading the pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "url"),
    [(Kind.PRIVACY, "/privacy/"), (Kind.TERMS, "/terms/"), (Kind.COOKIES, "/cookie-policy/")],
)
def test_each_policy_shows_its_current_version_with_number_and_date(
    client: Client, kind: str, url: str
) -> None:
    make_policy(kind, 1, days_ago=400, body="The first words.")
    current = make_policy(kind, 2, days_ago=3, body="The **current** words.")

    page = client.get(url).content.decode()

    assert "The <strong>current</strong> words." in page
    assert "The first words." not in page
    published = current.published_at
    assert published is not None
    assert (
        f'Version 2, published <time datetime="{published.isoformat()}">'
        f"{published:%-d %B %Y}</time>"
    ) in page
    assert "an earlier version" not in page
    assert '<meta name="robots" content="noindex">' not in page


def test_an_earlier_version_stays_readable_and_points_to_the_current_one(
    client: Client,
) -> None:
    make_policy(Kind.PRIVACY, 1, days_ago=400, body="What we promised then.")
    make_policy(Kind.PRIVACY, 2, days_ago=3, body="What we promise now.")

    response = client.get("/policies/privacy/1/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "What we promised then." in page
    assert "What we promise now." not in page
    assert re.search(r"Version 1, published .*an earlier version</strong>: "
                     r'<a href="/privacy/">read the current one</a>', page)  # fmt: skip
    assert '<meta name="robots" content="noindex">' in page
    assert '<a href="/policies/privacy/2/">Version 2</a>' in page
    assert "Version 1 (" in page and "shown above" in page


def test_policy_pages_use_the_same_rendering_as_articles(client: Client) -> None:
    source = "## Your rights\n\nWrite to [us](mailto:privacy@example.org).<script>x()</script>"
    make_policy(body=source)

    page = client.get("/privacy/").content.decode()

    assert render_article_markdown(source) in page
    assert ">Your rights</h2>" in page
    assert '<a href="mailto:privacy@example.org"' in page
    assert "x()" not in page


@pytest.mark.parametrize("url", ["/privacy/", "/terms/", "/cookie-policy/"])
def test_a_policy_never_published_is_not_found(client: Client, url: str) -> None:
    make_policy(Kind.PRIVACY, 1, days_ago=None)
    make_policy(Kind.TERMS, 1, days_ago=None)
    make_policy(Kind.COOKIES, 1, days_ago=None)

    assert client.get(url).status_code == 404


def test_drafts_and_scheduled_versions_are_not_shown(client: Client) -> None:
    make_policy(Kind.TERMS, 1, body="In force.")
    make_policy(Kind.TERMS, 2, days_ago=None, body="Still being drafted.")
    make_policy(Kind.TERMS, 3, days_ago=-2, body="Coming next week.")

    page = client.get("/terms/").content.decode()

    assert "In force." in page
    assert "Still being drafted." not in page and "Coming next week." not in page
    assert "/policies/terms/2/" not in page and "/policies/terms/3/" not in page
    assert client.get("/policies/terms/2/").status_code == 404
    assert client.get("/policies/terms/3/").status_code == 404
    assert client.get("/policies/terms/1/").status_code == 200


def test_an_unknown_policy_or_version_is_not_found(client: Client) -> None:
    make_policy()

    assert client.get("/policies/recipes/1/").status_code == 404
    assert client.get("/policies/privacy/9/").status_code == 404


def test_sample_text_awaiting_review_says_so(client: Client) -> None:
    note = "This is sample text shipped with Broadsheet, still to be reviewed"
    make_policy(Kind.PRIVACY, needs_review=True)
    make_policy(Kind.TERMS, needs_review=False)

    assert note in client.get("/privacy/").content.decode()
    assert note not in client.get("/terms/").content.decode()


# A new cookie policy asks again ------------------------------------------------------------


def test_publishing_a_new_cookie_policy_version_asks_every_reader_again(client: Client) -> None:
    make_policy(Kind.COOKIES, 1)
    choose(client, "accept-all")
    home = reverse("publishing:home")
    assert notice_of(client.get(home)) is None

    make_policy(Kind.COOKIES, 2, days_ago=0)

    assert notice_of(client.get(home)) is not None
    choose(client, "reject-all")
    assert notice_of(client.get(home)) is None
    versions = list(ConsentRecord.objects.order_by("id").values_list("policy_version", flat=True))
    assert versions == [1, 2]


def test_the_first_cookie_policy_asks_readers_who_chose_before_there_was_one(
    client: Client,
) -> None:
    choose(client, "reject-all")
    assert ConsentRecord.objects.get().policy_version == 0

    make_policy(Kind.COOKIES, 1, days_ago=0)

    assert notice_of(client.get(reverse("publishing:home"))) is not None


def test_other_policies_and_drafts_do_not_ask_again(client: Client) -> None:
    make_policy(Kind.COOKIES, 1)
    choose(client, "accept-all")

    make_policy(Kind.PRIVACY, 1, days_ago=0)
    make_policy(Kind.COOKIES, 2, days_ago=None)
    make_policy(Kind.COOKIES, 3, days_ago=-1)

    assert notice_of(client.get(reverse("publishing:home"))) is None


# It moves the clock forward, which only the local-memory cache follows.
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_a_scheduled_cookie_policy_asks_again_as_soon_as_it_appears(client: Client) -> None:
    make_policy(Kind.COOKIES, 1)
    make_policy(Kind.COOKIES, 2, days_ago=-60 / 86400)  # a minute from now
    choose(client, "accept-all")
    home = reverse("publishing:home")
    assert notice_of(client.get(home)) is None  # the version is now cached

    later, later_aware = time.time() + 90, timezone.now() + dt.timedelta(seconds=90)
    with (
        mock.patch("time.time", return_value=later),
        mock.patch("django.utils.timezone.now", return_value=later_aware),
    ):
        assert notice_of(client.get(home)) is not None


# Editors write them in the admin --------------------------------------------------------


def test_an_editor_adds_the_next_version_in_the_admin(editor_client: Client) -> None:
    make_policy(Kind.COOKIES, 1)
    add_url = reverse("admin:consent_policypage_add")

    form = editor_client.get(add_url, {"kind": "cookies"}).content.decode()
    assert re.search(r'name="version" value="2"', form)

    now = timezone.localtime()
    response = editor_client.post(
        add_url,
        {
            "kind": "cookies",
            "version": "2",
            "title": "Cookie Policy",
            "body_source": "We now count visits.",
            "published_at_0": now.strftime("%Y-%m-%d"),
            "published_at_1": now.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302
    page = PolicyPage.objects.get(kind="cookies", version=2)
    assert page.body_html.strip() == "<p>We now count visits.</p>"


def test_a_published_version_cannot_be_rewritten_or_deleted(editor_client: Client) -> None:
    published = make_policy(Kind.PRIVACY, 1, body="What readers agreed to.")
    draft = make_policy(Kind.PRIVACY, 2, days_ago=None)

    published_form = editor_client.get(
        reverse("admin:consent_policypage_change", args=[published.pk])
    ).content.decode()
    draft_form = editor_client.get(
        reverse("admin:consent_policypage_change", args=[draft.pk])
    ).content.decode()

    assert 'name="body_source"' not in published_form
    assert "What readers agreed to." in published_form
    assert 'name="needs_review"' in published_form
    assert 'name="body_source"' in draft_form
    delete = reverse("admin:consent_policypage_delete", args=[published.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert PolicyPage.objects.filter(pk=published.pk).exists()
