"""Every benchmark, one report: `./dev bench` (options are passed to the lab benchmark).

Runs benchmarks/page.py, build.py and lab.py, then writes benchmarks/results/report.md:
the machine, the versions, and each benchmark's table of figures (median and spread over
several runs) with its targets, met or not. `./dev bench --suite` runs whole test suites
instead (benchmarks/suite.py, over half an hour on two CPUs): what a group of proofs (the
Docker ones by default, `--group builder` the builder page's) adds to `./dev test`; the last
results of each group join the report.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PARTS = (("page.py", [], "page.md"), ("build.py", [], "build.md"), ("lab.py", None, "lab.md"))


def version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except OSError:
        return "not installed"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def main() -> int:
    # --report-only: rewrite report.md from the last results, without measuring again.
    report_only = "--report-only" in sys.argv
    sys.argv = [a for a in sys.argv if a != "--report-only"]
    if "--suite" in sys.argv:
        argv = [sys.executable, str(ROOT / "benchmarks" / "suite.py"), *(a for a in sys.argv[1:] if a != "--suite")]
        subprocess.run(argv, check=True, cwd=ROOT)
        report_only = True
    for script, args, _ in () if report_only else PARTS:
        argv = [sys.executable, str(ROOT / "benchmarks" / script), *(sys.argv[1:] if args is None else args)]
        subprocess.run(argv, check=True, cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    names = ("mkdocs", "mkdocs-material", "mkdocs-static-i18n", "pymdown-extensions", "playwright")
    packages = ", ".join(f"{name} {metadata.version(name)}" for name in names)
    lines = [
        "# Benchmark report",
        "",
        f"Written by `./dev bench` on {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        "## Machine and versions",
        "",
        f"- {platform.node()}: {os.cpu_count()} CPUs, Linux {platform.release()}, {platform.machine()}",
        f"- Python {platform.python_version()}; {packages}",
        "- Debian packages: " + ", ".join(
            f"{name} {version(['dpkg-query', '-W', '-f', '${Version}', name])}"
            for name in ("iptables", "nftables", "ufw", "firewalld", "at", "chromium-headless-shell", "chromium",
                         "linux-libc-dev")
        ),
        "",
    ]
    for result in [part[2] for part in PARTS] + sorted(p.name for p in RESULTS.glob("suite-*.md")):
        text = (RESULTS / result).read_text()
        lines += ["#" + text.strip(), ""]  # each part's title one level down
    report = "\n".join(lines)
    (RESULTS / "report.md").write_text(report)
    print(f"written: {RESULTS / 'report.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
