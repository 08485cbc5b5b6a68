"""What bench/run drives: the Debian tools (wrk, nginx), `broadsheet serve` in its own
process group, samplers of its memory and CPU time, and small HTTP and timing
helpers. Nothing here knows the scenarios; run.py does.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
BROADSHEET = ROOT / ".venv" / "bin" / "broadsheet"
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def find_tools() -> dict[str, str]:
    """wrk and nginx from Debian, installed here when missing and we are root."""
    paths = {name: _which(name) for name in ("wrk", "nginx")}
    missing = [name for name, path in paths.items() if path is None]
    if missing and os.geteuid() == 0:
        print(f"Installing {' '.join(missing)} from Debian (apt-get)...", flush=True)
        quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=quiet, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=quiet, check=False)
        paths = {name: _which(name) for name in ("wrk", "nginx")}
        missing = [name for name, path in paths.items() if path is None]
    if missing:
        sys.exit(
            f"bench/run needs {' and '.join(missing)}: run `apt-get install -y wrk nginx` "
            "as root (or run bench/run as root, which installs them)."
        )
    return {name: str(path) for name, path in paths.items()}


def _which(name: str) -> str | None:
    # nginx lives in /usr/sbin, which an ordinary user's PATH may lack.
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The site's environment: nothing of ours (no DATABASE_URL, CACHE_URL or WEB_WORKERS)
    but the path and locale, so every setting not named here is the production default."""
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    return {**env, "BROADSHEET_HOME": str(home), **extra}


def broadsheet(home: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(BROADSHEET), *args],
        env=clean_env(home, **(env or {})),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        sys.exit(f"broadsheet {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(url: str, headers: dict[str, str] | None = None, form: bytes | None = None) -> Reply:
    """One GET (or a POST of `form`), undecoded: the body is the bytes sent, compressed if
    the server chose. Redirects are followed."""
    request = urllib.request.Request(url, headers=headers or {}, data=form)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            found = {k.lower(): v for k, v in response.headers.items()}
            return Reply(response.status, found, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def stop_group(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """End a process we started in its own session, and everything it started."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_group(process)
                sys.exit(f"{what} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)


class RssSampler(threading.Thread):
    """VmRSS of a process and its descendants every `interval` seconds; the peak of each.

    Also their PSS (smaps_rollup), which splits pages shared after a fork between the
    processes sharing them: granian forks its workers from the main process, so VmRSS
    counts what the main process had loaded once in every worker as well."""

    def __init__(self, root_pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.peak_kb: dict[int, int] = {}
        self.peak_pss_kb: dict[int, int] = {}
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            for pid in [self.root_pid, *descendants(self.root_pid)]:
                rss = _field_kb(f"/proc/{pid}/status", "VmRSS")
                if rss is not None:
                    self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), rss)
                pss = _field_kb(f"/proc/{pid}/smaps_rollup", "Pss")
                if pss is not None:
                    self.peak_pss_kb[pid] = max(self.peak_pss_kb.get(pid, 0), pss)
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)

    def workers_mb(self, pss: bool = False) -> list[float]:
        peaks = self.peak_pss_kb if pss else self.peak_kb
        return [kb / 1024 for pid, kb in sorted(peaks.items()) if pid != self.root_pid]

    def main_mb(self, pss: bool = False) -> float:
        return (self.peak_pss_kb if pss else self.peak_kb).get(self.root_pid, 0) / 1024


def cpu_seconds(root: int) -> float:
    """User and system CPU time of a process and its descendants so far."""
    total = 0
    for pid in [root, *descendants(root)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses: fields follow the last ")".
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        found += children
        frontier += children
    return found


def _field_kb(path: str, field_name: str) -> int | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


@dataclass
class Server:
    """`broadsheet serve` with its default workers, its memory sampled while it runs."""

    home: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    sampler: RssSampler | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> Server:
        log_path = self.home / f"server-{self.port}.log"
        self._log = log_path.open("wb")
        # The plain command, as deployed: it collects static files first, in granian's main
        # process, whose memory the forked workers then share.
        self.process = subprocess.Popen(
            [str(BROADSHEET), "serve", "--port", str(self.port)],
            env=clean_env(self.home, **self.env),
            cwd=self.home,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_until_answering(self.url + "/robots.txt", self.process, log_path, "broadsheet serve")
        # Every worker up before measuring: granian logs "Started worker-N" for each.
        deadline = time.monotonic() + 60
        workers = os.cpu_count() or 1
        while log_path.read_text(errors="replace").count("Started worker-") < workers:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.sampler = RssSampler(self.process.pid)
        self.sampler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.sampler is not None:
            self.sampler.stop()
        if self.process is not None:
            stop_group(self.process)
        if self._log is not None:
            self._log.close()


def _nginx_conf(directory: Path, port: int, body: str, upstream: str = "") -> str:
    """A minimal nginx configuration in `directory`: one server on `port` whose location
    block is `body`."""
    temp = directory / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the temp dir
    return f"""{user}
worker_processes auto;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    types {{ }}
    default_type text/html;
    charset utf-8;
    server_tokens off;
{upstream}
    server {{
        listen 127.0.0.1:{port};
        root {directory}/root;
        location / {{
{body}
        }}
    }}
}}
"""


class Nginx:
    """nginx from a configuration written to `directory`: serving one page's stored bytes
    (and its .gz sibling) with the same response headers (`Nginx.page()`), or in front of
    servers as the reverse proxy (`Nginx.proxy()`)."""

    def __init__(self, binary: str, directory: Path, port: int, url: str, conf: str) -> None:
        self.binary, self.directory, self.port, self.url = binary, directory, port, url
        self.process: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "nginx.conf").write_text(conf)

    @classmethod
    def page(
        cls,
        binary: str,
        directory: Path,
        port: int,
        path: str,
        page: bytes,
        page_gz: bytes,
        headers: dict[str, str],
    ) -> Nginx:
        page_dir = directory / "root" / path.strip("/")
        page_dir.mkdir(parents=True, exist_ok=True)
        (page_dir / "index.html").write_bytes(page)
        (page_dir / "index.html.gz").write_bytes(page_gz)
        added = "\n".join(
            f'            add_header {name} "{value}" always;'
            for name, value in headers.items()
            if "$" not in value and '"' not in value
        )
        body = f"            gzip_static on;\n            etag on;\n{added}"
        url = f"http://127.0.0.1:{port}{path}"
        return cls(binary, directory, port, url, _nginx_conf(directory, port, body))

    @classmethod
    def proxy(cls, binary: str, directory: Path, port: int, ports: list[int]) -> Nginx:
        servers = "\n".join(f"        server 127.0.0.1:{each};" for each in ports)
        upstream = f"    upstream broadsheet {{\n{servers}\n        keepalive 64;\n    }}"
        body = """            proxy_pass http://broadsheet;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_buffers 16 32k;"""
        url = f"http://127.0.0.1:{port}"
        return cls(binary, directory, port, url, _nginx_conf(directory, port, body, upstream))

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> Nginx:
        log = self.directory / "stdout.log"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "-p",
                    str(self.directory),
                    "-c",
                    str(self.directory / "nginx.conf"),
                    "-g",
                    "daemon off;",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_until_answering(self.url, self.process, self.directory / "error.log", "nginx")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_group(self.process, grace=5.0)


class Front:
    """What the clients talk to: one `broadsheet serve`, or several behind nginx."""

    def __init__(self, home: Path, count: int, env: dict[str, str], nginx: str) -> None:
        self.servers = [Server(home, free_port(), env) for _ in range(count)]
        self.proxy: Nginx | None = None
        if count > 1:
            ports = [server.port for server in self.servers]
            self.proxy = Nginx.proxy(nginx, home / f"proxy-{ports[0]}", free_port(), ports)

    @property
    def url(self) -> str:
        return self.proxy.url if self.proxy else self.servers[0].url

    @property
    def pids(self) -> list[int]:
        """The processes whose CPU time a request costs: the servers, and nginx in front."""
        return [server.pid for server in self.servers] + ([self.proxy.pid] if self.proxy else [])

    def __enter__(self) -> Front:
        try:
            for server in self.servers:
                server.__enter__()
            if self.proxy is not None:
                self.proxy.__enter__()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proxy is not None:
            self.proxy.__exit__()
        for server in reversed(self.servers):
            server.__exit__()


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int
    socket_errors: str
    output: str
    server_cpu: float  # seconds of CPU the server's processes used during the run
    wrk_cpu: float  # and wrk itself, on the same two cores


def wrk(
    binary: str,
    url: str,
    *options: str,
    script: Path | None = None,
    script_args: tuple[str, ...] = (),
    server_pids: list[int],
) -> WrkResult:
    args = [binary, *options, "--latency"]
    if script is not None:
        args += ["-s", str(script)]
    args.append(url)
    if script_args:
        args += ["--", *script_args]
    server_before = sum(cpu_seconds(pid) for pid in server_pids)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = sum(cpu_seconds(pid) for pid in server_pids) - server_before
    wrk_cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )

    def ms(pattern: str) -> float:
        match = re.search(pattern, output, re.MULTILINE)
        return float(match.group(1)) * UNITS_MS[match.group(2)] if match else float("nan")

    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return WrkResult(
        requests=int(total.group(1)) if total else 0,
        seconds=float(total.group(2)) * UNITS_MS[total.group(3)] / 1000 if total else float("nan"),
        rps=float(rps.group(1)) if rps else float("nan"),
        p50_ms=ms(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$"),
        p99_ms=ms(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$"),
        non_2xx_3xx=int(non.group(1)) if non else 0,
        socket_errors=errors.group(1).strip() if errors else "",
        output=output,
        server_cpu=server_cpu,
        wrk_cpu=wrk_cpu,
    )


def sqlite_commit_ms(directory: Path, commits: int = 100) -> tuple[float, float]:
    """p50 and p99 of one small SQLite commit as the site commits (WAL, synchronous=FULL),
    on the disk the bench's site uses: the floor under one comment post."""
    path = directory / "commit-probe.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE probe (value INTEGER)")
        times = []
        for value in range(commits):
            start = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO probe VALUES (?)", (value,))
            connection.execute("COMMIT")
            times.append((time.perf_counter() - start) * 1000)
    finally:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    times.sort()
    return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.99))]


class BareWsgi:
    """granian as `broadsheet serve` runs it (same workers and threads), with a WSGI app
    that does nothing but send one stored response: what any Python app served this way
    can reach at best, for scenario (e)."""

    def __init__(self, directory: Path, port: int, body: bytes, headers: dict[str, str]) -> None:
        self.directory, self.port = directory, port
        self.url = f"http://127.0.0.1:{port}/"
        self.process: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "page.bin").write_bytes(body)
        (directory / "bare_app.py").write_text(
            "from pathlib import Path\n"
            f"BODY = Path({str(directory / 'page.bin')!r}).read_bytes()\n"
            f"HEADERS = {sorted(headers.items())!r} + [('Content-Length', str(len(BODY)))]\n"
            "def application(environ, start_response):\n"
            "    start_response('200 OK', HEADERS)\n"
            "    return [BODY]\n"
        )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> BareWsgi:
        granian = BROADSHEET.parent / "granian"
        log = self.directory / "granian.log"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    str(granian), "--interface", "wsgi", "--host", "127.0.0.1",
                    "--port", str(self.port), "--workers", str(os.cpu_count() or 1),
                    "--blocking-threads", "4", "bare_app:application",
                ],
                cwd=self.directory,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        _wait_until_answering(self.url, self.process, log, "granian (bare app)")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            stop_group(self.process, grace=5.0)
