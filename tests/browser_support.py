"""Chromium in the tests: the built site served as GitHub Pages serves it, Debian's chromium
driven by Playwright, and a fresh page per test in one context per worker, reset between
tests (the fixtures are shared through conftest.py)."""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml

from support import ROOT, require

# Debian's chromium, built as its headless shell (Debian package chromium-headless-shell, from
# the same source and version as the package chromium): the same Blink and V8, without the
# desktop browser around them. It is what Playwright (1.49 and later) runs for headless tests.
# Issue 24, measured: a page load of the iptables page took 0.48 CPU-second instead of 0.67 to
# 0.83, and full-page screenshots came out byte for byte the same from both, wherever a page
# renders the same twice in one of them.
CHROMIUM = "/usr/bin/chromium-headless-shell"
SITE_URL = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_url"]
BASE = urllib.parse.urlparse(SITE_URL).path  # "/firewall-guide/"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under BASE; anything else, or anything missing, gets 404.html. Text
    is gzip-compressed when the browser accepts it, and a file may be kept for ten minutes,
    then revalidated by its ETag or date, as GitHub Pages does (Cache-Control: max-age=600):
    a worker's pages reuse the site's unchanged files as a reader's browser does."""

    COMPRESSED = (".html", ".css", ".js", ".json", ".xml", ".svg", ".map")
    GZIPPED: dict[tuple[Path, int, int], bytes] = {}  # a file's compressed bytes, by its path, date and size
    status = 0

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urllib.parse.urlparse(self.path).path.endswith("/"):
                return super().send_head()  # the redirect to the address with its slash
            path = path / "index.html"
        if (path.suffix in self.COMPRESSED and path.is_file()
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            stat = path.stat()
            etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}-gzip"'
            if self.headers.get("If-None-Match") == etag:  # Chromium sends back the one tag it has
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Vary", "Accept-Encoding")
                self.end_headers()
                return None
            key = (path, stat.st_mtime_ns, stat.st_size)
            body = self.GZIPPED.get(key)
            if body is None:
                body = self.GZIPPED[key] = gzip.compress(path.read_bytes())
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Last-Modified", self.date_time_string(stat.st_mtime))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()  # images and fonts: Last-Modified and If-Modified-Since

    def send_response(self, code, message=None):
        self.status = code
        super().send_response(code, message)

    def end_headers(self):
        if self.status < 400:
            self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def translate_path(self, path):
        path = urllib.parse.urlparse(path).path
        if not path.startswith(BASE):
            return str(Path(self.directory) / "__outside_the_site__")
        return super().translate_path("/" + path[len(BASE):])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
        body = gzip.compress(body) if gzipped else body
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A browser that closes a page while a file is sent (a test moving on) breaks the pipe:
        not an error of the site. Anything else is printed as before."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(directory: Path):
    """`directory` served as GitHub Pages serves the site, for as long as the block runs: its origin."""
    server = _Server(("127.0.0.1", 0), functools.partial(_Handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def origin(site):
    with serve(site) as address:
        yield address


@pytest.fixture(scope="session")
def browser():
    require(Path(CHROMIUM).exists(),
            f"{CHROMIUM} is not installed (Debian package chromium-headless-shell; ./dev test installs it)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def shared_context(browser, origin):
    """One browser context per worker, for the pages of every test: a new context costs about
    0.5 CPU-second more than a new page in one (issue 24, measured), and the suite is CPU-bound.
    `reset` is what makes the sharing safe; test_browser.py proves it leaves nothing behind.
    The context keeps one page of its own on the site's origin, with no script of the site in
    it (the sitemap), for `reset` to clear the origin's storage through."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], base_url=origin)
    context.keeper = context.new_page()
    context.keeper.goto(f"{BASE}sitemap.xml")
    context.keeper_cdp = context.new_cdp_session(context.keeper)
    yield context
    context.close()


def reset(context, origin: str) -> None:
    """Leave nothing of a test for the next one. Every page of the test closed first, its
    scripts stopped (Material writes its palette to localStorage when a page loads), and a
    tab's sessionStorage with it. Then the origin's localStorage cleared from the keeper page,
    in order with every write a page made before (a light page once showed the dark scheme
    of the test before it, under load), checked empty; then the other stores a page can fill
    (IndexedDB, cache storage, service workers) and the cookies. What stays is the HTTP cache
    of the site's unchanged files. The clipboard is the browser's: a test that reads it
    writes it first (copy_from)."""
    for tab in context.pages:
        if tab is not context.keeper:
            tab.close()
    assert context.keeper.evaluate("localStorage.clear(); localStorage.length") == 0
    context.keeper_cdp.send("Storage.clearDataForOrigin",
                            {"origin": origin, "storageTypes": "indexeddb,cache_storage,service_workers"})
    context.clear_cookies()


@pytest.fixture
def page(shared_context, origin):
    """A fresh page in the worker's shared context, reset after the test; `page.requests`
    lists every URL it asked for. A test sets its own viewport or scheme on the page."""
    tab = shared_context.new_page()
    tab.requests = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    try:
        yield tab
    finally:
        reset(shared_context, origin)


AXE = ROOT / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
# Every rule runs and every violating node is reported; the passing rules are listed with one
# node each instead of all of them (axe-core's resultTypes). That third of axe's time on a long
# page went into gathering nodes nobody reads (issue 24, measured: 2.5 to 1.6 CPU-seconds on
# the iptables page). test_browser.py checks that a run so made still reports every defect.
AXE_RUN = "axe.run({resultTypes: ['violations']})"


def copy_from(page, container, label: str, index_in_set: int) -> str:
    """Select the tab (if any) that shows the block, unless it is selected already (a click on a
    linked tab selects that tab in every set of the page), click the block's copy button, read
    the clipboard. The copy button is clicked as a reader clicks it: Playwright waits until it
    is visible, so a block its tab does not show cannot be copied."""
    if label:
        if not container.locator(".tabbed-set > input").nth(index_in_set).is_checked():
            container.locator(".tabbed-labels > label").nth(index_in_set).click()
        block = container.locator(".tabbed-block").nth(index_in_set)
    else:
        block = container
    page.evaluate("navigator.clipboard.writeText('')")
    block.locator('.md-code__button[data-md-type="copy"]').first.click()
    return page.evaluate("navigator.clipboard.readText()")
