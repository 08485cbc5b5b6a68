"""Security headers on every page, and a production configuration that passes
`check --deploy` when served over HTTPS."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from django.test import Client

from tests.helpers import make_article, run_broadsheet

pytestmark = pytest.mark.django_db

_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_secure_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    policy = csp_directives(headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "microphone=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


def assert_no_inline_scripts(html: str) -> None:
    for attributes in _SCRIPT_TAG.findall(html):
        assert "src=" in attributes or 'type="application/ld+json"' in attributes, attributes
    assert "<style" not in html  # style-src allows only files


@pytest.mark.parametrize(
    "path",
    ["/", "ARTICLE", "/search/?q=tenants", "/cookies/", "/admin/login/", "/no-such-page/"],
)
def test_every_page_type_carries_the_security_headers(client: Client, path: str) -> None:
    if path == "ARTICLE":
        path = make_article("Tenants organise on the estate").get_absolute_url()

    response = client.get(path)

    assert response.status_code == (404 if path == "/no-such-page/" else 200)
    assert_secure_headers(response)
    assert_no_inline_scripts(response.content.decode())


def test_article_page_keeps_its_structured_data_and_table_alignment(client: Client) -> None:
    body = "| Ward | Rent |\n| :--- | ---: |\n| North | £640 |\n"
    html = client.get(make_article(body=body).get_absolute_url()).content.decode()

    assert '<script type="application/ld+json">' in html
    assert 'style="text-align:right"' in html.replace("text-align: right", "text-align:right")
    policy = csp_directives(client.get("/").headers["Content-Security-Policy"])
    assert policy["style-src-attr"] == ["'unsafe-inline'"]


def test_video_embeds_and_editors_images_are_allowed(client: Client) -> None:
    policy = csp_directives(client.get("/").headers["Content-Security-Policy"])

    assert policy["frame-src"] == ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]
    assert policy["img-src"] == ["'self'", "https:"]


def test_admin_pages_work_under_the_policy(editor_client: Client) -> None:
    response = editor_client.get("/admin/publishing/article/add/")

    assert response.status_code == 200
    assert_secure_headers(response)
    assert_no_inline_scripts(response.content.decode())


def test_analytics_host_is_allowed_only_when_configured(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings; "
        "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; print(d['script-src'])"
    )
    plain = run_broadsheet(tmp_path, "shell", "--no-imports", "-c", code)
    remote = run_broadsheet(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        code,
        ANALYTICS_SCRIPT_URL="https://stats.example.org/js/script.js",
    )

    assert plain.stdout.strip() == "[\"'self'\"]", plain.stderr
    assert remote.stdout.strip() == "[\"'self'\", 'https://stats.example.org']", remote.stderr


_PRODUCTION = {"DEBUG": "false", "ALLOWED_HOSTS": "news.example.org", "HTTPS": "true"}

# Run inside the configured process: sign in over HTTPS and report what the browser gets.
_SIGN_IN_OVER_HTTPS = """
from django.conf import settings
from django.test import Client, override_settings
from broadsheet.accounts.models import User
# Unhashed static files, as in conftest: the manifest needs collectstatic.
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}).enable()
User.objects.create_user("edith", password="correct horse battery staple", is_staff=True)
client = Client(HTTP_HOST="news.example.org")
plain = client.get("/")
print("plain", plain.status_code, plain.headers.get("Location"))
page = client.get("/admin/login/", secure=True)
client.post("/admin/login/", {"username": "edith", "password": "correct horse battery staple"},
            secure=True)
print("hsts", page.headers.get("Strict-Transport-Security"))
print("csrf-secure", bool(client.cookies["csrftoken"]["secure"]))
print("session-secure", bool(client.cookies["sessionid"]["secure"]))
"""


def test_production_over_https_passes_the_deploy_check(tmp_path: Path) -> None:
    env = {**_PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}

    check = run_broadsheet(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)

    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout


def test_without_https_the_deploy_check_warns(tmp_path: Path) -> None:
    env = {**_PRODUCTION, "HTTPS": "false", "SECRET_KEY": secrets.token_urlsafe(50)}

    check = run_broadsheet(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **env)

    assert check.returncode != 0
    assert "security.W004" in check.stderr  # no HSTS


def test_under_https_cookies_are_secure_and_hsts_is_sent(tmp_path: Path) -> None:
    env = {**_PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}
    assert run_broadsheet(tmp_path, "migrate", "-v0", **env).returncode == 0

    result = run_broadsheet(tmp_path, "shell", "--no-imports", "-c", _SIGN_IN_OVER_HTTPS, **env)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "plain 301 https://news.example.org/" in lines
    assert "hsts max-age=31536000; includeSubDomains; preload" in lines
    assert "csrf-secure True" in lines
    assert "session-secure True" in lines


def test_hsts_and_redirect_can_be_tuned(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, "
        "settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_PRELOAD, "
        "getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    tuned = run_broadsheet(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        code,
        HTTPS="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_PRELOAD="false",
        TRUSTED_PROXY_COUNT="1",
    )
    default = run_broadsheet(tmp_path, "shell", "--no-imports", "-c", code)

    assert tuned.stdout.strip() == "False 3600 False ('HTTP_X_FORWARDED_PROTO', 'https')"
    assert default.stdout.strip() == "False 0 False None"
