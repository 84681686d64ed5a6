"""Benchmark of the site build: the hooks' cost, rendering alone, memory, live reload.

    ./dev bench

- the strict bilingual build from a clean site/, and the same pages built with the hooks'
  output pre-rendered into plain Markdown (same theme, same plugins, no hook): the ratio
  is what the hooks add;
- rendering every table and command block of every page, in both languages, alone;
- the build's peak memory (the child process's maximum resident set);
- under `mkdocs serve`, the time from saving a change to snippets/services.yml to the
  served page showing it.

Writes benchmarks/results/build.md.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import RESULTS, write_report  # noqa: E402  (benchmarks/ is the script's directory)
from fwguide import LANGUAGES, markers  # noqa: E402
from fwguide.loader import load_catalogue  # noqa: E402

PROJECT_FILES = ("mkdocs.yml", "docs", "hooks", "overrides", "snippets", "fwguide")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def copy_project(where: Path) -> Path:
    where.mkdir(parents=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, where / name)
    return where


def prerendered(where: Path) -> Path:
    """The same site with every marker already expanded in the Markdown and no hook."""
    project = copy_project(where)
    catalogue = load_catalogue(project / "snippets")
    base = urlparse(yaml.safe_load((project / "mkdocs.yml").read_text())["site_url"]).path
    for lang in LANGUAGES:
        for page in (project / "docs" / lang).rglob("*.md"):
            page.write_text(markers.expand(page.read_text(encoding="utf-8"), catalogue, lang, str(page), base),
                            encoding="utf-8")
    config = (project / "mkdocs.yml").read_text()
    config = re.sub(r"\nhooks:\n(?:  - .*\n)+", "\n", config)
    (project / "mkdocs.yml").write_text(config)
    return project


def build(project: Path) -> tuple[float, int]:
    """One strict build into a fresh directory: (seconds, peak RSS in KB)."""
    site = Path(tempfile.mkdtemp(prefix="fwguide-bench-build-"))
    shutil.rmtree(site)
    start = time.perf_counter()
    argv = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)]
    process = subprocess.Popen(argv, cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"build failed in {project}: {process.stderr.read().decode()}")
    shutil.rmtree(site)
    return elapsed, usage.ru_maxrss


def render_all(runs: int = 200) -> list[float]:
    """Milliseconds to load the data and expand every marker of every page, both languages."""
    pages = {lang: [p.read_text(encoding="utf-8") for p in (ROOT / "docs" / lang).rglob("*.md")] for lang in LANGUAGES}
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        catalogue = load_catalogue(ROOT / "snippets")
        for lang, texts in pages.items():
            for text in texts:
                markers.expand(text, catalogue, lang, "page", "/firewall-guide/")
        out.append((time.perf_counter() - start) * 1000)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def incremental(where: Path, runs: int = 5) -> list[float]:
    """Seconds from saving snippets/services.yml to the served basics page showing the change."""
    project = copy_project(where)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", f"127.0.0.1:{port}"],
                              cwd=project, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = urlparse(yaml.safe_load((project / "mkdocs.yml").read_text())["site_url"]).path
    url = f"http://127.0.0.1:{port}{base}basics/"

    def page() -> str:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            return ""

    try:
        deadline = time.monotonic() + 60
        while "Remote administration" not in page():
            if time.monotonic() > deadline:
                raise SystemExit("mkdocs serve did not come up")
            time.sleep(0.1)
        services = project / "snippets" / "services.yml"
        original = services.read_text()
        out = []
        for i in range(runs):
            marker = f"Remote administration, edit {i}"
            time.sleep(1.0)  # let the watcher settle between edits
            start = time.monotonic()
            services.write_text(original.replace("Remote administration", marker, 1))
            while marker not in page():
                if time.monotonic() - start > 30:
                    raise SystemExit("the edit never reached the served page")
                time.sleep(0.02)
            out.append(time.monotonic() - start)
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


def summary(values: list[float], unit: str, digits: int = 3) -> str:
    return (f"median {statistics.median(values):.{digits}f} {unit}, min {min(values):.{digits}f}, "
            f"max {max(values):.{digits}f} (n={len(values)})")


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    work = Path(tempfile.mkdtemp(prefix="fwguide-bench-"))
    try:
        with_hooks = copy_project(work / "with-hooks")
        plain = prerendered(work / "prerendered")
        build(with_hooks), build(plain)  # warm-up: page cache, bytecode
        hooked, baseline = [], []
        for _ in range(runs):  # interleaved, so drift on the machine hits both alike
            hooked.append(build(with_hooks))
            baseline.append(build(plain))
        t_hooks = [t for t, _ in hooked]
        t_plain = [t for t, _ in baseline]
        ratio = statistics.median(t_hooks) / statistics.median(t_plain) - 1
        render = render_all()
        memory = [kb / 1024 for _, kb in hooked]
        reload = incremental(work / "serve")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        "# Build benchmark",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M')}; {runs} builds each, interleaved, after one warm-up",
        "",
        "| Measurement | Figures | Target |",
        "|---|---|---|",
        f"| Strict bilingual build, with the hooks | {summary(t_hooks, 's')} | |",
        f"| Same pages pre-rendered, no hook | {summary(t_plain, 's')} | |",
        f"| What the hooks add | {ratio * 100:+.1f} % | < 10 %: {'met' if ratio < 0.10 else 'NOT met'} |",
        f"| Rendering every table and command block, both languages | {summary(render, 'ms', 2)} | "
        f"< 20 ms: {'met' if statistics.median(render) < 20 else 'NOT met'} |",
        f"| Peak memory of the build | {summary(memory, 'MB', 1)} | |",
        f"| `mkdocs serve`: save snippets/services.yml to page updated | {summary(reload, 's')} | "
        f"< 2 s: {'met' if statistics.median(reload) < 2 else 'NOT met'} |",
    ]
    return write_report(lines, RESULTS / "build.md")


if __name__ == "__main__":
    raise SystemExit(main())
