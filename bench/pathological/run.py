"""How long each pathological comment body (tests/pathological.py) takes through the whole
posting path, next to an ordinary comment of the same length measured in the same run.

    .venv/bin/python -m bench.pathological.run [--iterations 7] [--only SHAPE ...]

Each iteration uses a fresh article and runs, in-process through Django's test client:
the form's preview, the post (screening and the filter's score), a moderator's approval
(the filter learns), the article page (page cache off), the comments feed, and a registered
reader's edit of a short comment to the same body (screened again). Times are this
thread's CPU milliseconds, so other work on the machine does not count; the wall clock is
printed for the total. Throwaway SQLite database; ignores var/, DATABASE_URL and
CACHE_URL. The goal (issue 17): every step under 50 ms. The test with the 10 s guard is
tests/moderation/test_pathological_posts.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.django_site import setup_django

STEPS = ("preview", "post", "approve", "page", "feed", "edit")
GOAL_MS = 50.0


class Site:
    """The people and requests of one posting path."""

    def __init__(self) -> None:
        from django.contrib.auth.models import Group
        from django.test import Client
        from django.utils import timezone

        from broadsheet.accounts.models import User
        from broadsheet.moderation.services import ensure_moderators_group

        ensure_moderators_group()
        self.desk = User.objects.create_user(username="desk", display_name="Newsdesk")
        moderator = User.objects.create_user(username="mo", display_name="Morgan Osei")
        moderator.groups.add(Group.objects.get(name="Moderators"))
        reader = User.objects.create_user(
            username="rita", display_name="Rita Campbell", email="rita@example.org"
        )
        reader.email_confirmed_at = timezone.now()
        reader.save()
        self.moderator, self.reader, self.anonymous = Client(), Client(), Client()
        self.moderator.force_login(moderator)
        self.reader.force_login(reader)
        self.articles = 0

    def article(self) -> Any:
        from django.utils import timezone

        from broadsheet.publishing.models import Article

        self.articles += 1
        return Article.objects.create(
            title=f"Ferry timetable {self.articles}",
            slug=f"ferry-{self.articles}",
            submitted_by=self.desk,
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timezone.timedelta(hours=1),
            body_source="The spring timetable starts next month.",
        )

    def form(self, article: Any, body: str, **extra: str) -> Any:
        from django.core import signing
        from django.urls import reverse

        from broadsheet.discussion.forms import SHOWN_AT_SALT

        data = {
            "name": "Nadia Holm",
            "email": "nadia@example.net",
            "body": body,
            "shown_at": signing.dumps(time.time() - 10, salt=SHOWN_AT_SALT),
            **extra,
        }
        return reverse("discussion:post", args=[article.slug]), data


def one_path(site: Site, body: str) -> dict[str, float]:
    """CPU milliseconds of each step for one comment, and the wall clock of them all."""
    from django.urls import reverse

    from broadsheet.discussion.models import Comment

    article = site.article()
    headers = {"Origin": "http://testserver"}
    url, preview = site.form(article, body, preview="1")
    _url, save = site.form(article, body, save="1")
    comment_holder: list[Comment] = []

    def post() -> None:
        assert site.anonymous.post(url, save, headers=headers).status_code == 302
        comment_holder.append(Comment.objects.filter(article=article).latest("pk"))

    def edit() -> None:
        _u, short = site.form(article, "The spring timetable suits the school run.", save="1")
        assert site.reader.post(url, short, headers=headers).status_code == 302
        ritas = Comment.objects.filter(article=article, user__isnull=False).latest("pk")
        edit_url = reverse("discussion:edit", args=[ritas.pk])
        assert site.reader.post(edit_url, {"body": body}).status_code == 302

    steps: dict[str, Callable[[], Any]] = {
        "preview": lambda: site.anonymous.post(url, preview, headers=headers),
        "post": post,
        "approve": lambda: site.moderator.post(
            reverse("moderation:act"), {"comments": comment_holder[0].pk, "action": "approve"}
        ),
        "page": lambda: site.anonymous.get(article.get_absolute_url()),
        "feed": lambda: site.anonymous.get(reverse("discussion:feed", args=[article.slug])),
        "edit": edit,
    }
    timings: dict[str, float] = {}
    wall_start = time.perf_counter_ns()
    for name, step in steps.items():
        started = time.thread_time_ns()
        step()
        timings[name] = (time.thread_time_ns() - started) / 1e6
    timings["wall"] = (time.perf_counter_ns() - wall_start) / 1e6
    timings["total"] = sum(timings[name] for name in STEPS)
    return timings


def main(argv: list[str] | None = None) -> int:
    from tests.pathological import BODIES, ORDINARY

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=7)
    parser.add_argument("--only", nargs="*", default=None, help="shapes to run")
    options = parser.parse_args(argv)
    shapes = {
        name: body for name, body in BODIES.items() if not options.only or name in options.only
    }
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="broadsheet-pathological-bench-") as tmp:
        setup_django(
            Path(tmp),
            "bench-pathological",
            collect_static=True,
            ALLOWED_HOSTS="testserver",
            PAGE_CACHE_SECONDS="0",
            PAGE_REPLAY_MAX_BYTES="0",
            # Every post is a new comment, published once approved: the defences that
            # would hold a program's posts for being fast or many are off.
            SPAM_MIN_FORM_SECONDS="0",
            COMMENT_RATE_LIMIT_ADDRESS="",
            COMMENT_RATE_LIMIT_EMAIL="",
            COMMENT_DUPLICATE_WINDOW_SECONDS="0",
            LOG_LEVEL="WARNING",
        )
        site = Site()
        for _ in range(2):  # warm-up: templates compiled, connections open, code loaded
            one_path(site, ORDINARY)
        results: dict[str, list[dict[str, float]]] = {"ordinary (reference)": []}
        results.update({name: [] for name in shapes})
        # Interleaved, so a burst of other work on the machine falls on every shape alike.
        for _ in range(options.iterations):
            results["ordinary (reference)"].append(one_path(site, ORDINARY))
            for name, body in shapes.items():
                results[name].append(one_path(site, body))
    load_after = os.getloadavg()

    def p50(name: str, step: str) -> float:
        return statistics.median(run[step] for run in results[name])

    reference = p50("ordinary (reference)", "total")
    print(
        f"Posting path, {len(next(iter(BODIES.values()))):,}-character bodies, "
        f"{options.iterations} iterations each (CPU ms, p50 per step); load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after."
    )
    print("| body | " + " | ".join(STEPS) + " | total p50 | total max | wall p50 | × ordinary |")
    print("| --- " * (len(STEPS) + 5) + "|")
    for name in results:
        cells = " | ".join(f"{p50(name, step):.1f}" for step in STEPS)
        total_max = max(run["total"] for run in results[name])
        print(
            f"| {name} | {cells} | {p50(name, 'total'):.1f} | {total_max:.1f} | "
            f"{p50(name, 'wall'):.1f} | {p50(name, 'total') / reference:.2f} |"
        )
    worst_step = max(
        ((name, step) for name in shapes for step in STEPS), key=lambda pair: p50(*pair)
    )
    name, step = worst_step
    step_max = max(run[step] for run in results[name])
    print(
        f"Worst step: {step} of {name}, p50 {p50(name, step):.1f} ms, max {step_max:.1f} ms "
        f"(goal under {GOAL_MS:.0f} ms: {'met' if p50(name, step) < GOAL_MS else 'missed'})."
    )
    worst = max(shapes, key=lambda shape: p50(shape, "total"))
    worst_max = max(run["total"] for run in results[worst])
    print(
        f"Worst body: {worst}, whole path p50 {p50(worst, 'total'):.1f} ms, "
        f"max {worst_max:.1f} ms; ordinary comment {reference:.1f} ms."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
