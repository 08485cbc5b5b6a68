"""Does `broadsheet import-wxr` keep its memory flat on a big file? Generate a WXR file of
about --megabytes (200 by default), import it into a throwaway site, and sample the import
process's memory from /proc while it runs.

    .venv/bin/python -m bench.imports.run                    # one 200 MB file
    .venv/bin/python -m bench.imports.run --megabytes 20 200 # two sizes, to compare
    .venv/bin/python -m bench.imports.run --megabytes 5      # a quick run

Each size gets its own temporary BROADSHEET_HOME (SQLite database, var/), removed at the
end unless --keep. `DATABASE_URL` and `CACHE_URL` are ignored, and ./var is never
touched. Prints, per size: the file, items (articles + comments), total time, items/s,
resident memory (VmRSS) at 10%, 50% and 100% of the run's time and the peak (VmHWM).
Flat memory means RSS does not grow with the file: about the same at 10% and 100%, and
about the same peak for 20 MB and 200 MB. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BROADSHEET = ROOT / ".venv" / "bin" / "broadsheet"


@dataclass
class Run:
    megabytes: float
    size: int = 0
    items: int = 0
    articles: int = 0
    comments: int = 0
    generate_seconds: float = 0.0
    seconds: float = 0.0
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds, RSS kB)
    peak_kb: int = 0
    summary: str = ""

    def rss_at(self, fraction: float) -> int:
        moment = self.seconds * fraction
        before = [kb for seconds, kb in self.samples if seconds <= moment]
        return before[-1] if before else self.samples[0][1]


def _setup_django(directory: Path) -> None:
    os.environ["BROADSHEET_VAR_DIR"] = str(directory)
    os.environ["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    import django

    django.setup()


def _site_environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CACHE_URL"}}
    env.update(BROADSHEET_HOME=str(home), BROADSHEET_VAR_DIR=str(home / "var"))
    return env


def _memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in kB; (0, 0) once it has gone."""
    values = {"VmRSS:": 0, "VmHWM:": 0}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, *rest = line.split()
                if name in values:
                    values[name] = int(rest[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return values["VmRSS:"], values["VmHWM:"]


def measure(megabytes: float, interval: float, keep: bool) -> Run:
    from bench.imports.wxr import write_wxr_file

    run = Run(megabytes)
    home = Path(tempfile.mkdtemp(prefix=f"bench-import-{megabytes:g}mb-"))
    try:
        started = time.perf_counter()
        written = write_wxr_file(home / "site.xml", megabytes)
        run.generate_seconds = time.perf_counter() - started
        run.size, run.articles, run.comments = written.size, written.articles, written.comments
        run.items = written.articles + written.comments
        env = _site_environment(home)
        subprocess.run([BROADSHEET, "migrate", "--noinput", "-v0"], env=env, check=True)
        started = time.perf_counter()
        process = subprocess.Popen(
            [BROADSHEET, "import-wxr", str(written.path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        while process.poll() is None:
            rss, hwm = _memory_kb(process.pid)
            if rss:
                run.samples.append((time.perf_counter() - started, rss))
                run.peak_kb = max(run.peak_kb, hwm)
            time.sleep(interval)
        run.seconds = time.perf_counter() - started
        output = process.stdout.read() if process.stdout else ""
        run.summary = output.strip().splitlines()[-1] if output.strip() else ""
        if process.returncode != 0:
            sys.exit(f"import-wxr failed ({process.returncode}): {output[-2000:]}")
        if not run.samples:
            sys.exit("The import ended before memory could be sampled.")
    finally:
        if keep:
            print(f"Kept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return run


def report(runs: list[Run]) -> None:
    print()
    print(
        "| file | articles | comments | import s | items/s | RSS 10% | RSS 50% | RSS 100% | peak |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run in runs:
        mb = [f"{run.rss_at(f) / 1024:.0f} MB" for f in (0.1, 0.5, 1.0)]
        print(
            f"| {run.size / 1e6:.0f} MB | {run.articles:,} | {run.comments:,} "
            f"| {run.seconds:.1f} | {run.items / run.seconds:,.0f} "
            f"| {' | '.join(mb)} | {run.peak_kb / 1024:.0f} MB |"
        )
    for run in runs:
        print(f"\n{run.size / 1e6:.0f} MB file generated in {run.generate_seconds:.1f} s.")
        print(f"import-wxr said: {run.summary}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, nargs="+", default=[200.0])
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between samples")
    parser.add_argument("--keep", action="store_true", help="keep the temporary sites")
    options = parser.parse_args(argv)
    if not BROADSHEET.exists():
        sys.exit(f"No {BROADSHEET}: install the project first (see README.md).")
    with tempfile.TemporaryDirectory(prefix="bench-import-settings-") as settings_dir:
        _setup_django(Path(settings_dir))
        runs = []
        for megabytes in options.megabytes:
            print(f"Generating and importing about {megabytes:g} MB ...", flush=True)
            runs.append(measure(megabytes, options.interval, options.keep))
        report(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
