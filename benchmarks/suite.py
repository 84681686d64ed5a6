"""What a test file adds to the whole suite: `./dev bench --suite` (slow: whole suites).

Runs the suite with `./dev test` (CI=true, one builder seed for every run), without the
file and with it, alternately, `--runs` times each, and writes benchmarks/results/suite.md:
each run's wall time, the medians and their difference. The issue's budget for the builder
page's lab proofs is 60 s on a 2-CPU machine.

    python benchmarks/suite.py [--runs N] [--file tests/test_builder_lab.py]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import RESULTS, write_report

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 60.0  # seconds the builder page's lab proofs may add (issue 15)
SUMMARY_RE = re.compile(r"^=*\s*(\d+ (?:passed|failed|errors?)\b.*?) in [\d.]+s", re.M)  # pytest's last line


def run_suite(without: str | None, seed: str) -> tuple[float, str]:
    """(wall seconds, pytest's summary line) of one whole run."""
    argv = [str(ROOT / "dev"), "test", "-q", "-p", "no:cacheprovider"]  # its workers, its installs
    if without:
        argv.append(f"--ignore={without}")
    env = {**os.environ, "CI": "true", "FWGUIDE_BUILDER_SEED": seed}
    start = time.monotonic()
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    found = SUMMARY_RE.findall(result.stdout)
    summary = found[-1] if found else "no summary line"
    if result.returncode != 0:
        print(result.stdout[-4000:], file=sys.stderr)
        raise SystemExit(f"suite.py: the suite failed ({summary}); a failing run measures nothing")
    return seconds, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each kind (default 2)")
    parser.add_argument("--file", default="tests/test_builder_lab.py", help="the test file whose cost is measured")
    args = parser.parse_args()
    seed = os.environ.get("FWGUIDE_BUILDER_SEED", "424242")
    rows, times = [], {"without": [], "with": []}
    load = os.getloadavg()[0]
    for i in range(1, args.runs + 1):
        for kind in ("without", "with"):
            seconds, summary = run_suite(args.file if kind == "without" else None, seed)
            times[kind].append(seconds)
            rows.append(f"| {i} | {kind} | {seconds:.1f} s | {summary} |")
            print(rows[-1], flush=True)
    added = statistics.median(times["with"]) - statistics.median(times["without"])
    lines = [
        "# Suite benchmark",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} CPUs, load average {load:.1f} at the start; "
        f"`./dev test`, CI=true, FWGUIDE_BUILDER_SEED={seed}",
        f"- Measured: what `{args.file}` adds to the whole suite (every release), runs alternated",
        "",
        "| Run | `" + args.file + "` | Wall time | pytest |",
        "|---|---|---|---|",
        *rows,
        "",
        f"Median without: {statistics.median(times['without']):.1f} s; with: {statistics.median(times['with']):.1f} s; "
        f"added: **{added:.1f} s** (budget {BUDGET:.0f} s on 2 CPUs: {'met' if added <= BUDGET else 'missed'}).",
    ]
    return write_report(lines, RESULTS / "suite.md")


if __name__ == "__main__":
    raise SystemExit(main())
