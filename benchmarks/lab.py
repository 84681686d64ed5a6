"""Benchmark of the namespace lab: one scenario, and the whole matrix serial and parallel.

    ./dev bench            (needs root, or user namespaces for the rootless mode)

Prints a Markdown report and writes it to benchmarks/results/lab.md. A scenario is the
full cycle the tests run: build the namespaces, start the agents, probe with no firewall,
apply the block, probe again, dump, apply again, dump, tear down.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import write_report
from fwguide.lab.netns import BACKENDS
from fwguide.lab.runner import default_mode, run, unavailable
from fwguide.lab.scenario import Scenario
from fwguide.loader import load_catalogue
from fwguide.render.markdown import frontends

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "snippets"


def matrix() -> list[Scenario]:
    """Every (table, front-end, backend) the site's tests run."""
    catalogue = load_catalogue(SNIPPETS)
    out = []
    for table in catalogue.tables:
        for frontend in frontends():
            if not frontend.supports(catalogue.ruleset(table)):
                continue
            block = frontend.render(catalogue.ruleset(table))
            for backend in BACKENDS if frontend.uses_iptables else (None,):
                out.append(Scenario(table, frontend.label, block, backend, str(SNIPPETS)))
    return out


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
    scenarios = matrix()
    single = {
        "nftables, IPv4 + IPv6 (inbound-optional)": next(
            s for s in scenarios if s.table == "inbound-optional" and s.frontend == "nftables"),
        "iptables command list, iptables-nft (inbound-optional)": next(
            s for s in scenarios if s.table == "inbound-optional" and s.frontend == "iptables" and s.backend == "nft"),
        "ufw (inbound-optional)": next(
            s for s in scenarios if s.table == "inbound-optional" and s.frontend == "ufw"),
        "firewalld with its D-Bus (inbound-optional)": next(
            s for s in scenarios if s.table == "inbound-optional" and s.frontend == "firewalld"),
    }
    lines = [
        "# Namespace lab benchmark",
        "",
        f"- Machine: {platform.node()}, {os.cpu_count()} CPUs, Linux {platform.release()}, "
        f"Python {platform.python_version()}",
        f"- Mode: {mode}; probe timeout {scenarios[0].timeout} s; {args.runs} runs per figure",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M')}",
        "",
        "| Measurement | Figures | Target |",
        "|---|---|---|",
    ]
    for name, scenario in single.items():
        timed(scenario, mode)  # warm-up: kernel modules, page cache
        values = [timed(scenario, mode) for _ in range(args.runs)]
        met = "met" if statistics.median(values) < 1 else "NOT met"
        lines.append(f"| One scenario: {name} | {summary(values)} | < 1 s: {met} |")
    if mode == "netns" and unavailable("userns") is None:
        scenario = single["nftables, IPv4 + IPv6 (inbound-optional)"]
        timed(scenario, "userns")
        values = [timed(scenario, "userns") for _ in range(args.runs)]
        met = "met" if statistics.median(values) < 1 else "NOT met"
        lines.append(f"| One scenario, rootless mode (userns): nftables (inbound-optional) | {summary(values)} "
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
    for workers in (1, os.cpu_count() or 2):
        values = []
        for _ in range(max(1, args.runs // 2)):
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(lambda s: timed(s, mode), scenarios))
            values.append(time.perf_counter() - start)
        met = "met" if statistics.median(values) < 60 else "NOT met"
        label = "serial" if workers == 1 else f"{workers} in parallel"
        lines.append(f"| Whole matrix, {len(scenarios)} scenarios, {label} | {summary(values)} | < 60 s: {met} |")
    return _write(lines, args)


def _write(lines: list[str], args) -> int:
    return write_report(lines, args.output)


if __name__ == "__main__":
    raise SystemExit(main())
