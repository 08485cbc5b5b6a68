"""Form data and query strings that are not valid UTF-8 are refused, never stored altered."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.lib.encoding import malformed_part
from tests.helpers import make_article


@pytest.mark.parametrize(
    ("encoded", "bad"),
    [
        (b"body=caf%E9", "caf\\xe9"),
        (b"name=Ann&body=%C0%AF", "\\xc0\\xaf"),
        (b"b%FFdy=text", "b\\xffdy"),
        (b"body=%ED%A0%80", "\\xed\\xa0\\x80"),
    ],
)
def test_malformed_parts_are_found_and_shown_escaped(encoded: bytes, bad: str) -> None:
    assert malformed_part(encoded) == bad


@pytest.mark.parametrize(
    "encoded", [b"", b"body=caf%C3%A9+%E2%82%AC", b"a=1&b=&c", b"q=%25", b"body=caf\xc3\xa9"]
)
def test_valid_utf8_passes(encoded: bytes) -> None:
    assert malformed_part(encoded) is None


@pytest.mark.django_db
def test_a_comment_with_malformed_text_is_refused_with_a_page_that_says_why(
    client: Client,
) -> None:
    article = make_article()

    response = client.post(
        f"/articles/{article.slug}/comment/",
        data=b"name=Ann&body=caf%E9+au+lait",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    assert "caf\\xe9" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_a_malformed_query_string_is_refused(client: Client) -> None:
    response = client.get("/search/", QUERY_STRING="q=%C0%AF")

    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()


@pytest.mark.django_db
def test_valid_text_in_other_scripts_is_accepted(client: Client) -> None:
    response = client.get("/search/", {"q": "Ελληνικά 日本語 café"})

    assert response.status_code == 200
