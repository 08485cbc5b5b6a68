"""Timing one call many times, for the in-process benchmarks (bench/render, bench/scale)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def timed(
    call: Callable[[], Any], iterations: int, warm_up: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each of `iterations` calls, after `warm_up`
    untimed ones. CPU time (this thread's) is what the call costs; on a busy shared
    machine the wall clock also counts waiting for a core."""
    for _ in range(warm_up):
        call()
    wall, cpu = [], []
    for _ in range(iterations):
        wall_start, cpu_start = time.perf_counter_ns(), time.thread_time_ns()
        call()
        cpu.append((time.thread_time_ns() - cpu_start) / 1e6)
        wall.append((time.perf_counter_ns() - wall_start) / 1e6)
    return wall, cpu
