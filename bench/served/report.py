"""What bench/run prints: the machine and code measured, the table, and the lines under it
(posting, disk, memory, notes), with the targets beside the numbers (never asserted)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .storm import Storm, storm_lines, storm_target
from .tools import WrkResult

HERE = Path(__file__).resolve().parent
TARGET_OF_NGINX = 0.80
TARGET_UNCOMPRESSED_OF_NGINX = 0.5
TARGET_POSTS_PER_SECOND = 300
TARGET_WORKER_MB = 150


@dataclass
class Row:
    scenario: str
    result: WrkResult | None
    workers_mb: list[float] = field(default_factory=list)
    main_mb: float = 0.0
    workers_pss_mb: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Posting:
    acknowledged: int = 0
    sent: int = 0
    other_statuses: str = ""
    stored: dict[str, int] = field(default_factory=dict)
    missing_ids: list[str] = field(default_factory=list)
    seconds: float = float("nan")


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{now}; nproc {nproc}; {model}; load average {load}; Python {platform.python_version()}"


def code(source: Path | None) -> str:
    """Which code is measured: the working tree's commit, and whether src/ differs from it."""
    if source is not None:
        return f"broadsheet from {source.resolve()}"
    root = HERE.parents[1]
    git = ["git", "--no-optional-locks", "-C", str(root)]  # reads only: no index refresh
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    changed = subprocess.run([*git, "status", "--porcelain", "src"], capture_output=True, text=True)
    if head.returncode != 0:
        return f"broadsheet from {root / 'src'}"
    dirty = ", with uncommitted changes under src/" if changed.stdout.strip() else ""
    return f"the working tree at {head.stdout.strip()}{dirty}"


def report(
    rows: dict[str, Row],
    posting: Posting,
    commit_ms: tuple[float, float] | None,
    args: argparse.Namespace,
    storm: Storm | None = None,
) -> str:
    nginx = rows["d"].result.rps if rows["d"].result else float("nan")
    plain = rows["h"].result.rps if "h" in rows and rows["h"].result else float("nan")
    quiet = rows["a"].result.p99_ms if rows["a"].result else float("nan")
    lines = [
        f"Page runs: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, "
        f"Accept-Encoding: gzip (g and h: none); posts: -c{args.post_clients} "
        f"-d{args.post_seconds}s; storm (f): {args.storm_rate:g} posts/s from up to "
        f"{args.storm_posters} threads for {args.storm_seconds}s.",
        "",
        "| scenario | requests/s | p50 ms | p99 ms | of nginx | CPU ms per request: server"
        " (wrk) | peak RSS per worker MB | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for key in ("a", "b", "c", "d", "e", "f", "g", "h"):
        row = rows.get(key)
        if row is None or row.result is None:
            continue
        result = row.result
        # Each against nginx sending the same bytes: (g), plain, against (h).
        ratio = "—"
        if key in "abef":
            ratio = f"{result.rps / nginx:.0%}"
        elif key == "g":
            ratio = f"{result.rps / plain:.0%} of h"
        rss = " / ".join(f"{mb:.0f}" for mb in row.workers_mb) or "—"
        served = max(result.requests, 1)
        cpu = f"{1000 * result.server_cpu / served:.2f} ({1000 * result.wrk_cpu / served:.2f})"
        target = ""
        if key == "a":
            met = result.rps >= TARGET_OF_NGINX * nginx
            target = f"≥ {TARGET_OF_NGINX:.0%} of nginx: {'met' if met else 'NOT met'}"
        if key == "c":
            accepted = posting.acknowledged / posting.seconds
            met = accepted >= TARGET_POSTS_PER_SECOND and not lost(posting)
            target = (
                f"≥ {TARGET_POSTS_PER_SECOND} accepted/s, none lost: {'met' if met else 'NOT met'}"
            )
        if key == "f":
            target = storm_target(result, nginx, quiet)
        if key == "g":
            met = result.rps >= TARGET_UNCOMPRESSED_OF_NGINX * plain
            share = f"{TARGET_UNCOMPRESSED_OF_NGINX:.0%}"
            target = f"≥ {share} of nginx (h): {'met' if met else 'NOT met'}"
        lines.append(
            f"| {row.scenario} | {result.rps:,.0f} | {result.p50_ms:.1f} | "
            f"{result.p99_ms:.1f} | {ratio} | {cpu} | {rss} | {target} |"
        )
    stored = sum(posting.stored.values())
    accepted = posting.acknowledged / posting.seconds if posting.seconds else float("nan")
    by_status = ", ".join(f"{count} {status}" for status, count in sorted(posting.stored.items()))
    lines += [
        "",
        f"Posting: {accepted:,.1f} posts/s accepted; acknowledged (302) {posting.acknowledged}, "
        f"stored {stored} ({by_status or 'none'}), lost = acknowledged - stored = "
        f"{posting.acknowledged - stored}; acknowledged ids missing from the database: "
        f"{len(posting.missing_ids)}; other answers: {posting.other_statuses or 'none'}.",
        f"  ({stored - posting.acknowledged + len(posting.missing_ids)} stored posts were not "
        "acknowledged: wrk stops without reading the responses still in flight.)",
    ]
    if commit_ms is not None:
        lines.append(
            f"Disk: one SQLite commit (WAL, synchronous=FULL) on the site's directory: "
            f"p50 {commit_ms[0]:.2f} ms, p99 {commit_ms[1]:.2f} ms "
            f"(at most {1000 / commit_ms[0]:,.0f} commits/s one after another)."
        )
    if storm is not None:
        lines += storm_lines(rows["f"].result if "f" in rows else None, storm, nginx, quiet)
    served = "abcfg"  # the scenarios of our own servers
    peaks = [mb for key in served if key in rows for mb in rows[key].workers_mb]
    mains = ", ".join(f"{key} {rows[key].main_mb:.0f}" for key in served if key in rows)
    pss = "; ".join(
        f"{key} " + " / ".join(f"{mb:.0f}" for mb in rows[key].workers_pss_mb)
        for key in served
        if key in rows
    )
    if peaks:
        met = max(peaks) < TARGET_WORKER_MB
        lines.append(
            f"Workers < {TARGET_WORKER_MB} MB each: {'met' if met else 'NOT met'} "
            f"(largest {max(peaks):.0f} MB); granian's main process (largest): {mains} MB. "
            f"Peak PSS per worker (forked pages split with the main process): {pss} MB."
        )
    return "\n".join(lines + notes(rows))


def notes(rows: dict[str, Row]) -> list[str]:
    """What went wrong in a run: its notes, and answers wrk counted as errors (for posts,
    the statuses other than 302 are in the posting line)."""
    found = []
    for key, row in rows.items():
        found += [f"Note ({key}): {note}" for note in row.notes]
        outcome = row.result
        if outcome and key != "c" and (outcome.non_2xx_3xx or outcome.socket_errors):
            found.append(
                f"Note ({key}): {outcome.non_2xx_3xx} non-2xx/3xx answers; "
                f"socket errors: {outcome.socket_errors or 'none'}"
            )
        elif outcome and outcome.socket_errors:
            found.append(f"Note ({key}): socket errors: {outcome.socket_errors}")
    return sorted(found)


def lost(posting: Posting) -> bool:
    return bool(posting.missing_ids) or posting.acknowledged > sum(posting.stored.values())
