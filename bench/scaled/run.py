"""Do the reader pages stay within 1.5 times their small-site latency when the SQLite
database holds 100,000 articles and 2,000,000 comments? Two throwaway sites are generated
(`broadsheet generate`): a small one and a big one. Each is measured in its own subprocess
(so the settings load with that BROADSHEET_HOME), in-process through Django's test client
with the page cache off, and the parent prints one table comparing the two.

    bench/scale                            # generates both sites (the big one takes ~10 min)
    bench/scale --reuse /tmp/bigscale      # keep the big site there; reuse it if it exists
    bench/scale --articles 5000 --comments 100000   # a quicker trial

Ignores var/, DATABASE_URL and CACHE_URL. What it measures: bench/README.md, "bench/scale".
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.timing import timed

ROOT = Path(__file__).resolve().parent.parent.parent
TARGET_RATIO = 1.5
PAGES = [
    "home",
    "article, busiest",
    "article, median",
    "topic",
    "author",
    "archive index",
    "search, title word",
    "search, common word",
]


# --- the parent: make the sites, run the measurements, print the table ---------------


def _site_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CACHE_"))}
    env.pop("BROADSHEET_VAR_DIR", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(BROADSHEET_HOME=str(home), ALLOWED_HOSTS="testserver", PAGE_CACHE_SECONDS="0")
    return env


def _broadsheet(home: Path, *args: str) -> None:
    command = [str(Path(sys.prefix) / "bin" / "broadsheet"), *args]
    subprocess.run(command, env=_site_env(home), cwd=home, check=True)


def _make_site(home: Path, articles: int, comments: int, seed: int) -> None:
    """Migrate and generate a site in `home`, unless it already has a database."""
    if (home / "var" / "broadsheet.sqlite3").exists():
        print(f"Reusing the site in {home}, migrated to the current code.", flush=True)
        _broadsheet(home, "migrate", "-v", "0")  # a no-op unless the code brought migrations
        _broadsheet(home, "collectstatic", "--noinput", "-v", "0")  # the pages need the manifest
        return
    home.mkdir(parents=True, exist_ok=True)
    print(f"Generating {articles:,} articles and {comments:,} comments in {home}…", flush=True)
    _broadsheet(home, "migrate", "-v", "0")
    _broadsheet(home, "collectstatic", "--noinput", "-v", "0")
    _broadsheet(home, "generate", "--articles", str(articles), "--comments", str(comments),
                "--seed", str(seed))  # fmt: skip


def _measure_site(home: Path, iterations: int) -> dict:
    command = [sys.executable, "-m", "bench.scaled.run", "--measure", str(home),
               "--iterations", str(iterations)]  # fmt: skip
    out = subprocess.run(command, env=_site_env(home), cwd=ROOT, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _verdicts(small: dict, big: dict) -> list[tuple[str, float, float, float, bool]]:
    rows = []
    for page in PAGES:
        s, b = small["pages"][page]["cpu_p50"], big["pages"][page]["cpu_p50"]
        rows.append((page, s, b, b / s, b / s <= TARGET_RATIO))
    return rows


def _print_report(small: dict, big: dict, iterations: int) -> bool:
    def size(site: dict) -> str:
        return f"{site['articles']:,} articles, {site['comments']:,} comments"

    print(
        f"\nSmall site: {size(small)}. Big site: {size(big)}. {iterations} requests of each "
        f"page per site after warm-up, in-process (Django test client), page cache off, "
        f"nproc {os.cpu_count()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}."
    )
    ref_ratio = big["robots"]["cpu_p50"] / small["robots"]["cpu_p50"]
    print(
        "\n| page | small CPU p50 ms | big CPU p50 ms | big/small | ≤ 1.5×? "
        "| small wall p50 ms | big wall p50 ms | wall big/small |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    all_met = True
    for page, s, b, ratio, met in _verdicts(small, big):
        all_met &= met
        sw, bw = small["pages"][page]["wall_p50"], big["pages"][page]["wall_p50"]
        print(
            f"| {page} | {s:.2f} | {b:.2f} | {ratio:.2f}× | {'met' if met else 'MISSED'} "
            f"| {sw:.2f} | {bw:.2f} | {bw / sw:.2f}× |"
        )
    sr, br = small["robots"], big["robots"]
    print(
        f"| robots.txt (reference) | {sr['cpu_p50']:.2f} | {br['cpu_p50']:.2f} | "
        f"{ref_ratio:.2f}× | – | {sr['wall_p50']:.2f} | {br['wall_p50']:.2f} | "
        f"{br['wall_p50'] / sr['wall_p50']:.2f}× |"
    )
    print("\n| page | small CPU p90 ms | big CPU p90 ms | small wall p90 ms | big wall p90 ms "
          "| big CPU p50 / robots.txt |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for page in PAGES:
        s, b = small["pages"][page], big["pages"][page]
        print(
            f"| {page} | {s['cpu_p90']:.2f} | {b['cpu_p90']:.2f} | {s['wall_p90']:.2f} | "
            f"{b['wall_p90']:.2f} | {b['cpu_p50'] / br['cpu_p50']:.0f}× |"
        )
    print("\nWhat was requested (small / big):")
    for page in PAGES:
        print(f"  {page}: {small['pages'][page]['url']}  /  {big['pages'][page]['url']}")
    missed = [page for page, *_, met in _verdicts(small, big) if not met]
    print(
        f"\nTarget (big CPU p50 at most {TARGET_RATIO}× small): "
        + ("met on every page." if all_met else f"MISSED on {', '.join(missed)}.")
    )
    return all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="big site (100,000)")
    parser.add_argument("--comments", type=int, default=2_000_000, help="big site (2,000,000)")
    parser.add_argument("--small-articles", type=int, default=200)
    parser.add_argument("--small-comments", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=50, help="requests per page")
    parser.add_argument("--reuse", type=Path, metavar="DIR",
                        help="big site's BROADSHEET_HOME: reused if it has a database, "
                        "else generated there and kept")  # fmt: skip
    parser.add_argument("--reuse-small", type=Path, metavar="DIR", help="the same, small site")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.measure:
        print(json.dumps(_measure(options.iterations)))
        return 0
    with tempfile.TemporaryDirectory(prefix="broadsheet-scale-bench-") as tmp:
        small_home = (options.reuse_small or Path(tmp) / "small").resolve()
        big_home = (options.reuse or Path(tmp) / "big").resolve()
        started = time.monotonic()
        _make_site(small_home, options.small_articles, options.small_comments, options.seed)
        _make_site(big_home, options.articles, options.comments, options.seed)
        print(f"Sites ready in {time.monotonic() - started:.0f} s; measuring…", flush=True)
        small = _measure_site(small_home, options.iterations)
        big = _measure_site(big_home, options.iterations)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if _print_report(small, big, options.iterations) else 1


# --- the child: one site, settings from BROADSHEET_HOME -------------------------------


def _pages() -> dict[str, str]:
    """The addresses to measure, picked through the ORM the same way on either site."""
    from django.conf import settings
    from django.db.models import Count
    from django.utils import timezone

    from broadsheet.publishing.models import Article, Author, Topic

    live = Article.objects.live()
    # Among articles still open for comments, so that both sites' pages show the form and
    # its Reply links (2.9 ms of an open page that a closed one does not render).
    open_ = live.filter(comments_mode=Article.Comments.OPEN)
    if days := settings.COMMENTS_CLOSE_AFTER_DAYS:
        open_ = open_.filter(published_at__gt=timezone.now() - dt.timedelta(days=days))
    busiest = open_.order_by("-comment_count", "pk").first()
    count = live.count()
    typical = live.order_by("comment_count", "pk")[count // 2]
    topic = Topic.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    author = typical.bylines.select_related("author").order_by("position").first().author
    # The busiest article's longest title word; the commonest word of 2,000 titles.
    title_word = max(re.findall(r"[^\W\d_]{4,}", busiest.title), key=len).lower()
    titles = live.order_by("pk").values_list("title", flat=True)[:2000]
    words = collections.Counter(w.lower() for t in titles for w in re.findall(r"[^\W\d_]{4,}", t))
    common = words.most_common(1)[0][0]
    return {
        "home": "/",
        "article, busiest": busiest.get_absolute_url(),
        "article, median": typical.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "author": Author.objects.get(pk=author.pk).get_absolute_url(),
        "archive index": "/archive/",
        "search, title word": f"/search/?q={title_word}",
        "search, common word": f"/search/?q={common}",
    }


def _timed(client, url: str, iterations: int) -> dict:
    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        assert response.get("X-Page-Cache") != "hit", f"{url} came from the page cache"

    # Warm-up: templates compiled, SQLite pages in memory.
    wall, cpu = timed(get, iterations, warm_up=5)
    wall.sort()
    cpu.sort()
    p90 = max(0, int(len(cpu) * 0.9) - 1)
    return {
        "url": url,
        "cpu_p50": statistics.median(cpu),
        "cpu_p90": cpu[p90],
        "wall_p50": statistics.median(wall),
        "wall_p90": wall[p90],
    }


def _measure(iterations: int) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from broadsheet.discussion.models import Comment
    from broadsheet.publishing.models import Article

    assert settings.PAGE_CACHE_SECONDS == 0, "the page cache must be off"
    client = Client()
    # A reader who rejected cookies: the page a returning reader gets.
    client.post("/cookies/reject-all/", {"next": "/"}, headers={"Origin": "http://testserver"})
    client.get("/")  # shows the one-off "choice saved" message
    pages = _pages()
    return {
        "articles": Article.objects.count(),
        "comments": Comment.objects.count(),
        "robots": _timed(client, "/robots.txt", iterations),
        "pages": {name: _timed(client, url, iterations) for name, url in pages.items()},
    }


if __name__ == "__main__":
    sys.exit(main())
