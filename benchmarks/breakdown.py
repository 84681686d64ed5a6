"""Where a whole test run's time goes, from the spans fwguide.lab.timing wrote (FWGUIDE_TIMING).

`summarise` reads a run's span files; `markdown` writes the tables of benchmarks/results/suite.md:
- per test file: tests, worker-seconds (the sum of its tests' durations, setup and teardown
  included) and wall time (the union of its tests' intervals: how long some worker was on it);
- per kind of work: the lab's steps (fwguide.lab.timing.KINDS) and the test-level kinds
  (browser, fuzzing), as worker-seconds and as wall time;
- the workers: how busy each was, and how long each idled at the end while others finished.

Worker-seconds add up to the work; wall time is what a contributor waits for. A kind whose
wall time is close to the run's bounds the run whatever the number of workers.

On a machine whose CPUs are busy all along (`./dev test` on 2 CPUs), what bounds the run is
CPU time, not any one wait: `cpu` sums a `perf record -a` of the run (`suite.py --cpu`) per
program (PROGRAMS, by process name), as CPU-seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fwguide.lab.timing import KINDS, OUTER  # noqa: E402

TEST_KINDS = {
    "test:browser": "tests in Debian's chromium (the site as readers see it, the builder page)",
    "test:fuzzing": "generated inputs (hypothesis): the data files' checks",
}


# (program, what it is, the process names it runs as: perf's comm, 15 characters at most)
PROGRAMS = [
    ("chromium", "Debian's chromium and Playwright's driver (node): the browser tests",
     r"chromium.*|Chrome_.*|ThreadPool.*|Viz.*|Compositor.*|DedicatedWorker|DevTools.*|node.*|Gpu.*|Media.*"
     r"|HangWatcher|MemoryInfra|PerfettoTrace|Network.*|Service.*|headless.*"),
    ("python", "Python: the pytest workers (and the site builds they run), the lab's agents",
     r"python[\d.]*|pytest.*"),
    ("ufw", "ufw (a Python program) and its init script", r"ufw.*"),
    ("iptables, nftables", "iptables, ip6tables, their -restore and -save, nft",
     r"(ip6?|eb|arp)tables.*|xtables.*|nft"),
    ("firewalld", "firewalld and firewall-cmd (Python programs), their D-Bus", r"firewall.*|dbus.*|gdbus|polkitd"),
    ("docker", "dockerd, containerd, runc, docker, their re-executions (exe), the containers",
     r"dockerd|docker.*|containerd.*|runc.*|exe|busybox"),
    ("fail2ban", "fail2ban's server, client and actions", r"fail2ban.*|f2b/.*"),
    ("lab plumbing", "ip, mount, nsenter, unshare, chroot, shells and small tools",
     r"ip|mount|umount|nsenter|unshare|chroot|sh|bash|dash|env|readlink|mkdir|cp|sed|sleep|seq|tar|sysctl|at|atd"
     r"|faketime|update-alternat|mmdebstrap|apt.*|dpkg.*|npm|rm|cat"),
    ("kernel", "the kernel's own threads (packets, memory, RCU)", r"k\S*|rcu_.*|migration/.*|cpuhp/.*|irq/.*"),
    ("idle", "no process: the CPU had nothing to run", r"swapper.*"),
]
PROGRAM_RES = [(name, re.compile(pattern)) for name, _, pattern in PROGRAMS]


def program(comm: str) -> str:
    """The PROGRAMS name of a process name, or "other"."""
    return next((name for name, pattern in PROGRAM_RES if pattern.fullmatch(comm)), "other")


def cpu(perf_data: Path, frequency: int) -> dict[str, float]:
    """CPU-seconds per program from a `perf record -a -F frequency` of a run: each sample is
    1/frequency of a CPU's second. Idle CPUs count as "idle"."""
    out = subprocess.run(["perf", "script", "-i", str(perf_data), "-F", "comm"], capture_output=True, text=True,
                         check=True).stdout
    return cpu_from_comms((line.strip() for line in out.splitlines() if line.strip()), frequency)


def cpu_from_comms(comms, frequency: int) -> dict[str, float]:
    seconds: dict[str, float] = defaultdict(float)
    for comm in comms:
        seconds[program(comm)] += 1 / frequency
    return dict(seconds)


def cpu_markdown(seconds: dict[str, float], wall: float, cpus: int) -> str:
    """The CPU table: each program's CPU-seconds and its share of all the samples (idle included)."""
    total = sum(seconds.values())
    whats = {name: what for name, what, _ in PROGRAMS} | {"other": "any other process"}
    lines = [f"CPU time over the whole command, from `perf record -a`: {total:.0f} CPU-seconds sampled "
             f"(the command took {wall:.0f} s on {cpus} CPUs), idle included.", "",
             "| Program | What it is | CPU-seconds | Share |", "|---|---|---|---|"]
    for name, value in sorted(seconds.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {whats[name]} | {value:.0f} s | {100 * value / total:.0f} % |")
    return "\n".join(lines) + "\n"


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
    # Of each test's time, how much its worker spent waiting out real-time windows.
    windows: dict[int, list[dict]] = defaultdict(list)
    for s in kinds.get("window", []):
        windows[s["pid"]].append(s)
    waiting = {t["what"]: round(sum(w["seconds"] for w in windows[t["pid"]]
                                    if t["start"] <= w["start"] < t["start"] + t["seconds"]), 1) for t in tests}
    return {"durations": durations, "waiting": waiting, "wall": end - begin, "tests": len(tests),
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
