"""`broadsheet serve`: the production server answers pages and hashed, compressed assets."""

from __future__ import annotations

import fcntl
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
from tests.test_settings import BROADSHEET, run_broadsheet


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, **headers: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
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
    deadline = time.monotonic() + 30
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
        pytest.fail("broadsheet serve did not answer within 30 s")
    yield base
    server.terminate()
    server.wait(timeout=10)


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
