"""What the server tests drive: `broadsheet serve` processes, a cuttable TCP proxy, a
plain HTTP client that keeps cookies, a bounded posting load, and direct reads of the
test's own PostgreSQL database and Redis keys.

Nothing here starts or stops a service it did not start: the shared PostgreSQL and Redis
are only reached (through the proxy, or directly to read and clean up what the tests
made).
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg

ROOT = Path(__file__).resolve().parents[2]
BROADSHEET = ROOT / ".venv" / "bin" / "broadsheet"
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# A TCP proxy that can be cut ---------------------------------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `upstream`, one thread per direction of each
    connection. `cut()` closes every connection and stops listening (new connections are
    refused, as from a host that went away); `restore()` listens again on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            listener, self.listener = self.listener, None
            open_sockets, self.sockets = list(self.sockets), set()
        if listener is not None:
            _close(listener)
        for sock in open_sockets:
            _close(sock)

    close = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self.lock:
                if self.listener is not listener:
                    _close(client)
                    _close(server)
                    return
                self.sockets.update((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with self.lock:
                self.sockets.discard(sock)
            _close(sock)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


# broadsheet serve ------------------------------------------------------------------------------


class Server:
    """One `broadsheet serve` in its own process group, restartable on the same port."""

    def __init__(self, name: str, home: Path, env: dict[str, str], workers: int = 2) -> None:
        self.name = name
        self.home = home
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / f"server-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [str(BROADSHEET), "serve", "--no-collectstatic", "--port", str(self.port)]
                + ["--workers", str(self.workers), "--threads", "4"],
                env=self.env,
                cwd=self.home,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_until_answering()

    def wait_until_answering(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if fetch(self.url, "/robots.txt", timeout=5).status == 200:
                    return
            except OSError:
                pass
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server {self.name} did not answer:\n{self.log_tail()}")
            time.sleep(0.1)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """granian's worker processes: the main process's children that serve requests
        (not multiprocessing's resource tracker)."""
        return [pid for pid in children(self.pid) if "resource_tracker" not in cmdline(pid)]

    def kill_everything(self) -> None:
        """kill -9 the server and its workers at once, as a crashed machine would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def ensure_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.start()
        else:
            self.wait_until_answering()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The parent is the second field after the command, which may hold spaces.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def broadsheet(home: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BROADSHEET), *args], env=env, cwd=home, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"broadsheet {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result.stdout


# HTTP --------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


def fetch(
    base: str,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    timeout: float = 15,
) -> Reply:
    """One request, redirects not followed, a gzip body unpacked. Raises OSError when the
    connection fails (refused, reset, closed without an answer)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    sent = {"Accept-Encoding": "gzip", **(headers or {})}
    body = None
    if form is not None:
        method = "POST"
        body = urlencode(form)
        sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        sent.setdefault("Origin", base)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        found = {k.lower(): v for k, v in response.getheaders()}
        found["set-cookie"] = ", ".join(response.headers.get_all("Set-Cookie") or [])
    except http.client.HTTPException as error:
        raise ConnectionError(str(error)) from error
    finally:
        connection.close()
    if found.get("content-encoding") == "gzip":
        data = gzip.decompress(data)
    return Reply(response.status, found, data)


class Visitor:
    """A browser of one person: its own client address (sent as X-Forwarded-For, which the
    servers trust from one proxy) and cookies, whichever server it talks to."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, base: str, path: str, form: dict[str, str] | None = None) -> Reply:
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None and "csrftoken" in self.cookies:
            form = {"csrfmiddlewaretoken": self.cookies["csrftoken"], **form}
        reply = fetch(base, path, headers=headers, form=form)
        for line in _set_cookie_lines(reply.headers.get("set-cookie", "")):
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return reply

    def log_in(self, base: str, username: str, password: str) -> Reply:
        self.request(base, "/accounts/login/")
        return self.request(base, "/accounts/login/", {"username": username, "password": password})


def _set_cookie_lines(joined: str) -> list[str]:
    # Set-Cookie values were joined with ", "; "expires=Wed, 01 Jan" has a comma too.
    return [part for part in re.split(r", (?=[A-Za-z0-9_-]+=)", joined) if part]


def shown_at(base: str, path: str) -> str:
    """The comment form's signed time from a page, as the form would send it."""
    match = re.search(r'name="shown_at" value="([^"]*)"', fetch(base, path).text)
    assert match, f"no shown_at field on {path}"
    return match.group(1)


def comment_form(
    body: str, stamp: str, name: str = "Load reader", email: str = ""
) -> dict[str, str]:
    return {
        "name": name,
        "body": body,
        "email": email,
        "homepage": "",
        "website": "",
        "shown_at": stamp,
        "save": "1",
    }


def comment_id(reply: Reply) -> int:
    match = re.search(r"#comment-(\d+)$", reply.headers.get("location", ""))
    assert reply.status == 302 and match, f"not a saved comment: {reply.status} {reply.text[:300]}"
    return int(match.group(1))


# A bounded posting load ------------------------------------------------------------------------


@dataclass
class Load:
    """What a run of posting clients got: the bodies answered with 302 (saved), every body
    tried, each answer's status (or the connection error), and the failed answers."""

    acknowledged: set[str] = field(default_factory=set)
    attempted: set[str] = field(default_factory=set)
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[Reply] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def post_load(
    servers: list[str],
    path: str,
    stamp: str,
    tag: str,
    *,
    seconds: float,
    clients: int = 16,
    during: Callable[[], None] | None = None,
) -> Load:
    """`clients` threads post comments with bodies no other post has, for `seconds`, to
    the servers in turn. A post that fails (no answer, or a 5xx) is sent again with the same
    body to the next server, up to four times, as a person pressing Save again would: the
    duplicate check must make that one comment, never two. `during()` runs in this thread
    meanwhile (the fault)."""
    load = Load()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        sent = 0
        while time.monotonic() < deadline:
            sent += 1
            body = f"{tag} client {number} post {sent}."
            form = comment_form(body, stamp, name=f"Load reader {number}")
            with load.lock:
                load.attempted.add(body)
            for attempt in range(4):
                base = servers[(number + sent + attempt) % len(servers)]
                headers = {"X-Forwarded-For": f"10.{number}.{sent // 250}.{sent % 250 + 1}"}
                try:
                    reply = fetch(base, path, headers=headers, form=form, timeout=20)
                except OSError as error:
                    with load.lock:
                        load.statuses[type(error).__name__] += 1
                    time.sleep(0.05)
                    continue
                with load.lock:
                    load.statuses[str(reply.status)] += 1
                    if reply.status == 302:
                        load.acknowledged.add(body)
                    elif reply.status >= 500:
                        load.failures.append(reply)
                if reply.status < 500:
                    break
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    if during is not None:
        during()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return load


# The test's own database and Redis keys ---------------------------------------------------------


@dataclass
class Database:
    """The shared PostgreSQL server and the one database these tests made on it."""

    host: str
    port: int
    user: str
    password: str
    name: str

    def url(self, port: int | None = None) -> str:
        auth = quote(self.user) + (f":{quote(self.password)}" if self.password else "")
        return f"postgres://{auth}@{self.host}:{port or self.port}/{self.name}"

    @contextmanager
    def connect(self, dbname: str | None = None) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=dbname or self.name,
            connect_timeout=5,
            autocommit=True,
        ) as connection:
            yield connection

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.connect() as connection:
            return connection.execute(sql, params).fetchall()

    def copies_of(self, prefix: str) -> Counter[str]:
        """How many comments there are with each body starting with `prefix`."""
        rows = self.rows(
            "SELECT body_source FROM discussion_comment WHERE body_source LIKE %s",
            prefix.replace("%", r"\%") + "%",
        )
        return Counter(body for (body,) in rows)

    def comment(self, pk: int) -> dict[str, Any]:
        with self.connect() as connection:
            cursor = connection.execute(
                "SELECT status, held_reasons, body_source FROM discussion_comment WHERE id = %s",
                (pk,),
            )
            status, reasons, body = cursor.fetchone() or (None, None, None)
        return {"status": status, "held_reasons": reasons or [], "body": body}


def settle(database: Database, prefix: str, seconds: float = 1.0) -> Counter[str]:
    """The copies once no more arrive: a post cut off client-side may still be committing."""
    last = database.copies_of(prefix)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        time.sleep(seconds)
        now = database.copies_of(prefix)
        if now == last:
            return now
        last = now
    return last


def check_exactly_once(load: Load, copies: Counter[str]) -> None:
    twice = {body: count for body, count in copies.items() if count > 1}
    lost = sorted(load.acknowledged - set(copies))
    assert not twice, f"stored more than once: {twice}"
    assert not lost, f"acknowledged (302) but not stored: {lost[:10]} ({len(lost)})"
    assert set(copies) <= load.attempted, "stored bodies nobody sent"
