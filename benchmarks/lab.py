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
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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
    report = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
