"""Page weight: what a reader's browser downloads for each guide page, per language.

    ./dev bench            (builds the site, serves it on 127.0.0.1, loads it in chromium)

Counts every request the page makes until the network is idle, and the bytes transferred
(headers and bodies, as chromium reports them), with no cache. Writes
benchmarks/results/page.md.
"""

from __future__ import annotations

import functools
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from common import RESULTS, write_report  # noqa: E402  (benchmarks/ is the script's directory)
from test_browser import BASE, CHROMIUM, _Handler  # noqa: E402  (the tests' GitHub-Pages-like server)

PAGES = {"home": "", "basics": "basics/", "iptables": "iptables/"}
LANGS = {"en": "", "fr": "fr/"}
TARGET_BYTES, TARGET_REQUESTS = 250_000, 15


def measure(browser, origin: str, path: str) -> tuple[int, int, list[str]]:
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(origin + path)
    page.wait_for_load_state("networkidle")
    total = 0
    for request in requests:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    hosts = sorted({r.url.split("/")[2] for r in requests})
    context.close()
    return total, len(requests), hosts


def main() -> int:
    site = Path(tempfile.mkdtemp(prefix="fwguide-bench-site-"))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                   cwd=ROOT, check=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    lines = [
        "# Page weight benchmark",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M')}; Debian chromium, no cache, gzip as on GitHub Pages, "
        "until the network is idle; median of 3 loads per page",
        f"- Targets: under {TARGET_BYTES // 1000} KB and under {TARGET_REQUESTS} requests, nothing from another host",
        "",
        "| Page | Language | Transferred | Requests | Hosts | Target |",
        "|---|---|---|---|---|---|",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, page_path in PAGES.items():
            for lang, prefix in LANGS.items():
                runs = [measure(browser, origin, BASE + prefix + page_path) for _ in range(3)]
                size = statistics.median(r[0] for r in runs)
                count = statistics.median(r[1] for r in runs)
                hosts = runs[0][2]
                local = hosts == [origin.removeprefix("http://")]
                met = size < TARGET_BYTES and count < TARGET_REQUESTS and local
                lines.append(f"| {name} | {lang} | {size / 1000:.1f} KB | {count:g} | {len(hosts)} (local) | "
                             f"{'met' if met else 'NOT met'} |")
        browser.close()
    server.shutdown()
    return write_report(lines, RESULTS / "page.md")


if __name__ == "__main__":
    raise SystemExit(main())
