"""A fresh site, migrated and seeded by tests/e2e/seed.py, served by `broadsheet serve` on
a free loopback port: for the browser tests and the API fuzzing."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import BROADSHEET

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "e2e" / "seed.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def seeded_server(home: Path, settings: dict[str, str]) -> Iterator[str]:
    """Migrate and seed a site in `home`, serve it with `settings` as its environment, and
    give its address; the server stops on leaving."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BROADSHEET_HOME": str(home),
        "PYTHONPATH": str(ROOT),
        **settings,
    }
    for args in (
        ["migrate", "--noinput"],
        ["shell", "--no-imports", "-c", f"import runpy; runpy.run_path({str(SEED)!r})"],
    ):
        result = subprocess.run(
            [BROADSHEET, *args], env=env, cwd=home, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, f"broadsheet {' '.join(args)} failed:\n{result.stderr}"
    port = free_port()
    log_path = home / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [BROADSHEET, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            cwd=home,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/robots.txt", timeout=5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail("broadsheet serve did not start:\n" + log_path.read_text())
                time.sleep(0.2)
        try:
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # A request still running (a stuck one is what some benches measure)
                # holds a graceful shutdown up; it is not worth waiting for.
                server.kill()
                server.wait(timeout=15)
