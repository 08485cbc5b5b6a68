"""`broadsheet serve`: the production server answers pages and hashed, compressed assets,
and serves beyond loopback only with a SECRET_KEY of the operator's."""

from __future__ import annotations

import fcntl
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from broadsheet.management.commands import serve
from tests.helpers import BROADSHEET, PASSED_THROUGH, free_port, run_broadsheet

NO_KEY_NOTE = (
    "No SECRET_KEY set: using a generated key kept in var/secret_key (fine on this machine "
    "only; set SECRET_KEY before serving on a network)."
)


def get(url: str, **headers: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


@pytest.fixture(scope="module")
def served_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    home = tmp_path_factory.mktemp("site")
    assert run_broadsheet(home, "migrate", "--noinput").returncode == 0
    port = free_port()
    env = {"BROADSHEET_HOME": str(home), "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen(
        [BROADSHEET, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    # collectstatic compresses every file first, which can take most of a minute.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            get(base + "/robots.txt")
            break
        except OSError:
            if server.poll() is not None:
                output = server.stdout.read().decode() if server.stdout else ""
                pytest.fail(f"broadsheet serve exited early:\n{output}")
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("broadsheet serve did not answer within 120 s")
    yield base, server.pid
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def served_site(served_process: tuple[str, int]) -> str:
    return served_process[0]


def test_granian_starts_from_a_fresh_interpreter_not_from_the_command(
    served_process: tuple[str, int],
) -> None:
    """granian forks its workers from this process: had it stayed the management command,
    each worker would begin with the whole site and collectstatic's leftovers (110-140 MB
    measured) before loading the site again."""
    _, pid = served_process
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert b"broadsheet.serving" in command, command
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    assert found is not None
    # The site alone takes about 64 MB loaded; granian's own process about 27 MB.
    assert int(found.group(1)) < 60 * 1024, "granian's process holds no copy of the site"


def test_serves_the_home_page(served_site: str) -> None:
    status, headers, body = get(served_site + "/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert b"Nothing has been published yet." in body


def test_static_assets_are_hashed_compressed_and_cached_for_a_year(served_site: str) -> None:
    _, _, body = get(served_site + "/")
    match = re.search(rb'href="(/static/broadsheet/site\.[0-9a-f]{12}\.css)"', body)
    assert match, "the stylesheet link should carry a content hash"

    status, headers, _ = get(
        served_site + match.group(1).decode(), **{"Accept-Encoding": "br, gzip"}
    )

    assert status == 200
    assert headers["Content-Encoding"] in {"br", "gzip"}
    assert "max-age=31536000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]


def test_static_files_are_collected_by_one_server_at_a_time(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two servers sharing var/ (several on one machine) once deleted each other's files
    # while both collected them at start-up.
    settings.STATIC_ROOT = tmp_path / "static"
    held_while_collecting = []

    def collectstatic(*args: Any, **kwargs: Any) -> None:
        with (tmp_path / ".collectstatic.lock").open("w") as other_server:
            try:
                fcntl.flock(other_server, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held_while_collecting.append(True)
            else:
                held_while_collecting.append(False)

    monkeypatch.setattr(serve, "call_command", collectstatic)

    serve.collect_static_files()

    assert held_while_collecting == [True]


def serve_output(home: Path, *args: str, **env: str) -> tuple[str, str]:
    """Start `broadsheet serve` (one worker, no collectstatic) in a clean environment, wait
    until it listens on its loopback port, stop it: its stdout and stderr."""
    port = free_port()
    clean = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    clean.update({"BROADSHEET_HOME": str(home), **env})
    command = [BROADSHEET, "serve", "--port", str(port), "--workers", "1", "--no-collectstatic"]
    server = subprocess.Popen(
        [*command, *args], env=clean, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
    finally:
        server.terminate()
        stdout, stderr = server.communicate(timeout=10)
    return stdout.decode(), stderr.decode()


def test_without_secret_key_it_refuses_to_serve_beyond_this_machine(tmp_path: Path) -> None:
    result = run_broadsheet(tmp_path, "serve", "--host", "0.0.0.0", "--port", str(free_port()))

    assert result.returncode != 0
    assert result.stderr.strip() == (
        "CommandError: Refusing to serve on 0.0.0.0 without SECRET_KEY: set it in the "
        "environment or in .env to a long random value (python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'); a generated key is only for serving on 127.0.0.1."
    )
    # Nothing started: no server line, no static files collected.
    assert result.stdout == ""
    assert not (tmp_path / "var" / "static" / "staticfiles.json").exists()


def test_without_secret_key_loopback_serves_and_says_so_first(tmp_path: Path) -> None:
    stdout, stderr = serve_output(tmp_path)

    lines = stdout.splitlines()
    assert lines and lines[0] == NO_KEY_NOTE, stderr
    assert lines[1].startswith("Serving on http://127.0.0.1:")
    assert stdout.count("No SECRET_KEY") == 1  # from the parent only, not from each worker


def test_with_secret_key_in_dotenv_nothing_is_said(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SECRET_KEY=chosen-by-the-operator-" + "x" * 30 + "\n")

    stdout, stderr = serve_output(tmp_path)

    assert stdout.startswith("Serving on http://127.0.0.1:"), stderr
    assert "SECRET_KEY" not in stdout + stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.20", False),
        ("news.example.org", False),
    ],
)
def test_only_loopback_addresses_count_as_this_machine(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback
