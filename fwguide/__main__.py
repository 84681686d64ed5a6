"""Command line: `python -m fwguide verify snippets/<table>.yml`, `python -m fwguide check-translations`.

Runs the namespace lab on a table (as edited by you): every front-end's block is applied
in a throw-away server namespace and probed from client namespaces. Prints, per port and
client, what the table expects and what was observed. Exit status: 0 when everything
matches, 1 on any mismatch, 2 on bad input, 3 when the lab cannot run on this machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import translation
from .errors import DataError
from .lab.netns import BACKENDS, LabError
from .lab.plan import PlanError
from .lab.runner import MODES, default_mode, run, unavailable
from .lab.scenario import DEFAULT_TIMEOUT, Report, Scenario
from .loader import load_catalogue
from .releases import releases
from .render.markdown import frontends


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fwguide", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="probe a table's blocks in network namespaces")
    verify.add_argument("table", type=Path, help="a table's data file, e.g. snippets/inbound-minimum.yml")
    labels = [f.label for f in frontends()]
    verify.add_argument("--frontend", action="append", choices=labels, help="only this front-end (repeatable)")
    verify.add_argument("--backend", action="append", choices=BACKENDS, help="only this iptables backend (repeatable)")
    verify.add_argument("--block", type=Path,
                        help="probe this file instead of the rendered block (needs one --frontend)")
    verify.add_argument("--mode", choices=MODES,
                        help="netns (root) or userns (rootless); default: what this process can do")
    verify.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds before a probe counts as blocked")
    verify.add_argument("--failures-only", action="store_true", help="print only the checks that did not match")
    translations = commands.add_parser("check-translations", help="compare every page with its translation")
    translations.add_argument("docs", type=Path, nargs="?", default=Path("docs"), help="the docs directory")
    args = parser.parse_args(argv)
    if args.command == "check-translations":
        return _check_translations(args.docs)
    return _verify(args)


def _check_translations(docs: Path) -> int:
    problems = translation.check(docs)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{'OK' if not problems else 'DRIFT'}: {len(problems)} problem(s) in the translations of {docs}")
    return 1 if problems else 0


def _verify(args) -> int:
    path: Path = args.table
    try:
        catalogue = load_catalogue(path.parent)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    table = next((t for t in catalogue.tables.values() if Path(t.path).resolve() == path.resolve()), None)
    if table is None:
        print(f"error: {path}: not a table file (kind: table) of {path.parent}", file=sys.stderr)
        return 2
    chosen = [f for f in frontends() if not args.frontend or f.label in args.frontend]
    if args.block and len(chosen) != 1:
        print("error: --block needs exactly one --frontend (the form the file is written in)", file=sys.stderr)
        return 2
    mode = args.mode or default_mode()
    reason = unavailable(mode)
    if reason:
        print(f"error: the lab cannot run here ({mode}): {reason}", file=sys.stderr)
        return 3
    ruleset = catalogue.ruleset(table.id)
    mismatches = 0
    for frontend in chosen:
        block = args.block.read_text() if args.block else frontend.render(ruleset)
        backends = [b for b in BACKENDS if not args.backend or b in args.backend] if frontend.uses_iptables else [None]
        for backend in backends:
            # A server that runs Docker runs the newest release's own Docker, from its root.
            release = releases()[-1].codename if ruleset.docker else None
            scenario = Scenario(table.id, frontend.label, block, backend, str(path.parent), args.timeout, release)
            try:
                report = run(scenario, mode)
            except (LabError, PlanError) as exc:
                print(f"error: {scenario.name}: {exc}", file=sys.stderr)
                return 3
            failures = report.failures()
            mismatches += len(failures)
            print(format_report(report, args.failures_only))
    print(f"{'OK' if not mismatches else 'MISMATCH'}: {mismatches} mismatch(es)")
    return 1 if mismatches else 0


def format_report(report: Report, failures_only: bool = False) -> str:
    """Expected versus observed, one line per port and client."""
    lines = [f"== {report.scenario.table} / {report.scenario.frontend}"
             + (f" (iptables-{report.scenario.backend})" if report.scenario.backend else "")]
    lines += [f"  ! {problem}" for problem in report.general_failures()]
    row = "  {:<9} {:<26} {:<5} {:<10} {:<8} {:<8} {:<9} {}"
    lines.append(row.format("direction", "from -> to", "IP", "port", "kind", "expected", "observed", ""))
    for p in report.probes:
        if failures_only and p.ok:
            continue
        ends = f"{p.peer} -> server" if p.direction == "inbound" else f"server -> {p.peer}"
        ends = f"{p.phase}: {ends}" if p.phase else ends  # on a Docker host: after a restart, at boot
        lines.append(row.format(p.direction, ends, f"v{p.family}", f"{p.port}/{p.proto}",
                                "connect" if p.proto == "tcp" else "echo",
                                p.expected, p.observed, "ok" if p.ok else "MISMATCH"))
    for c in report.crafted:
        ok = c.observed == c.expected
        if failures_only and ok:
            continue
        lines.append(row.format("inbound", f"{c.peer} -> server", f"v{c.family}", f"{c.port}/tcp", c.kind,
                                c.expected, c.observed, "ok" if ok else "MISMATCH"))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
