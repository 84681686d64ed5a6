"""The guide's pages in a reader's browser: what each page downloads, per language, and how
fast the builder page answers a change.

    ./dev bench            (builds the site, serves it on 127.0.0.1, loads it in chromium)

Weight: every page of docs/en/ (and its French twin) is loaded with no cache; every request
it makes until the network is idle is counted, with the bytes transferred (headers and
bodies, as chromium reports them). Median of 3 loads per page.

Response: on the builder page, 100 changes in a row, alternately ticking or unticking a
checkbox (a service, or the malformed-packets option) and typing an administration address,
each timed in the page from just before the event to the next frame painted after the
output was re-rendered (see CHANGES_JS). Writes benchmarks/results/page.md.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from common import RESULTS, write_report  # noqa: E402  (benchmarks/ is the script's directory)
from support import PAGES as SOURCES, page_url  # noqa: E402  (every page of docs/en/)
from browser_support import BASE, serve  # noqa: E402  (the tests' GitHub-Pages-like server)
from fwguide.builder import Config, fragment  # noqa: E402  (the builder page's URL, as the page reads it)

# A reader's browser: Debian's chromium as a desktop browser, not the headless shell the tests
# drive. The shell asks for no favicon; a reader's browser does, and it is one of the requests
# counted here (./dev bench installs the package chromium for it).
READER_CHROMIUM = "/usr/bin/chromium"

# name -> path in the site, home first: every page of docs/en/, so a new page is measured too
PAGES = {("home" if p == "index.md" else p.removesuffix(".md")): page_url(p)
         for p in sorted(SOURCES, key=lambda p: (p != "index.md", p))}
LANGS = {"en": "", "fr": "fr/"}
TARGET_BYTES, TARGET_REQUESTS = 250_000, 15

BUILDER = page_url("builder.md")
# The builder's starting state: SSH from the administration address, so that typing another
# address changes the rules (and every block), not only the data file's first lines.
START = "#" + fragment(Config((("ssh", "admin"), ("http", "any"), ("https", "any")), admin4="198.51.100.7"))
CHANGES, TARGET_CHANGE_MS = 100, 50

# Runs in the builder page; resolves to {total: [ms], script: [ms]} or {error: "..."}.
# Change i, i even: click() a checkbox (cycling over the services but SSH, then the
# malformed-packets option), which fires click, input and change as a reader's click does.
# i odd: the address field gets a new address, 198.51.100.N, then an input event, as its
# last keystroke would. Each is timed from just before the event: `script` until the event
# returns (the form's handlers run synchronously inside it), `total` until the next frame is
# painted (requestAnimationFrame, then a task after it). The output must differ after every
# change (table, blocks, data file), else the figures would time nothing: error. A varying
# pause between changes starts them at every point of the frame, as a reader's would.
CHANGES_JS = """async (count) => {
  const $ = (selector) => document.querySelector(selector);
  const output = () => ({
    table: $("#fw-table").textContent,
    blocks: [...document.querySelectorAll(".fw-result .tabbed-block pre > code")].map((c) => c.textContent).join("\\n"),
    data: $(".fw-datafile pre > code").textContent,
  });
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  const boxes = [...document.querySelectorAll("input[data-service]")].filter((b) => b.dataset.service !== "ssh");
  boxes.push($("#fw-malformed"));
  const address = $("#fw-a4");
  const total = [], script = [];
  await frame();
  let before = output();
  for (let i = 0; i < count; i++) {
    const what = i % 2 ? "address 198.51.100." + (8 + (i >> 1)) : "checkbox " + boxes[(i >> 1) % boxes.length].id;
    const start = performance.now();
    if (i % 2) {
      address.value = what.split(" ")[1];
      address.dispatchEvent(new Event("input", { bubbles: true }));
    } else {
      boxes[(i >> 1) % boxes.length].click();
    }
    const ran = performance.now();
    await frame();
    const painted = performance.now();
    const after = output();
    if ($(".fw-result").hidden) return { error: `change ${i} (${what}): the output is hidden` };
    for (const part of ["table", "blocks", "data"]) {
      if (after[part] === before[part]) return { error: `change ${i} (${what}): the ${part} did not change` };
    }
    before = after;
    script.push(ran - start);
    total.push(painted - start);
    await pause((i * 7) % 17);
  }
  return { total, script };
}"""


def measure(browser, origin: str, path: str) -> tuple[int, int, list[str]]:
    """One load with no cache: (bytes transferred, requests, hosts asked)."""
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


def changes(browser, origin: str, path: str) -> dict[str, list[float]]:
    """CHANGES changes on the builder page at `path`: milliseconds, {"total": [...], "script": [...]}."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(origin + path + START)
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#fw-builder:not([hidden])")
    if page.locator(".fw-result").is_hidden():
        raise SystemExit(f"page benchmark: {path}{START}: the builder shows no output at the start")
    times = page.evaluate(CHANGES_JS, CHANGES)
    context.close()
    if "error" in times:
        raise SystemExit(f"page benchmark: {path}: {times['error']}; the timings would be invalid")
    return times


def spread(values: list[float]) -> tuple[float, float, float]:
    """Median, 90th percentile and maximum."""
    return statistics.median(values), statistics.quantiles(values, n=10)[-1], max(values)


def main() -> int:
    site = Path(tempfile.mkdtemp(prefix="fwguide-bench-site-"))
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                   cwd=ROOT, check=True)
    lines = [
        "# Page benchmark",
        "",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M')}; Debian chromium (package chromium), headless; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start",
        "",
        "Page weight: no cache, gzip as on GitHub Pages, until the network is idle; median of 3 loads per page. "
        f"Targets: under {TARGET_BYTES // 1000} KB and under {TARGET_REQUESTS} requests, nothing from another host.",
        "",
        "| Page | Language | Transferred | Requests | Hosts | Target |",
        "|---|---|---|---|---|---|",
    ]
    with serve(site) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=READER_CHROMIUM, args=["--no-sandbox"])
        for name, page_path in PAGES.items():
            for lang, prefix in LANGS.items():
                runs = [measure(browser, origin, BASE + prefix + page_path) for _ in range(3)]
                size = statistics.median(r[0] for r in runs)
                count = statistics.median(r[1] for r in runs)
                hosts = runs[0][2]
                local = all(r[2] == [origin.removeprefix("http://")] for r in runs)
                met = size < TARGET_BYTES and count < TARGET_REQUESTS and local
                lines.append(f"| {name} | {lang} | {size / 1000:.1f} KB | {count:g} | "
                             f"{len(hosts)} ({'local' if local else ', '.join(hosts)}) | "
                             f"{'met' if met else 'NOT met'} |")
        lines += [
            "",
            f"Builder page, from a change to the updated output: {CHANGES} changes in a row from `{START}`, "
            "alternately a checkbox clicked (a service but SSH, or the malformed-packets option) and a new "
            "address typed into the IPv4 administration field (198.51.100.N); the table, the blocks and the "
            "data file must all change each time. Timed in the page from just before the event to the next "
            "frame painted (requestAnimationFrame, then a task); the script alone is the event's dispatch, "
            f"during which the form re-renders the output. Target: a median under {TARGET_CHANGE_MS} ms.",
            "",
            "| Page | Language | Change to painted: median | p90 | max | Script alone: median | p90 | max | Target |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for lang, prefix in LANGS.items():
            times = changes(browser, origin, BASE + prefix + BUILDER)
            total, script = spread(times["total"]), spread(times["script"])
            met = total[0] < TARGET_CHANGE_MS
            lines.append(f"| builder | {lang} | " + " | ".join(f"{v:.1f} ms" for v in total + script) +
                         f" | {'met' if met else 'NOT met'} |")
        browser.close()
    return write_report(lines, RESULTS / "page.md")


if __name__ == "__main__":
    raise SystemExit(main())
