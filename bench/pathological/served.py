"""One served worker while pathological comments arrive: does an ordinary post still get
an answer?

    .venv/bin/python -m bench.pathological.served [--blockers 4] [--shape markdown-link-openings]

Starts `broadsheet serve` (one worker, WEB_THREADS threads) on a fresh seeded site, then
posts, as anonymous readers through the real form:

1. the probe alone: an ordinary 10,000-character comment (tests/pathological.py), and
   then the `link-closings` body (`](` repeated), the second body of the issue's check;
2. `--blockers` copies of a pathological body at once (one per worker thread by default),
   and half a second later the same two probes.

It prints each answer's time. Before issue 17, one `[x](` body kept a thread for over a
minute, so four of them took every thread of the worker and the probes waited behind
them; that is how "`](` x 5,000 got no answer within 30 s under load" while it is fast
alone. Requests time out after `--timeout` seconds (then the time is printed as ">").
BENCH_SERVER_PYTHONPATH=/other/checkout/src:/other/checkout serves another checkout's code
with this script, for figures before a change.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path


def post(url: str, body: str, name: str, timeout: float) -> float:
    """Seconds until the answer to one anonymous comment post, or -1 on a time-out."""
    data = urllib.parse.urlencode(
        {
            "name": name,
            "email": f"{name.split()[0].lower()}@example.net",
            "body": body,
            "save": "1",
        }  # fmt: skip
    ).encode()
    origin = url.split("/articles/")[0]
    request = urllib.request.Request(url, data=data, headers={"Origin": origin})
    started = time.monotonic()
    try:
        urllib.request.urlopen(request, timeout=timeout).close()
    except urllib.error.HTTPError:
        pass  # a redirect target or a refusal is still an answer
    except OSError:
        return -1
    return time.monotonic() - started


def shown(seconds: float, timeout: float) -> str:
    return f"> {timeout:.0f} s (no answer)" if seconds < 0 else f"{seconds * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    from tests.e2e.site import HOSTILE_ARTICLE_SLUG
    from tests.pathological import BODIES, ORDINARY
    from tests.seeded_server import seeded_server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blockers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--shape", default="markdown-link-openings", choices=sorted(BODIES))
    parser.add_argument("--timeout", type=float, default=30)
    options = parser.parse_args(argv)
    settings = {
        "SPAM_MIN_FORM_SECONDS": "0",
        "COMMENT_RATE_LIMIT_ADDRESS": "",
        "COMMENT_RATE_LIMIT_EMAIL": "",
        "WEB_THREADS": str(options.threads),
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("BENCH_SERVER_PYTHONPATH"):
        # To measure another checkout's code (the figures before a change) with this script.
        settings["PYTHONPATH"] = os.environ["BENCH_SERVER_PYTHONPATH"]
    probes = {"ordinary": ORDINARY, "link-closings": BODIES["link-closings"]}
    print(f"load average {os.getloadavg()[0]:.2f}; one worker, {options.threads} threads")
    with tempfile.TemporaryDirectory(prefix="broadsheet-served-pathological-") as home:
        with seeded_server(Path(home), settings) as site:
            url = f"{site}/articles/{HOSTILE_ARTICLE_SLUG}/comment/"
            for label, body in probes.items():
                seconds = post(url, body, "Ola Probe", options.timeout)
                print(f"alone: {label}: {shown(seconds, options.timeout)}")
            with concurrent.futures.ThreadPoolExecutor(options.blockers + len(probes)) as pool:
                blockers = [
                    pool.submit(
                        post, url, BODIES[options.shape], f"Bea Blocker{n}", options.timeout
                    )
                    for n in range(options.blockers)
                ]
                time.sleep(0.5)
                answers = {
                    label: pool.submit(post, url, body, "Ola Probe", options.timeout)
                    for label, body in probes.items()
                }
                for label, answer in answers.items():
                    print(
                        f"behind {options.blockers} x {options.shape}: {label}: "
                        f"{shown(answer.result(), options.timeout)}"
                    )
                times = [blocker.result() for blocker in blockers]
                slowest = -1.0 if min(times) < 0 else max(times)
                print(f"the blockers themselves: slowest {shown(slowest, options.timeout)}")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
