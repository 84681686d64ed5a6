"""Benchmark of the namespace lab: each release's root filesystem, one scenario per
front-end and release, and the whole matrix of proofs, serial and parallel.

    ./dev bench            (needs root, or user namespaces for the rootless mode)

Prints a Markdown report and writes it to benchmarks/results/lab.md. A scenario is the
full cycle the tests run: build the namespaces, start the agents, probe with no firewall,
mount a fresh overlay of the release's root, apply the block, probe again, dump, apply it
again, dump, tear down. A proof is one (block × release × backend): what the tests run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import write_report
from fwguide.lab.netns import BACKENDS
from fwguide.lab.roots import lab_root
from fwguide.lab.runner import default_mode, run, unavailable
from fwguide.lab.scenario import Scenario
from fwguide.loader import load_catalogue
from fwguide.releases import releases
from fwguide.render.markdown import frontends

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"


RELEASES = [r.codename for r in releases()]
# Targets per scenario, from the issues: iptables and nftables 1 s, ufw 2 s, firewalld 1 s.
TARGETS = {"ufw": 2.0}


def matrix(release: str | None) -> list[Scenario]:
    """Every (table, front-end, backend) the site's tests run, with one release's tools."""
    catalogue = load_catalogue(SNIPPETS)
    out = []
    for table in catalogue.tables:
        for frontend in frontends():
            if not frontend.supports(catalogue.ruleset(table)):
                continue
            block = frontend.render(catalogue.ruleset(table))
            for backend in BACKENDS if frontend.uses_iptables else (None,):
                out.append(Scenario(table, frontend.label, block, backend, str(SNIPPETS), release=release))
    return out


def root_build_seconds(release: str) -> tuple[float, float]:
    """(a cold build of the release's root with mmdebstrap, from Debian's archive; taking it
    from the cache afterwards), in a throw-away cache directory."""
    cache = Path(tempfile.mkdtemp(prefix="fwguide-bench-roots-"))
    old = os.environ.get("FWGUIDE_CACHE")
    os.environ["FWGUIDE_CACHE"] = str(cache)
    try:
        start = time.perf_counter()
        lab_root(release)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        lab_root(release)
        return cold, time.perf_counter() - start
    finally:
        if old is None:
            del os.environ["FWGUIDE_CACHE"]
        else:
            os.environ["FWGUIDE_CACHE"] = old
        subprocess.run(["rm", "-rf", "--one-file-system", str(cache)], check=False)


def scaling_scenario(ports: int, where: Path) -> Scenario:
    """An nftables scenario on a table that opens `ports` TCP ports (the catalogue is probed too)."""
    snippets = where / f"snippets-{ports}"
    shutil.copytree(SNIPPETS, snippets)
    listed = ", ".join(f"{20000 + i}/tcp" for i in range(ports))
    (snippets / "bench.yml").write_text(
        "kind: table\nid: bench\ndirection: inbound\n"
        "policies: {input: drop, forward: drop, output: accept}\n"
        "rules:\n  - name: Bench\n    label: {en: Benchmark, fr: Banc d'essai}\n"
        f"    ports: [{listed}]\n    source: any\n    action: accept\n"
    )
    catalogue = load_catalogue(snippets)
    block = next(f for f in frontends() if f.label == "nftables").render(catalogue.ruleset("bench"))
    return Scenario("bench", "nftables", block, None, str(snippets))


def timed(scenario: Scenario, mode: str) -> float:
    start = time.perf_counter()
    report = run(scenario, mode)
    elapsed = time.perf_counter() - start
    if report.failures():
        raise SystemExit(f"{scenario.name} failed: {report.failures()[:3]}")
    return elapsed


def summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):.3f} s, min {min(values):.3f} s, "
            f"max {max(values):.3f} s (n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each measurement")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks/results/lab.md")
    parser.add_argument("--scaling-only", action="store_true", help="skip the matrix (for a quick look)")
    args = parser.parse_args()
    mode = default_mode()
    reason = unavailable(mode)
    if reason:
        raise SystemExit(f"the lab cannot run here ({mode}): {reason}")
    scenarios = {release: matrix(release) for release in RELEASES}
    lines = [
        "# Namespace lab benchmark",
        "",
        f"- Machine: {platform.node()}, {os.cpu_count()} CPUs, Linux {platform.release()}, "
        f"Python {platform.python_version()}",
        f"- Mode: {mode}; probe timeout {scenarios[RELEASES[0]][0].timeout} s; {args.runs} runs per figure",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        "| Measurement | Figures | Target |",
        "|---|---|---|",
    ]
    if mode == "netns":
        for release in RELEASES:
            cold, cached = root_build_seconds(release)
            lines.append(f"| Root filesystem of {release} (mmdebstrap, from Debian's archive): cold build, then "
                         f"cached | {cold:.1f} s, then {cached * 1000:.1f} ms | |")
    for release in RELEASES if mode == "netns" else []:
        for label, backend in (("nftables", None), ("iptables", "nft"), ("ufw", None), ("firewalld", None)):
            scenario = next(s for s in scenarios[release] if s.table == "inbound-optional"
                            and s.frontend == label and s.backend == backend)
            timed(scenario, mode)  # warm-up: kernel modules, page cache
            values = [timed(scenario, mode) for _ in range(args.runs)]
            target = TARGETS.get(label, 1.0)
            met = "met" if statistics.median(values) < target else "NOT met"
            name = f"{label}{f' (iptables-{backend})' if backend else ''}, {release} (inbound-optional)"
            lines.append(f"| One scenario: {name} | {summary(values)} | < {target:g} s: {met} |")
    if mode == "netns" and unavailable("userns") is None:
        scenario = next(s for s in matrix(None) if s.table == "inbound-optional" and s.frontend == "nftables")
        timed(scenario, "userns")
        values = [timed(scenario, "userns") for _ in range(args.runs)]
        met = "met" if statistics.median(values) < 1 else "NOT met"
        lines.append(f"| One scenario, rootless mode (userns, the host's tools): nftables (inbound-optional) | "
                     f"{summary(values)} "
                     f"| < 1 s: {met} |")
    work = Path(tempfile.mkdtemp(prefix="fwguide-bench-lab-"))
    try:
        for ports in (1, 10, 100, 1000):
            scenario = scaling_scenario(ports, work)
            timed(scenario, mode)
            values = [timed(scenario, mode) for _ in range(args.runs)]
            lines.append(f"| Scaling: nftables table opening {ports} ports (each probed from 2 clients, "
                         f"IPv4 and IPv6, with the catalogue and the sample) | {summary(values)} | nearly flat |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.scaling_only:
        return _write(lines, args)
    proofs = [s for release in (RELEASES if mode == "netns" else []) for s in scenarios[release]]
    for workers in (1, os.cpu_count() or 2, 2 * (os.cpu_count() or 2)):
        values = []
        for _ in range(max(1, args.runs // 2)):
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(lambda s: timed(s, mode), proofs))
            values.append(time.perf_counter() - start)
        label = "serial" if workers == 1 else f"{workers} at once"
        each = statistics.median(values) / len(proofs)
        lines.append(f"| Every proof, {len(proofs)} (block × release × backend), {label} | {summary(values)}; "
                     f"{each:.2f} s per proof | |")
    return _write(lines, args)


def _write(lines: list[str], args) -> int:
    return write_report(lines, args.output)


if __name__ == "__main__":
    raise SystemExit(main())
