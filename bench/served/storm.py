"""Scenario (f) of bench/run, the storm: wrk reads the cached article while comments are
published to that same article at a steady rate, and a probe times how long each
acknowledged comment takes to reach an anonymous reader.

- Readers: wrk as in (a) (`-t2 -c32`, `Accept-Encoding: gzip`), for --storm-seconds.
- Posters: a pool of threads, each with its own kept-alive http.client connection, fed
  one post every 1/rate seconds by a pacing thread (open loop: a slow answer does not
  slow the rate sent, as long as a poster is free; posts that leave more than 0.1 s
  after their slot are counted). Every post is the form as a browser sends it, with a
  body no other request sends; a 302 is acknowledged, and its Location
  (`/articles/<slug>/?page=N#comment-<id>`) says which comments page shows the comment.
- Probe: anonymous readers (no cookies, `Accept-Encoding: gzip`, PROBE_READERS threads
  with a kept-alive connection each) that poll each comments page holding acknowledged
  comments not yet seen, a GET starting every PROBE_EVERY seconds at most, until
  `id="comment-<id>"` is in the page. The delay of a comment is from its 302 arriving to
  the first answer that shows it.

After the run every acknowledged id is looked up in the database, and the storm's posts
are counted there by status and checked for duplicates.
"""

from __future__ import annotations

import gzip
import http.client
import math
import queue
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .shapes import Shape
from .tools import WrkResult, wrk

STORM_POSTS = "%from the bench comment storm."  # LIKE pattern of the storm's bodies
PROBE_EVERY = 0.01  # seconds between the starts of two GETs of the same comments page
PROBE_READERS = 4  # the probe's threads: at most this many of its GETs at once
UNSEEN_AFTER = 30.0  # an acknowledged comment not shown this long after counts as unseen
LATE = 0.1  # a post leaving this long after its slot is counted as late
TARGET_OF_NGINX = 0.5
TARGET_OF_QUIET_P99 = 3.0
TARGET_DELAY_SECONDS = 1.0


@dataclass
class Storm:
    rate: float
    seconds: float
    sent: int = 0
    late: int = 0  # sent more than LATE seconds after their slot
    acknowledged: int = 0
    other_statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    ack_ms: list[float] = field(default_factory=list)  # post sent to 302 read
    ids: list[int] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)  # 302 to shown, seconds
    unseen: list[int] = field(default_factory=list)
    moved: int = 0  # seen only on the page after the one their redirect named
    probe_answers: Counter[str] = field(default_factory=Counter)
    stored: dict[str, int] = field(default_factory=dict)
    missing_ids: list[int] = field(default_factory=list)
    stored_twice: int = 0
    sending_seconds: float = 0.0  # from the first post's slot to the last post sent
    answered_seconds: float = float("nan")  # from the first post sent to the last answer


def run_storm(
    wrk_binary: str,
    base_url: str,
    page_path: str,
    slug: str,
    stamp: str,
    load: tuple[str, ...],
    shape: Shape,
    server_pids: list[int],
    rate: float,
    seconds: float,
    posters: int,
) -> tuple[WrkResult, Storm]:
    """Read with wrk (`load`, which sets the duration) while posting at `rate` for
    `seconds`; then wait for the probe and check the posts against the database."""
    storm = Storm(rate=rate, seconds=seconds)
    probe = Probe(base_url, page_path, storm)
    reads: list[WrkResult] = []
    failure: list[BaseException] = []

    def read() -> None:
        try:
            reads.append(wrk(wrk_binary, base_url + page_path, *load, server_pids=server_pids))
        except BaseException as error:  # reported after the join
            failure.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    probe.start()
    time.sleep(0.2)  # wrk has connected and is reading before the first post
    post_paced(base_url, f"/articles/{slug}/comment/", stamp, storm, probe, posters)
    reader.join()
    probe.finish()
    if failure:
        raise failure[0]
    found = shape.comment_ids()
    storm.missing_ids = [pk for pk in storm.ids if pk not in found]
    storm.stored = shape.stored_posts(STORM_POSTS)
    storm.stored_twice = shape.stored_twice(STORM_POSTS)
    return reads[0], storm


def post_paced(
    base_url: str, path: str, stamp: str, storm: Storm, probe: Probe, posters: int
) -> None:
    """Post at storm.rate for storm.seconds from `posters` threads; return when every post
    sent has been answered (or failed)."""
    slots: queue.Queue[tuple[int, float] | None] = queue.Queue()
    lock = threading.Lock()
    origin = base_url

    def poster() -> None:
        client = KeptAlive(base_url)
        while (slot := slots.get()) is not None:
            number, due = slot
            body = (
                f"name=Storm+reader+{number % 97}&body=Post+S{number}+from+the+bench+comment"
                f"+storm.&email=&homepage=&website=&shown_at={stamp}&save=1"
            ).encode()
            started = time.monotonic()
            with lock:
                storm.sent += 1
                storm.late += started - due > LATE
                storm.sending_seconds = max(storm.sending_seconds, started - start)
            try:
                response, _ = client.exchange(
                    "POST",
                    path,
                    body,
                    {"Origin": origin, "Content-Type": "application/x-www-form-urlencoded"},
                )
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    storm.errors[type(error).__name__] += 1
                continue
            answered = time.monotonic()
            location = response.getheader("Location") or ""
            match = re.search(r"#comment-(\d+)$", location)
            with lock:
                if response.status == 302 and match:
                    storm.acknowledged += 1
                    storm.ack_ms.append(1000 * (answered - started))
                    storm.ids.append(int(match.group(1)))
                elif response.status == 302:
                    storm.other_statuses[f"302 to {location or 'nowhere'}"] += 1
                else:
                    storm.other_statuses[str(response.status)] += 1
            if response.status == 302 and match:
                on_page = re.search(r"[?&]page=(\d+)", location)
                page = int(on_page.group(1)) if on_page else 1
                probe.expect(int(match.group(1)), page, answered)
        client.close()

    start = time.monotonic() + 0.05
    threads = [threading.Thread(target=poster, daemon=True) for _ in range(posters)]
    for thread in threads:
        thread.start()
    count = max(1, round(storm.rate * storm.seconds))
    for number in range(count):
        due = start + number / storm.rate
        time.sleep(max(0.0, due - time.monotonic()))
        slots.put((number, due))
    for _ in threads:
        slots.put(None)
    for thread in threads:
        thread.join()
    storm.answered_seconds = time.monotonic() - start


@dataclass
class Expected:
    """An acknowledged comment the probe has not seen yet."""

    acknowledged_at: float
    pages: set[int]  # the page its redirect named; the next one too once that exists


class Probe:
    """Anonymous readers (PROBE_READERS threads) polling the comments pages of acknowledged
    comments until each comment is shown; records the delay of each in storm.delays.

    A page's GETs start at least PROBE_EVERY apart, taken by whichever reader is free, so
    when a GET is slow (a render) the next starts before it ends: a comment is not left
    waiting for a GET that began before its 302 and then for the next.

    A comment can end up one page later than its redirect said: the page is counted when
    the post is answered, from the threads stored then, and a post with an earlier
    `created_at` that commits later lands before it. So when the page named lacks the
    comment and links to the next page, the next page is polled too."""

    def __init__(self, base_url: str, path: str, storm: Storm) -> None:
        self.base_url, self.path, self.storm = base_url, path, storm
        self.pending: dict[int, Expected] = {}  # by comment id
        self.next_start: dict[int, float] = {}  # page number -> when its next GET may start
        self.condition = threading.Condition()
        self.finishing = False
        self.readers = [
            threading.Thread(target=self.read, daemon=True) for _ in range(PROBE_READERS)
        ]

    def start(self) -> None:
        for reader in self.readers:
            reader.start()

    def expect(self, comment_id: int, page: int, acknowledged_at: float) -> None:
        with self.condition:
            self.pending[comment_id] = Expected(acknowledged_at, {page})
            self.condition.notify_all()

    def finish(self) -> None:
        """Wait until every acknowledged comment is seen or has waited UNSEEN_AFTER."""
        with self.condition:
            self.finishing = True
            self.condition.notify_all()
        for reader in self.readers:
            reader.join()

    def url(self, page: int) -> str:
        return self.path + (f"?page={page}" if page > 1 else "")

    def next_page(self) -> tuple[int, float] | None:
        """The page to ask next and when, reserved; None when there is nothing left to
        wait for. Called with the condition held."""
        while True:
            now = time.monotonic()
            for pk, expected in list(self.pending.items()):
                if now - expected.acknowledged_at > UNSEEN_AFTER:
                    del self.pending[pk]
                    self.storm.unseen.append(pk)
            if self.pending:
                break
            if self.finishing:
                return None
            self.condition.wait(0.05)
        pages = {page for expected in self.pending.values() for page in expected.pages}
        page = min(pages, key=lambda number: self.next_start.get(number, 0.0))
        start = max(now, self.next_start.get(page, 0.0))
        self.next_start[page] = start + PROBE_EVERY
        return page, start

    def read(self) -> None:
        client = KeptAlive(self.base_url)
        while True:
            with self.condition:
                chosen = self.next_page()
            if chosen is None:
                break
            page, start = chosen
            time.sleep(max(0.0, start - time.monotonic()))
            try:
                response, body = client.exchange(
                    "GET", self.url(page), headers={"Accept-Encoding": "gzip"}
                )
            except (OSError, http.client.HTTPException) as error:
                with self.condition:
                    self.storm.probe_answers[f"error {type(error).__name__}"] += 1
                time.sleep(0.05)
                continue
            seen_at = time.monotonic()
            if response.getheader("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            cache = response.getheader("X-Page-Cache") or "rendered (no X-Page-Cache)"
            has_next = re.search(rb"\?page=%d\b" % (page + 1), body) is not None
            with self.condition:
                self.storm.probe_answers[
                    cache if response.status == 200 else f"status {response.status}"
                ] += 1
                for pk, expected in list(self.pending.items()):
                    if page not in expected.pages:
                        continue
                    if f'id="comment-{pk}"'.encode() in body:
                        del self.pending[pk]
                        self.storm.delays.append(max(0.0, seen_at - expected.acknowledged_at))
                        self.storm.moved += page != min(expected.pages)
                    elif has_next:
                        expected.pages.add(page + 1)
        client.close()


class KeptAlive:
    """One kept-alive connection to the server, opened again after the server closed it
    or an exchange failed (the failure is the caller's to count)."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port
        self.connection: http.client.HTTPConnection | None = None

    def exchange(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPResponse, bytes]:
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.connection.request(method, path, body, headers or {})
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response, data

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.5 for p50); nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def storm_target(result: WrkResult, nginx_rps: float, quiet_p99: float) -> str:
    """The table's target cell for (f)."""
    share = result.rps >= TARGET_OF_NGINX * nginx_rps
    p99 = result.p99_ms <= TARGET_OF_QUIET_P99 * quiet_p99
    return (
        f"≥ {TARGET_OF_NGINX:.0%} of nginx: {'met' if share else 'NOT met'}; "
        f"p99 ≤ {TARGET_OF_QUIET_P99:.0f}× quiet (a): {'met' if p99 else 'NOT met'}"
    )


def storm_lines(
    result: WrkResult | None, storm: Storm, nginx_rps: float, quiet_p99: float
) -> list[str]:
    """The lines under the table about (f): reads against the quiet page, the posts, and
    the delay to the reader."""
    lines = []
    if result is not None:
        times = result.p99_ms / quiet_p99 if quiet_p99 else float("nan")
        met = times <= TARGET_OF_QUIET_P99
        lines.append(
            f"Storm (f), reads: {result.rps:,.0f}/s ({result.rps / nginx_rps:.0%} of nginx), "
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms = {times:.1f}× the quiet "
            f"p99 of (a), {quiet_p99:.1f} ms (goal ≤ {TARGET_OF_QUIET_P99:.0f}×: "
            f"{'met' if met else 'NOT met'})."
        )
    stored = sum(storm.stored.values())
    by_status = ", ".join(f"{count} {status}" for status, count in sorted(storm.stored.items()))
    others = ", ".join(f"{n} × {what}" for what, n in sorted(storm.other_statuses.items()))
    errors = ", ".join(f"{n} × {what}" for what, n in sorted(storm.errors.items()))
    lost = storm.acknowledged - stored
    once = not storm.missing_ids and not storm.stored_twice and stored >= storm.acknowledged
    # The first post leaves at 0 s, the last at (n - 1) / rate: n posts over n / rate s.
    spread = storm.sending_seconds + 1 / storm.rate
    sent_rate = storm.sent / spread if storm.sent else float("nan")
    lines.append(
        f"Storm (f), posts at {storm.rate:g}/s for {storm.seconds:g} s: sent {storm.sent} "
        f"in {spread:.1f} s ({sent_rate:.1f}/s; {storm.late} more than {LATE:g} s after their "
        f"slot), the last answered {storm.answered_seconds:.1f} s after the first left; "
        f"acknowledged (302) {storm.acknowledged} in p50 {percentile(storm.ack_ms, 0.5):.0f} ms, "
        f"p99 {percentile(storm.ack_ms, 0.99):.0f} ms; stored {stored} "
        f"({by_status or 'none'}); lost = acknowledged - stored = {lost}; acknowledged ids "
        f"missing from the database: {len(storm.missing_ids)}; stored twice: "
        f"{storm.stored_twice}; other answers: {others or 'none'}; errors: {errors or 'none'} "
        f"(goal: every acknowledged post stored once: {'met' if once else 'NOT met'})."
    )
    delays = storm.delays
    within = bool(delays) and not storm.unseen and max(delays) <= TARGET_DELAY_SECONDS
    answers = ", ".join(f"{n} {what}" for what, n in storm.probe_answers.most_common())
    lines.append(
        f"Storm (f), from a post's 302 to the comment on its page for an anonymous reader: "
        f"p50 {percentile(delays, 0.5):.3f} s, p99 {percentile(delays, 0.99):.3f} s, max "
        f"{max(delays, default=float('nan')):.3f} s over {len(delays)} posts; not shown within "
        f"{UNSEEN_AFTER:g} s: {len(storm.unseen)} (goal: within {TARGET_DELAY_SECONDS:g} s: "
        f"{'met' if within else 'NOT met'}). Seen only on the page after the one their "
        f"redirect named: {storm.moved}. The probe's GETs: {answers or 'none'}."
    )
    return lines
