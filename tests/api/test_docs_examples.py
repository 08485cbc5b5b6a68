"""The curl examples of docs/api.md, run through the test client against the articles
and people they name, each answering with the status the document says."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from broadsheet.accounts.models import ApiToken, User
from broadsheet.accounts.tokens import hash_token
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Article
from tests.helpers import make_comment

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
EXAMPLE = re.compile(r"^(curl .*?)\s+# -> (\d{3})$", re.M)


def examples() -> list[tuple[str, int]]:
    return [(command, int(status)) for command, status in EXAMPLE.findall(DOC.read_text())]


def run_curl(client: Client, command: str) -> Any:
    """Send what a curl command line would: -X method, -H headers, --data body, the URL."""
    words = shlex.split(command)[1:]
    method, headers, data, url = "GET", {}, None, ""
    while words:
        word = words.pop(0)
        if word == "-X":
            method = words.pop(0)
        elif word == "-H":
            name, _, value = words.pop(0).partition(": ")
            headers[name] = value
        elif word == "--data":
            data = words.pop(0)
            method = "POST" if method == "GET" else method
        else:
            url = word
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    content_type = headers.pop("Content-Type", "application/octet-stream")
    return client.generic(method, path, data or "", content_type=content_type, headers=headers)


def test_the_document_has_examples() -> None:
    assert len(examples()) >= 12


@pytest.mark.django_db
@pytest.mark.parametrize(("command", "status"), examples())
def test_example(
    client: Client, article: Article, editor: User, moderator: User, command: str, status: int
) -> None:
    make_comment(article)
    # The held comment and the tokens the staff examples name.
    make_comment(
        article, pk=4242, status=Comment.Status.HELD, email="troll@example.net",
        address_hash="0" * 64, held_reasons=["links"],
    )  # fmt: skip
    for user, raw in [
        (editor, "bst_editor01_example-editor-token"),
        (moderator, "bst_moder001_example-moderator-token"),
    ]:
        ApiToken.objects.create(user=user, name="docs", prefix=raw[4:12], key_hash=hash_token(raw))
    response = run_curl(client, command)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
