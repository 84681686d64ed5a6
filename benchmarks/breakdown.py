"""Where a whole test run's time goes, from the spans fwguide.lab.timing wrote (FWGUIDE_TIMING).

`summarise` reads a run's span files; `markdown` writes the tables of benchmarks/results/suite.md:
- per test file: tests, worker-seconds (the sum of its tests' durations, setup and teardown
  included) and wall time (the union of its tests' intervals: how long some worker was on it);
- per kind of work: the lab's steps (fwguide.lab.timing.KINDS) and the test-level kinds
  (browser, fuzzing), as worker-seconds and as wall time;
- the workers: how busy each was, and how long each idled at the end while others finished.

Worker-seconds add up to the work; wall time is what a contributor waits for. A kind whose
wall time is close to the run's bounds the run whatever the number of workers.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fwguide.lab.timing import KINDS, OUTER  # noqa: E402

TEST_KINDS = {
    "test:browser": "tests in Debian's chromium (the site as readers see it, the builder page)",
    "test:fuzzing": "generated inputs (hypothesis): the data files' checks",
}


def union(intervals: list[tuple[float, float]]) -> float:
    """The length of the union of [start, end) intervals."""
    total, end = 0.0, None
    for a, b in sorted(intervals):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def read(directory: Path) -> list[dict]:
    spans = []
    for path in sorted(directory.glob("*.jsonl")):
        spans += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return spans


def summarise(directory: Path) -> dict:
    spans = read(directory)
    tests = [s for s in spans if s["kind"].startswith("test:")]
    if not tests:
        raise SystemExit(f"breakdown: no test spans in {directory} (was FWGUIDE_TIMING set for the run?)")
    interval = lambda s: (s["start"], s["start"] + s["seconds"])  # noqa: E731
    begin = min(s["start"] for s in tests)
    end = max(s["start"] + s["seconds"] for s in tests)
    files: dict[str, list[dict]] = defaultdict(list)
    for s in tests:
        files[s["what"].split("::")[0]].append(s)
    per_file = sorted(((name, len(ts), sum(t["seconds"] for t in ts), union([interval(t) for t in ts]))
                       for name, ts in files.items()), key=lambda row: -row[2])
    kinds: dict[str, list[dict]] = defaultdict(list)
    for s in spans:
        kinds[s["kind"]].append(s)
    per_kind = []
    for kind, what in [*KINDS.items(), *TEST_KINDS.items(), *OUTER.items()]:
        ks = kinds.get(kind, [])
        per_kind.append((kind, what, len(ks), sum(k["seconds"] for k in ks), union([interval(k) for k in ks])))
    workers: dict[int, list[dict]] = defaultdict(list)
    for s in tests:
        workers[s["pid"]].append(s)
    per_worker = sorted((sum(t["seconds"] for t in ts), end - max(t["start"] + t["seconds"] for t in ts))
                        for ts in workers.values())
    probes = sum(int(s["what"].split()[-1]) for s in kinds.get("probes", []) + kinds.get("window", [])
                 if s["what"].split()[-1].isdigit())
    durations = {t["what"]: round(t["seconds"], 1) for t in tests}
    return {"durations": durations, "wall": end - begin, "tests": len(tests),
            "worker_seconds": sum(t["seconds"] for t in tests),
            "files": per_file, "kinds": per_kind, "workers": per_worker, "probes": probes,
            "proofs": len(kinds.get("scenario", []))}


def markdown(summary: dict, title: str) -> str:
    s = summary
    lines = [
        f"### {title}",
        "",
        f"- Wall time of the tests (first test's start to last test's end): **{s['wall']:.1f} s**; "
        f"{s['tests']} tests, {s['worker_seconds']:.1f} worker-seconds on {len(s['workers'])} workers; "
        f"{s['proofs']} proofs (run_scenario), {s['probes']} probes in rounds",
        "- Workers: " + "; ".join(f"busy {busy:.0f} s, idle {idle:.0f} s at the end" for busy, idle in s["workers"]),
        "",
        "| Test file | Tests | Worker-seconds | Share | Wall time |",
        "|---|---|---|---|---|",
    ]
    for name, count, seconds, wall in s["files"]:
        lines.append(f"| `{name}` | {count} | {seconds:.1f} s | {100 * seconds / s['worker_seconds']:.0f} % "
                     f"| {wall:.1f} s |")
    lines += ["", "| Kind of work | What it is | Spans | Worker-seconds | Wall time |", "|---|---|---|---|---|"]
    for kind, what, count, seconds, wall in s["kinds"]:
        lines.append(f"| {kind} | {what} | {count} | {seconds:.1f} s | {wall:.1f} s |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(summarise(Path(sys.argv[1])), sys.argv[1]))
