"""What a group of proofs adds to the whole suite: `./dev bench --suite` (slow: whole suites).

Runs the suite with `./dev test` (CI=true, one builder seed for every run), without the
group and with it, alternately, `--runs` times each, and writes
benchmarks/results/suite-GROUP.md: each run's wall time, the medians and their difference.
The groups, and their budgets on a 2-CPU machine:

- docker (the default): the proofs of issue 22, 90 s: with a real Docker, the Docker blocks
  of the site and the fixture, tests/test_docker.py and the builder's Docker configurations
  (docker-NN); and fail2ban's, tests/test_fail2ban.py;
- builder: the builder page's lab proofs, tests/test_builder_lab.py, 60 s (issue 15).

    python benchmarks/suite.py [--runs N] [--group docker|builder]

With `--breakdown`, one whole run instead, with FWGUIDE_TIMING set: where its time goes, per
test file and per kind of work (benchmarks/breakdown.py, from the spans it keeps in
test-artifacts/timing/), into benchmarks/results/suite.md,
under "Warm caches"; with `--cold` as well, the run gets an empty FWGUIDE_CACHE (every
release's root built again, its packages downloaded from Debian's archive), under "Cold
caches". Each section keeps the other. With `--cpu`, the run goes under `perf record -a`, and
the section gets the CPU-seconds of each program (chromium, Python, ufw...): on 2 CPUs busy
all along, that is what bounds the run.

    python benchmarks/suite.py --breakdown [--cold] [--cpu]
"""

from __future__ import annotations

import argparse
import contextlib
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

import breakdown as breakdown_tables
from common import RESULTS, write_report

ROOT = Path(__file__).resolve().parent.parent
# group -> (what it is, the arguments that leave it out of a run, the seconds it may add)
GROUPS = {
    "docker": ("the proofs of servers that run Docker or fail2ban",
               ["--ignore=tests/test_docker.py", "--ignore=tests/test_fail2ban.py", "-k",
                "not (docker and host) and not containers and not docker-0"], 90.0),
    "builder": ("the builder page's lab proofs", ["--ignore=tests/test_builder_lab.py"], 60.0),
}
SUMMARY_RE = re.compile(r"^=*\s*(\d+ (?:passed|failed|errors?)\b.*?) in [\d.]+s", re.M)  # pytest's last line


def run_suite(without: list[str], seed: str, extra_env: dict | None = None,
              prefix: list[str] | None = None) -> tuple[float, str]:
    """(wall seconds, pytest's summary line) of one whole run, leaving out what `without` says;
    `prefix`: a command that runs it (perf record)."""
    argv = [*(prefix or []), str(ROOT / "dev"), "test", "-q", "-p", "no:cacheprovider", *without]  # its installs
    env = {**os.environ, "CI": "true", "FWGUIDE_BUILDER_SEED": seed, **(extra_env or {})}
    start = time.monotonic()
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    found = SUMMARY_RE.findall(result.stdout)
    summary = found[-1] if found else "no summary line"
    if result.returncode != 0:
        print(result.stdout[-4000:], file=sys.stderr)
        raise SystemExit(f"suite.py: the suite failed ({summary}); a failing run measures nothing")
    return seconds, summary


SECTIONS = ("Warm caches", "Cold caches")
LONG = 0.5  # seconds: the tests this long are listed in durations.json, for tests/conftest.py's order


PERF_FREQUENCY = 29  # samples per second and CPU: a whole run gives about 30,000, a few MB per minute


def breakdown(cold: bool, seed: str, cpu: bool = False) -> int:
    """One whole run with FWGUIDE_TIMING set; its breakdown replaces its section of suite.md.
    With `cpu`, under `perf record -a` (every process of the machine), kept with the spans."""
    if cpu and shutil.which("perf") is None:
        raise SystemExit("suite.py: --cpu needs perf (Debian package linux-perf; ./dev bench --suite --breakdown --cpu "
                         "installs it)")
    section = SECTIONS[cold]
    load = os.getloadavg()[0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    spans = ROOT / "test-artifacts" / "timing" / ("cold" if cold else "warm")  # kept, to look into
    shutil.rmtree(spans, ignore_errors=True)
    spans.mkdir(parents=True)
    perf_data = spans.parent / f"{spans.name}.perf.data"  # beside the spans, not one of them
    prefix = ["perf", "record", "-a", "-q", "-F", str(PERF_FREQUENCY), "-o", str(perf_data), "--"] if cpu else []
    with tempfile.TemporaryDirectory(prefix="fwguide-cold-cache-") if cold else contextlib.nullcontext() as cache:
        extra = {"FWGUIDE_TIMING": str(spans), **({"FWGUIDE_CACHE": cache} if cold else {})}
        seconds, summary = run_suite([], seed, extra, prefix)
        measured = breakdown_tables.summarise(Path(spans))
        body = breakdown_tables.markdown(measured, f"{section}: `./dev test`")
        if cpu:
            body += "\n" + breakdown_tables.cpu_markdown(breakdown_tables.cpu(perf_data, PERF_FREQUENCY), seconds,
                                                         os.cpu_count() or 1)
    if not cold:  # for tests/support.py's balanced_order: each test's [seconds, of them waiting]
        long = {nodeid: [s, measured["waiting"][nodeid]]
                for nodeid, s in sorted(measured["durations"].items(), key=lambda kv: -kv[1]) if s >= LONG}
        (RESULTS / "durations.json").write_text(  # a line per test
            "{\n" + ",\n".join(f" {json.dumps(n)}: {json.dumps(v)}" for n, v in long.items()) + "\n}\n")
    head = (f"- {time.strftime('%Y-%m-%d %H:%M')}, commit {commit}; {os.cpu_count()} CPUs, load average {load:.1f} "
            f"at the start; CI=true, FWGUIDE_BUILDER_SEED={seed}" + ("; an empty FWGUIDE_CACHE" if cold else "")
            + f"\n- `./dev test` took **{seconds:.1f} s** (installs, site build and tests); pytest: {summary}\n\n")
    path = RESULTS / "suite.md"
    old = path.read_text() if path.exists() else ""
    parts = {name: "" for name in SECTIONS}
    for name in SECTIONS:
        marker = f"## {name}\n"
        if marker in old:
            rest = old.split(marker, 1)[1]
            parts[name] = rest.split("\n## ", 1)[0].strip("\n") + "\n"  # without the blank line after the title
    parts[section] = head + body
    lines = ["# Where the suite's time goes", "", breakdown_tables.__doc__.strip(), ""]
    for name in SECTIONS:
        lines += [f"## {name}", "", parts[name] or "Not measured yet.\n"]
    return write_report(lines, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs of each kind (default 2)")
    parser.add_argument("--group", default="docker", choices=GROUPS, help="the proofs whose cost is measured")
    parser.add_argument("--breakdown", action="store_true", help="one run: where its time goes (suite.md)")
    parser.add_argument("--cold", action="store_true", help="with --breakdown: an empty cache of roots")
    parser.add_argument("--cpu", action="store_true", help="with --breakdown: CPU time per program (perf record)")
    args = parser.parse_args()
    if args.breakdown:
        return breakdown(args.cold, os.environ.get("FWGUIDE_BUILDER_SEED", "424242"), args.cpu)
    what, leave_out, budget = GROUPS[args.group]
    seed = os.environ.get("FWGUIDE_BUILDER_SEED", "424242")
    rows, times = [], {"without": [], "with": []}
    load = os.getloadavg()[0]
    for i in range(1, args.runs + 1):
        for kind in ("without", "with"):
            seconds, summary = run_suite(leave_out if kind == "without" else [], seed)
            times[kind].append(seconds)
            rows.append(f"| {i} | {kind} | {seconds:.1f} s | {summary} |")
            print(rows[-1], flush=True)
    added = statistics.median(times["with"]) - statistics.median(times["without"])
    lines = [
        "# Suite benchmark",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} CPUs, load average {load:.1f} at the start; "
        f"`./dev test`, CI=true, FWGUIDE_BUILDER_SEED={seed}",
        f"- Measured: what {what} add to the whole suite (every release), runs alternated; without them: "
        f"`{' '.join(leave_out)}`",
        "",
        f"| Run | {what[0].upper() + what[1:]} | Wall time | pytest |",
        "|---|---|---|---|",
        *rows,
        "",
        f"Median without: {statistics.median(times['without']):.1f} s; with: {statistics.median(times['with']):.1f} s; "
        f"added: **{added:.1f} s** (budget {budget:.0f} s on 2 CPUs: {'met' if added <= budget else 'missed'}).",
    ]
    return write_report(lines, RESULTS / f"suite-{args.group}.md")


if __name__ == "__main__":
    raise SystemExit(main())
