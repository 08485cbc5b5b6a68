"""What one anonymous comment post costs in-process, as bench/run's posting scenario (c)
sends it (bench/served/post.lua: a urlencoded form, the Origin header, no cookies, the
served bench's settings), next to a reference measured in the same run (robots.txt through
the same middleware), since these machines are shared and noisy. No HTTP server: this is
the site's own cost per post, which bounds the posts/s two cores can accept.

    .venv/bin/python -m bench.posting.run [--posts 500] [--scaled] [--profile 300] [--src DIR]

By default a throwaway SQLite database and file cache in a temporary directory, as the
served bench's SQLite shape has them. `--scaled`: a PostgreSQL database and a Redis key
prefix of the bench's own (bench/served/shapes.py's scaled shape; dropped at the end),
where what a post costs is also its round trips: the SQL statements and Redis commands of
one post are counted and printed. Ignores var/, DATABASE_URL and CACHE_URL.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import logging
import os
import pstats
import resource
import runpy
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.django_site import setup_django
from bench.served.report import code, machine
from bench.served.run import SERVER_ENV
from bench.served.shapes import scaled_shape
from bench.served.tools import sqlite_commit_ms
from bench.timing import timed

HERE = Path(__file__).resolve().parent
TARGET_POSTS_PER_SECOND = 300
CORES = os.cpu_count() or 1
CACHE_METHODS = ("get", "set", "add", "incr", "delete", "get_many", "set_many", "delete_many")


def _site(directory: Path, environment: dict[str, str]) -> str:
    """Django set up on the shape's database, the served bench's article (bench/served/
    seed.py: about 1,300 words, 200 comments) stored; its comment form's address."""
    setup_django(
        directory,
        "bench-posting",
        ALLOWED_HOSTS="testserver",
        **{"CACHE_URL": f"filecache://{directory / 'cache'}", **SERVER_ENV, **environment},
    )
    # The request log's line a post, formatted as served, but not onto this table.
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # for the process's life
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        runpy.run_path(str(HERE.parent / "served" / "seed.py"))
    return f"/articles/{printed.getvalue().split()[-1]}/comment/"


def _poster(path: str) -> Callable[[], Any]:
    """One post as post.lua sends it: a new body each time, no cookies kept."""
    from django.core import signing
    from django.test import Client

    from broadsheet.discussion.forms import SHOWN_AT_SALT

    client = Client()
    shown_at = signing.dumps(time.time(), salt=SHOWN_AT_SALT)
    sent = 0

    def post() -> Any:
        nonlocal sent
        sent += 1
        client.cookies.clear()  # wrk keeps none: each post starts without a messages cookie
        body = (
            f"name=Bench+reader+1&body=Post+1-{sent}+from+the+served-page+bench."
            f"&email=&homepage=&website=&shown_at={shown_at}&save=1"
        )
        response = client.post(
            path,
            body,
            content_type="application/x-www-form-urlencoded",
            headers={"Origin": "http://testserver"},
        )
        assert response.status_code == 302, f"{response.status_code}: {response.content[:300]!r}"
        return response

    return post


@contextlib.contextmanager
def _counted_cache_calls() -> Iterator[Counter[str]]:
    """Calls into the cache backend from outside it (get_many counts once, not once per
    key as its default implementation's own get() calls would)."""
    from django.core.cache import caches

    backend = type(caches["default"])
    calls: Counter[str] = Counter()
    depth = 0
    own = {name: backend.__dict__[name] for name in CACHE_METHODS if name in backend.__dict__}
    originals = {name: getattr(backend, name) for name in CACHE_METHODS}

    def counting(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal depth
            if depth == 0:
                calls[name] += 1
            depth += 1
            try:
                return original(self, *args, **kwargs)
            finally:
                depth -= 1

        return method

    for name, original in originals.items():
        setattr(backend, name, counting(name, original))
    try:
        yield calls
    finally:
        for name in CACHE_METHODS:
            if name in own:
                setattr(backend, name, own[name])
            else:
                delattr(backend, name)


@contextlib.contextmanager
def _counted_redis_commands() -> Iterator[Counter[str]]:
    """Round trips to Redis: each command sent alone, and each pipeline sent."""
    import redis

    commands: Counter[str] = Counter()
    send, flush = redis.Redis.execute_command, redis.client.Pipeline.execute

    def execute_command(self: Any, *args: Any, **options: Any) -> Any:
        commands[str(args[0])] += 1
        return send(self, *args, **options)

    def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        commands[f"pipeline of {len(self.command_stack)}"] += 1
        return flush(self, *args, **kwargs)

    redis.Redis.execute_command = execute_command  # type: ignore[method-assign]
    redis.client.Pipeline.execute = execute  # type: ignore[method-assign]
    try:
        yield commands
    finally:
        redis.Redis.execute_command = send  # type: ignore[method-assign]
        redis.client.Pipeline.execute = flush  # type: ignore[method-assign]


def _one_post_counted(post: Callable[[], Any], scaled: bool) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    redis = _counted_redis_commands() if scaled else contextlib.nullcontext(Counter[str]())
    with (
        CaptureQueriesContext(connection) as queries,
        _counted_cache_calls() as cache_calls,
        redis as redis_commands,
    ):
        post()
    statements = [" ".join(query["sql"].split()[:3]) for query in queries.captured_queries]
    lines = [
        f"- SQL statements: {len(statements)} ({'; '.join(statements)})",
        f"- cache calls: {sum(cache_calls.values())} ("
        + ", ".join(f"{name} x{count}" for name, count in sorted(cache_calls.items()))
        + ")",
    ]
    if scaled:
        lines.append(
            f"- Redis round trips: {sum(redis_commands.values())} ("
            + ", ".join(f"{name} x{count}" for name, count in sorted(redis_commands.items()))
            + f"); with the SQL statements, {len(statements) + sum(redis_commands.values())} "
            "round trips a post"
        )
    return lines


def _size(weights: Any) -> str:
    if weights is None:
        return "none (all zeros until the first decision)"
    if hasattr(weights, "dtype"):  # numpy, before the models were read without it
        return f"{weights.dtype} {weights.nbytes / 1e6:.1f} MB"
    return f"array {weights.typecode!r} {len(weights) * weights.itemsize / 1e6:.1f} MB"


def _memory_lines() -> list[str]:
    try:
        from broadsheet.moderation import classifier, spamfilter

        site = spamfilter.spam_model.get().site
        arrays = {
            "spam, starting": classifier.starting_model("spam").model.weights,
            "spam, site": None if site is None else site.weights,
            "abuse, starting": classifier.starting_model("abuse").model.weights,
        }
        held = ", ".join(f"{name} {_size(a)}" for name, a in arrays.items())
    except (ImportError, AttributeError):  # older code measured with PYTHONPATH (--src)
        held = "none"
    rss = next(
        int(line.split()[1]) / 1024
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    numpy = "imported" if "numpy" in sys.modules else "not imported"
    return [
        f"- memory: RSS {rss:.0f} MB now, {peak:.0f} MB at most; numpy {numpy}; "
        f"model weights: {held}"
    ]


def _row(name: str, timings: tuple[list[float], list[float]], reference: float) -> str:
    wall, cpu = (sorted(samples) for samples in timings)
    p50 = statistics.median(cpu)
    return (
        f"| {name} | {p50:.2f} | {cpu[int(len(cpu) * 0.9) - 1]:.2f} | {statistics.mean(cpu):.2f} "
        f"| {statistics.median(wall):.2f} | {p50 / reference:.1f}× |"
    )


def _profile(post: Callable[[], Any], posts: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(posts):
        post()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"broadsheet|django/(db|forms|contrib|http|core/handlers)", 45)
    return out.getvalue()


def measure(directory: Path, options: argparse.Namespace, environment: dict[str, str]) -> int:
    path = _site(directory, environment)
    from django.conf import settings
    from django.test import Client

    from broadsheet.discussion.models import Comment

    post = _poster(path)
    reader = Client()

    def robots() -> None:
        assert reader.get("/robots.txt").status_code == 200

    before = Comment.objects.count()
    reference = timed(robots, options.posts, warm_up=10)
    posts = timed(post, options.posts, warm_up=10)  # each worker thread's first posts load more
    counted = _one_post_counted(post, options.scaled)
    made = options.posts + 10 + 1
    stored = Comment.objects.filter(status=Comment.Status.PUBLISHED).count() - before
    ref = statistics.median(reference[1])
    mean = statistics.mean(posts[1])
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"Machine: {machine()}")
    print(f"Code: {code(options.src)}")
    print(
        f"Anonymous comment posts, in-process (Django test client), {database} and {cache}; "
        f"{options.posts} requests each; DEBUG={settings.DEBUG}."
    )
    print("| request | CPU p50 ms | CPU p90 ms | CPU mean ms | wall p50 ms | CPU p50 / robots |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(_row("robots.txt (reference)", reference, ref))
    print(_row("comment post (302)", posts, ref))
    print(
        f"- posts/s of CPU: {1000 / mean:.0f} on one core at the mean "
        f"({CORES * 1000 / mean:.0f} if {CORES} cores did nothing else); "
        f"{made} posts, {stored} stored and published"
    )
    for line in [*counted, *_memory_lines()]:
        print(line)
    if not options.scaled:
        p50, p99 = sqlite_commit_ms(directory)
        print(f"- disk: a small SQLite commit p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    if options.profile:
        print(_profile(post, options.profile))
    return 0 if stored == made else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=500, help="timed posts (default 500)")
    parser.add_argument("--scaled", action="store_true", help="PostgreSQL and Redis")
    parser.add_argument("--profile", type=int, default=0, help="then profile this many posts")
    parser.add_argument(
        "--src",
        type=Path,
        help="measure the broadsheet package of this src/ directory instead of the working "
        "tree's (e.g. a commit exported with `git archive HEAD src | tar -x -C DIR`)",
    )
    options = parser.parse_args(argv)
    if options.src:
        sys.path.insert(0, str(options.src.resolve()))
    with tempfile.TemporaryDirectory(prefix="broadsheet-posting-bench-") as tmp:
        if not options.scaled:
            return measure(Path(tmp), options, {})
        with scaled_shape() as shape:
            return measure(Path(tmp), options, shape.env)


if __name__ == "__main__":
    sys.exit(main())
