"""bench/run: the served site against the physical limit of this machine.

A fresh site in a temporary directory (one article of about 1,300 words with 200 threaded
comments, bench/served/seed.py), served by `broadsheet serve` with its default workers
(one per CPU) and the default cache (files under var/cache, shared by the workers), then
measured with wrk from the same machine:

  a. the article from the page cache, anonymous, gzip accepted as a browser does;
  b. the same page rendered every time (PAGE_CACHE_SECONDS=0);
  c. anonymous comment posts from a bounded number of clients, each acknowledged post
     (302) checked against the database;
  d. nginx serving the page cache's own bytes (plain and .gz) with the same headers:
     the limit for (a);
  e. granian, as (a) runs it, with a WSGI app that only sends those bytes and headers:
     the most any Python app served this way can do;
  f. the storm: (a) while comments are published to the same article at a steady rate
     (--storm-rate, 20/s), each post checked against the database and timed until an
     anonymous reader sees it (bench/served/storm.py);
  g. the cached article for a client that asks for no compression (no Accept-Encoding);
  h. nginx serving the same plain bytes: the limit for (g).

With --scaled, the same again with two servers sharing PostgreSQL and Redis behind nginx
(bench/served/shapes.py), printed beside the first table; (d), (e) and (h) are not run
again.

Spam checks that hold a program's posts (form age, rate limits, duplicates) and the
anonymous-comment hold are switched off, so every post should publish. Prints one table;
the targets are printed beside the numbers, never asserted. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from .report import Posting, Row, code, machine, report
from .shapes import Shape, scaled_shape, sqlite_shape
from .storm import Storm, run_storm
from .tools import (
    BareWsgi,
    Front,
    Nginx,
    broadsheet,
    fetch,
    find_tools,
    free_port,
    sqlite_commit_ms,
    wrk,
)

HERE = Path(__file__).resolve().parent
SERVER_ENV = {
    "SPAM_MIN_FORM_SECONDS": "0",
    "COMMENT_RATE_LIMIT_ADDRESS": "",
    "COMMENT_RATE_LIMIT_EMAIL": "",
    "COMMENT_DUPLICATE_WINDOW_SECONDS": "0",
    "COMMENTS_HOLD_ANONYMOUS": "false",
}
GZIP = {"Accept-Encoding": "gzip"}
# Headers nginx makes itself; every other header of the cached page is copied to it.
OWN_HEADERS = {
    "date",
    "server",
    "content-length",
    "content-type",
    "content-encoding",
    "etag",
    "last-modified",
    "connection",
    "transfer-encoding",
}
WARM_UP = 6  # requests before a measured run: each worker has served its first


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15, help="each page run (default 15)")
    parser.add_argument("--connections", type=int, default=32, help="page runs (default 32)")
    parser.add_argument("--post-seconds", type=int, default=10, help="the posting run (10)")
    parser.add_argument("--post-clients", type=int, default=16, help="posting clients (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--storm-rate", type=float, default=20.0, help="comments/s posted in the storm (20)"
    )
    parser.add_argument("--storm-seconds", type=int, help="the storm's run (default: as --seconds)")
    parser.add_argument(
        "--storm-posters",
        type=int,
        default=64,
        help="the storm's posting threads, at most this many posts in flight (64)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary site")
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="then measure two servers sharing PostgreSQL and Redis behind nginx "
        "(127.0.0.1:5432 and :6379; a database and key prefix of the bench's own)",
    )
    parser.add_argument(
        "--src",
        type=Path,
        help="serve the broadsheet package from this src/ directory instead of the working "
        "tree (e.g. a commit exported with `git archive HEAD src | tar -x -C DIR`)",
    )
    args = parser.parse_args(argv)
    if args.storm_seconds is None:
        args.storm_seconds = args.seconds
    return args


def main(argv: list[str]) -> int:
    args = arguments(argv)
    # Ctrl-C raises KeyboardInterrupt; TERM and HUP end the same way, through every
    # `with` below, so no server or nginx outlives the bench.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda number, frame: sys.exit(128 + number))
    tools = find_tools()
    home = Path(tempfile.mkdtemp(prefix="broadsheet-served-"))
    try:
        print(f"Machine: {machine()}", flush=True)
        print(f"Code: {code(args.src)}", flush=True)
        tables = []
        with sqlite_shape(home / "sqlite") as shape:
            rows, posting, commit_ms, storm = measure(args, tools, home / "sqlite", shape, None)
        tables.append((shape, report(rows, posting, commit_ms, args, storm)))
        if args.scaled:
            with scaled_shape() as scaled:
                rows, posting, _, storm = measure(
                    args, tools, home / "scaled", scaled, limits(rows)
                )
            tables.append((scaled, report(rows, posting, None, args, storm)))
        print()
        print(f"Machine: {machine()}")
        print(f"Code: {code(args.src)}")
        for measured, table in tables:
            print(f"\n### {measured.name}\n\n{table}")
        return 0
    except KeyboardInterrupt:
        print("\nInterrupted; servers stopped.", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"Site kept in {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def measure(
    args: argparse.Namespace,
    tools: dict[str, str],
    home: Path,
    shape: Shape,
    measured_limits: dict[str, Row] | None,
) -> tuple[dict[str, Row], Posting, tuple[float, float] | None, Storm]:
    """Every scenario on one shape; the limits (d, e, h) only when not already measured."""
    home.mkdir(parents=True, exist_ok=True)
    source = {"PYTHONPATH": str(args.src.resolve())} if args.src else {}
    site_env = {**shape.env, **source}
    print(f"{shape.name}: building the site in {home} ...", flush=True)
    broadsheet(home, "migrate", "--noinput", env=site_env)
    lines = broadsheet(
        home,
        "shell",
        "--no-imports",
        "-c",
        f"import runpy; runpy.run_path({str(HERE / 'seed.py')!r})",
        env=site_env,
    ).splitlines()
    slug, summary = lines[-1].strip(), lines[-2].strip()
    print(f"Site: {summary}.", flush=True)
    commit_ms = sqlite_commit_ms(home) if shape.sqlite_path else None
    page_path = f"/articles/{slug}/"
    load = page_load(args, args.seconds)
    plain_load = page_load(args, args.seconds, compressed=False)
    rows: dict[str, Row] = {}
    served_env = {**SERVER_ENV, **site_env}

    def front(env: dict[str, str]) -> Front:
        return Front(home, shape.servers, env, tools["nginx"])

    print("a. the cached page ...", flush=True)
    with front(served_env) as server:
        row = rows["a"] = Row("a. article, page cache (hit)", None)
        url = server.url + page_path
        first = fetch(url, GZIP)
        if first.status != 200:
            sys.exit(f"GET {page_path} answered {first.status}; cannot measure.")
        if not wait_for_hit(url):
            row.notes.append(
                "never saw X-Page-Cache: hit in 10 GETs; headers of the last: "
                + ", ".join(f"{k}: {v}" for k, v in fetch(url, GZIP).headers.items())
            )
        plain, packed = fetch(url), fetch(url, GZIP)
        if packed.headers.get("content-encoding") != "gzip":
            row.notes.append(f"gzip asked, got {packed.headers.get('content-encoding')!r}")
            packed.body = gzip.compress(plain.body, mtime=0)
        elif gzip.decompress(packed.body) != plain.body:
            row.notes.append("the gzip and plain cached bodies differ")
        row.result = wrk(tools["wrk"], url, *load, server_pids=server.pids)
        if fetch(url, GZIP).headers.get("x-page-cache") != "hit":
            row.notes.append("after the run the page was no longer a cache hit")
        memory(row, server)
    headers = {k: v for k, v in plain.headers.items() if k not in OWN_HEADERS}
    shown_at = re.search(rb'name="shown_at" value="([^"]*)"', plain.body)

    if measured_limits:
        rows.update(measured_limits)
    else:
        print("d. nginx with the same bytes ...", flush=True)
        with Nginx.page(
            tools["nginx"], home / "nginx", free_port(), page_path, plain.body, packed.body,
            headers,
        ) as nginx:  # fmt: skip
            row = rows["d"] = Row("d. nginx, the same bytes from a file", None)
            check = fetch(nginx.url, GZIP)
            if check.body != packed.body or check.headers.get("content-encoding") != "gzip":
                row.notes.append("nginx did not send the cached gzip bytes")
            row.result = wrk(tools["wrk"], nginx.url, *load, server_pids=[nginx.pid])
            row = rows["h"] = Row("h. nginx, the same plain bytes (no Accept-Encoding)", None)
            check = fetch(nginx.url)
            if check.body != plain.body or "content-encoding" in check.headers:
                row.notes.append("nginx did not send the cached plain bytes uncompressed")
            row.result = wrk(tools["wrk"], nginx.url, *plain_load, server_pids=[nginx.pid])

        print("e. a bare WSGI app with the same bytes ...", flush=True)
        sent = {
            k: v for k, v in packed.headers.items()
            if k not in {"date", "server", "content-length", "connection", "transfer-encoding"}
        }  # fmt: skip
        with BareWsgi(home / "bare", free_port(), packed.body, sent) as bare:
            row = rows["e"] = Row("e. granian, a WSGI app that only sends the same bytes", None)
            check = fetch(bare.url, GZIP)
            if check.body != packed.body:
                row.notes.append("the bare app did not send the cached gzip bytes")
            row.result = wrk(tools["wrk"], bare.url, *load, server_pids=[bare.pid])

    print("g. the cached page, no compression asked ...", flush=True)
    with front(served_env) as server:
        row = rows["g"] = Row("g. article uncompressed (no Accept-Encoding), page cache", None)
        url = server.url + page_path
        for _ in range(WARM_UP * shape.servers):  # stored, and seen by every worker
            fetch(url)
        check = fetch(url)
        if check.status != 200 or "content-encoding" in check.headers:
            row.notes.append(
                f"status {check.status}, Content-Encoding "
                f"{check.headers.get('content-encoding')!r} with no Accept-Encoding"
            )
        elif comparable(check.body) != comparable(plain.body):
            row.notes.append(
                "the uncompressed body differs from the one nginx sends (h) by more than the "
                "form's signed time and the server's port"
            )
        if check.headers.get("x-page-cache") != "hit":
            row.notes.append(
                f"X-Page-Cache {check.headers.get('x-page-cache')!r} with no Accept-Encoding"
            )
        row.result = wrk(tools["wrk"], url, *plain_load, server_pids=server.pids)
        memory(row, server)

    print("b. the page rendered every time ...", flush=True)
    with front({**served_env, "PAGE_CACHE_SECONDS": "0"}) as server:
        row = rows["b"] = Row("b. article, page cache off", None)
        url = server.url + page_path
        check = fetch(url, GZIP)
        if check.status != 200 or "x-page-cache" in check.headers:
            row.notes.append(
                f"status {check.status}, X-Page-Cache {check.headers.get('x-page-cache')!r}"
            )
        for _ in range(WARM_UP * shape.servers):  # templates compiled in every worker
            fetch(url, GZIP)
        row.result = wrk(tools["wrk"], url, *load, server_pids=server.pids)
        memory(row, server)

    print("c. comment posts ...", flush=True)
    posting = Posting()
    with front(served_env) as server:
        row = rows["c"] = Row(f"c. comment posts, {args.post_clients} clients", None)
        if shown_at is None:
            row.notes.append("no shown_at field in the page: posts go without it")
        stamp = quote(shown_at.group(1).decode(), safe="") if shown_at else ""
        for number in range(WARM_UP):
            form = f"name=Warm-up&body=Warm-up+post+{number}.&shown_at={stamp}&save=1"
            fetch(
                f"{server.url}/articles/{slug}/comment/",
                {"Origin": server.url, "Content-Type": "application/x-www-form-urlencoded"},
                form.encode(),
            )
        row.result = wrk(
            tools["wrk"],
            server.url,
            "-t",
            str(min(args.threads, args.post_clients)),
            "-c",
            str(args.post_clients),
            "-d",
            f"{args.post_seconds}s",
            "--timeout",
            "10s",
            script=HERE / "post.lua",
            script_args=(f"/articles/{slug}/comment/", server.url, stamp),
            server_pids=server.pids,
        )
        read_posting(row.result.output, posting)
        posting.seconds = row.result.seconds
        wait_until_still(shape)
        posting.stored = shape.stored_posts()
        posting.missing_ids = missing(shape, row.result.output)
        memory(row, server)

    # Last, so that (c) posts to the article as it always has; the storm's page 1 is then
    # the quiet page with ten of (c)'s short threads added.
    print(f"f. the storm: reads while {args.storm_rate:g} comments/s are published ...", flush=True)
    with front(served_env) as server:
        row = rows["f"] = Row(f"f. storm: (a) while {args.storm_rate:g} comments/s publish", None)
        url = server.url + page_path
        for number in range(WARM_UP):  # every worker has posted once; not counted
            form = f"name=Warm-up&body=Storm+warm-up+post+{number}.&shown_at={stamp}&save=1"
            fetch(
                f"{server.url}/articles/{slug}/comment/",
                {"Origin": server.url, "Content-Type": "application/x-www-form-urlencoded"},
                form.encode(),
            )
        for _ in range(WARM_UP * shape.servers):
            fetch(url, GZIP)
        if not wait_for_hit(url):
            row.notes.append("never saw X-Page-Cache: hit before the storm")
        row.result, storm = run_storm(
            tools["wrk"],
            server.url,
            page_path,
            slug,
            stamp,
            page_load(args, args.storm_seconds),
            shape,
            server.pids,
            rate=args.storm_rate,
            seconds=args.storm_seconds,
            posters=args.storm_posters,
        )
        memory(row, server)
    return rows, posting, commit_ms, storm


def page_load(args: argparse.Namespace, seconds: int, compressed: bool = True) -> tuple[str, ...]:
    """wrk's options for a page run: as a browser asks, or with no Accept-Encoding."""
    encoding = ("-H", "Accept-Encoding: gzip") if compressed else ()
    # Slow answers are measured, not dropped as wrk's default 2 s timeout would.
    return (
        "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds}s",
        *encoding, "--timeout", "10s",
    )  # fmt: skip


def comparable(page: bytes) -> bytes:
    """The page without what differs between two renders on two servers: the form's signed
    time, and the server's own address in the absolute links (each run has its port)."""
    page = re.sub(rb'(name="shown_at" value=")[^"]*"', rb'\1"', page)
    return re.sub(rb"//127\.0\.0\.1:\d+/", b"//127.0.0.1/", page)


def limits(rows: dict[str, Row]) -> dict[str, Row]:
    return {key: rows[key] for key in ("d", "e", "h") if key in rows}


def memory(row: Row, front: Front) -> None:
    """Peak memory of every worker of every server; the largest main process."""
    for server in front.servers:
        assert server.sampler is not None
        row.workers_mb += server.sampler.workers_mb()
        row.workers_pss_mb += server.sampler.workers_mb(pss=True)
        row.main_mb = max(row.main_mb, server.sampler.main_mb())


def wait_for_hit(url: str, tries: int = 10) -> bool:
    for _ in range(tries):
        if fetch(url, GZIP).headers.get("x-page-cache") == "hit":
            return True
        time.sleep(0.2)
    return False


def read_posting(output: str, posting: Posting) -> None:
    for name in ("sent", "acknowledged"):
        match = re.search(rf"^{name} (\d+)$", output, re.MULTILINE)
        setattr(posting, name, int(match.group(1)) if match else 0)
    match = re.search(r"^other statuses (.*)$", output, re.MULTILINE)
    posting.other_statuses = match.group(1).strip() if match else "?"


def wait_until_still(shape: Shape) -> None:
    """wrk stops without reading its last responses; let the server finish those posts."""
    last, still_since, deadline = -1, time.monotonic(), time.monotonic() + 30
    while time.monotonic() < deadline:
        count = sum(shape.stored_posts().values())
        if count != last:
            last, still_since = count, time.monotonic()
        elif time.monotonic() - still_since > 1.5:
            return
        time.sleep(0.25)


def missing(shape: Shape, output: str) -> list[str]:
    """Acknowledged comment ids (from the redirects) that the database does not have."""
    match = re.search(r"^acknowledged ids (.*)$", output, re.MULTILINE)
    ids = match.group(1).split() if match else []
    numbers = [int(value) for value in ids if value.isdigit()]
    found = shape.comment_ids()
    return [value for value in ids if not value.isdigit()] + [
        str(pk) for pk in numbers if pk not in found
    ]
