"""The OpenAPI document and the browsable docs: a valid OpenAPI 3 document naming every
endpoint, and a docs page that loads nothing from another host."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_document(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert set(paths) == {
        "/api/v1/articles",
        "/api/v1/articles/{slug}",
        "/api/v1/articles/{slug}/comments",
        "/api/v1/authors",
        "/api/v1/authors/{slug}",
        "/api/v1/topics",
        "/api/v1/topics/{slug}",
        "/api/v1/moderation/held-comments",
        "/api/v1/moderation/comments/{comment_id}/approve",
        "/api/v1/moderation/comments/{comment_id}/reject",
        "/api/v1/moderation/comments/{comment_id}/spam",
        "/api/v1/moderation/bans",
    }
    assert set(paths["/api/v1/articles"]) == {"get", "post"}
    assert set(paths["/api/v1/articles/{slug}"]) == {"get", "patch"}
    # Staff operations take a bearer token and declare what a missing one answers.
    for path, method in [
        ("/api/v1/articles", "post"),
        ("/api/v1/articles/{slug}", "patch"),
        ("/api/v1/moderation/held-comments", "get"),
        ("/api/v1/moderation/comments/{comment_id}/approve", "post"),
        ("/api/v1/moderation/bans", "post"),
    ]:
        operation = paths[path][method]
        assert operation["security"] == [{"TokenAuth": []}], path
        assert {"401", "403", "429"} <= set(operation["responses"]), path
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    assert "security" not in paths["/api/v1/articles"]["get"]
    assert set(paths["/api/v1/articles/{slug}/comments"]) == {"get", "post"}
    posting = paths["/api/v1/articles/{slug}/comments"]["post"]
    assert {"201", "400", "409", "413", "429"} <= set(posting["responses"])
    schemas = document["components"]["schemas"]
    assert {"ErrorOut", "CommentIn", "CommentPosted", "ArticleOut"} <= set(schemas)
    query = {p["name"] for p in paths["/api/v1/articles"]["get"]["parameters"]}
    assert {"topic", "author", "published_since", "published_before", "cursor"} <= query


def test_docs_page_loads_only_local_assets(client: Client) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert addresses, html
    for address in addresses:
        assert address.startswith("/static/"), address
        assert finders.find(address.removeprefix("/static/")), address
    assert "http://" not in html and "https://" not in html
    settings_block = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)
    assert settings_block is not None
    swagger_settings = json.loads(settings_block.group(1))
    # Swagger UI would otherwise send the document to validator.swagger.io.
    assert swagger_settings["validatorUrl"] is None
    assert swagger_settings["url"] == "/api/v1/openapi.json"
