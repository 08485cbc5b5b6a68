"""Request logs: one line per request with its id, method, path, status and duration, plain
text by default and JSON with LOG_FORMAT=json; the id comes from a sane X-Request-ID header
or is made, and goes back in the response."""

from __future__ import annotations

import json
import logging
import re
import textwrap
from pathlib import Path

import pytest
from django.test import Client

from broadsheet.lib.request_log import JsonFormatter
from tests.helpers import make_article, run_broadsheet


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "broadsheet.requests"]


def test_each_request_logs_one_line_with_a_new_id(
    nadia: Client, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="broadsheet.requests")

    response = nadia.get("/healthz")

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [line] = request_lines(caplog)
    fields = vars(line)
    assert line.getMessage() == f"GET /healthz 200 {fields['duration_ms']:.1f}ms"
    assert fields["request_id"] == request_id
    assert (fields["method"], fields["path"], fields["status"]) == ("GET", "/healthz", 200)
    assert 0 <= fields["duration_ms"] < 10_000
    assert nadia.get("/healthz")["X-Request-ID"] != request_id


def test_a_sane_incoming_id_is_kept_and_sent_back(
    nadia: Client, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="broadsheet.requests")

    response = nadia.get("/healthz", headers={"X-Request-ID": "lb-7f3a:2024.11_05"})

    assert response["X-Request-ID"] == "lb-7f3a:2024.11_05"
    assert vars(request_lines(caplog)[0])["request_id"] == "lb-7f3a:2024.11_05"


@pytest.mark.parametrize(
    "offered", ["x" * 129, "two words", "<script>", "id;drop", "caf\u00e9", "line\\nbreak"]
)
def test_an_unsafe_or_overlong_id_is_replaced(nadia: Client, db: None, offered: str) -> None:
    response = nadia.get("/healthz", headers={"X-Request-ID": offered})

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_path_is_logged_escaped_and_without_the_query(
    nadia: Client, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="broadsheet.requests")

    nadia.get("/no-such-page%0Aforged line/", {"token": "secret-token"})

    [line] = request_lines(caplog)
    assert vars(line)["path"] == "/no-such-page%0Aforged%20line/"
    assert vars(line)["status"] == 404
    assert "secret-token" not in line.getMessage()


def test_a_page_cache_hit_is_logged_but_sends_no_id_for_the_replay_to_repeat(
    nadia: Client, tomasz: Client, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    article = make_article("Ferry timetable cut again")
    caplog.set_level(logging.INFO, logger="broadsheet.requests")
    nadia.get(article.get_absolute_url())
    caplog.clear()

    hit = tomasz.get(article.get_absolute_url())

    assert hit.headers.get("X-Page-Cache") == "hit"
    assert "X-Request-ID" not in hit
    [line] = request_lines(caplog)
    assert vars(line)["status"] == 200


def test_the_json_formatter_writes_one_object_with_the_extra_fields() -> None:
    record = logging.makeLogRecord(
        {
            "name": "broadsheet.requests",
            "levelname": "INFO",
            "msg": "GET %s 200",
            "args": ("/",),
            "request_id": "abc",
            "status": 200,
            "request": object(),  # Django's loggers pass the request: left out
        }
    )

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "GET / 200"
    assert (entry["logger"], entry["level"], entry["request_id"], entry["status"]) == (
        "broadsheet.requests",
        "INFO",
        "abc",
        200,
    )
    assert entry["time"].endswith("+00:00")
    assert "request" not in entry


# Run in a configured process: one request whose cache is down, so that code inside the
# request logs a warning too.
_ONE_REQUEST = textwrap.dedent(
    """
    from django.test import Client
    Client(HTTP_HOST="localhost").get("/healthz", headers={"X-Request-ID": "probe-1"})
    """
)


def test_log_format_json_writes_every_line_as_json_with_the_request_id(tmp_path: Path) -> None:
    result = run_broadsheet(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        _ONE_REQUEST,
        LOG_FORMAT="json",
        CACHE_URL="redis://127.0.0.1:1/0",
    )

    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    [request] = [entry for entry in entries if entry["logger"] == "broadsheet.requests"]
    assert request["request_id"] == "probe-1"
    assert (request["method"], request["path"], request["status"]) == ("GET", "/healthz", 503)
    assert isinstance(request["duration_ms"], float)
    warning = next(entry for entry in entries if entry["logger"] == "broadsheet.lib.health")
    assert warning["level"] == "WARNING"
    assert warning["request_id"] == "probe-1"


def test_log_format_text_writes_plain_lines(tmp_path: Path) -> None:
    result = run_broadsheet(tmp_path, "shell", "--no-imports", "-c", _ONE_REQUEST)

    assert result.returncode == 0, result.stderr
    assert re.search(r"^GET /healthz 200 [\d.]+ms$", result.stderr, re.MULTILINE), result.stderr


def test_an_unknown_log_format_names_the_variable(tmp_path: Path) -> None:
    result = run_broadsheet(tmp_path, "check", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "LOG_FORMAT" in result.stderr
