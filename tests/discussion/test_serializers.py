"""One dict per comment (discussion/serializers.py), and one way from input to a
submission (CommentForm.submission) for the comment form and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.forms import CommentForm
from broadsheet.discussion.models import Comment
from broadsheet.discussion.screening import SubmissionSignals
from broadsheet.discussion.serializers import (
    PAYLOAD_KEYS,
    comment_data,
    comment_payload,
    comment_private_data,
)
from broadsheet.discussion.services import CommentSubmission
from broadsheet.importers import export_json
from broadsheet.lib.addresses import address_hash
from broadsheet.publishing.models import Article
from tests.helpers import form_shown_at, make_article, make_comment

pytestmark = pytest.mark.django_db

PRIVATE_VALUES = ("agnes@example.net", "I typed *this*")


@pytest.fixture
def article() -> Article:
    return make_article("Library opening hours", slug="library-hours")


@pytest.fixture
def comment(article: Article) -> Comment:
    return make_comment(
        article,
        name="Agnes Polk",
        email="agnes@example.net",
        homepage="https://agnes.example.net/",
        body="I typed *this*",
        address_hash=address_hash("203.0.113.9"),
    )


def test_public_formats_never_carry_the_address_or_the_source(comment: Comment) -> None:
    comment.render_body()
    for data in (comment_data(comment), comment_payload(comment)):
        text = repr(data)
        assert not any(value in text for value in PRIVATE_VALUES)
        assert comment.address_hash not in text
    assert set(comment_payload(comment)) == {*PAYLOAD_KEYS, "created_at"}


def test_the_private_dict_says_whether_a_hash_is_kept_never_the_hash(comment: Comment) -> None:
    private = comment_private_data(comment)
    assert private["email"] == "agnes@example.net"
    assert private["body_source"] == "I typed *this*"
    assert private["network_address_hash_kept"] is True
    assert comment.address_hash not in repr(private)


def test_the_api_the_export_and_webhooks_describe_a_comment_alike(
    client: Client, comment: Comment, settings: Any
) -> None:
    settings.SITE_URL = "https://news.example.org"
    [shown] = client.get("/api/v1/articles/library-hours/comments").json()["threads"]
    exported = export_json.comment_data(comment)
    payload = comment_payload(comment)
    assert shown["url"] == payload["url"] == f"https://news.example.org/comment/{comment.pk}/"
    assert shown["name"] == exported["name"] == payload["name"] == "Agnes Polk"
    assert shown["verified"] is exported["verified"] is payload["verified"] is False
    assert "email" not in shown and exported["email"] == "agnes@example.net"


def test_the_form_turns_its_input_into_a_submission(article: Article) -> None:
    parent = make_comment(article)
    form = CommentForm(
        {
            "name": "  Bram Oduya ",
            "email": "bram@example.net",
            "homepage": "bram.example.net",
            "body": "Open on Sundays, please.",
            "notify_replies": "on",
            "confirm_address": "on",
            "website": "http://spam.example/",
            "shown_at": form_shown_at(30),
        },
        logged_in=False,
        can_remember=False,
    )
    assert form.is_valid(), form.errors
    submission = form.submission(parent)
    assert isinstance(submission, CommentSubmission)
    assert (submission.name, submission.email, submission.homepage) == (
        "Bram Oduya",
        "bram@example.net",
        "https://bram.example.net",
    )
    assert submission.parent == parent
    assert submission.notify_replies and submission.confirm_address
    # The hidden fields say how the form was used: a filled honeypot, a time shown.
    assert submission.signals.honeypot_filled
    assert submission.signals.form_age_seconds is not None
    assert 25 < submission.signals.form_age_seconds < 3600
    # The API has no hidden fields, and says so.
    api_signals = SubmissionSignals(via_form=False)
    assert form.submission(None, signals=api_signals).signals is api_signals
