"""The reader's experience in a real browser: Playwright driving Debian's chromium.

The built site is served on 127.0.0.1 under site_url's path, the way GitHub Pages serves
it (a missing address gets the root 404.html). Every request a page makes is recorded.
Screenshots of the guide go to test-artifacts/screenshots/ for a maintainer to look at.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest

from browser_support import (  # noqa: F401
    AXE, AXE_RUN, BASE, CHROMIUM, SCREENSHOTS, SIZES, SITE_URL, copy_from, reset, serve,
)
from support import (LANGS, PAGES, ROOT, built, command_blocks, command_snippets, copied, page_url, require,
                     source_command_markers, source_markers)


def url(lang: str, page_name: str) -> str:
    return BASE + LANGS[lang] + page_url(page_name)


def title(lang: str, page_name: str) -> str:
    for line in (ROOT / "docs" / lang / page_name).read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise AssertionError(f"{lang}/{page_name} has no title")


def switch_language(page, lang: str) -> None:
    """Open the language menu and click the other language, as a reader does."""
    page.locator(".md-header__option .md-select").first.hover()
    page.locator(f'.md-select__link[hreflang="{lang}"]').click()
    page.wait_for_load_state()


# The worker's shared context (issue 24)


def what_a_page_finds(tab) -> dict:
    """What one test could leave for the next, as the next page finds it: the tab each table
    shows (Material remembers a choice), the colour scheme, and what the origin stored."""
    tab.goto(url("en", "basics.md"))
    tables = tab.locator("div.fw-table")
    return {"tabs": [selected_tab(tables.nth(i)) for i in range(tables.count())],
            "scheme": tab.locator("body").get_attribute("data-md-color-scheme"),
            "stored": tab.evaluate("[Object.keys(localStorage).sort(), sessionStorage.length, document.cookie]"),
            "cookies": tab.context.cookies()}


def test_the_reset_of_the_shared_context_leaves_nothing_for_the_next_test(browser, shared_context, origin):
    def next_page() -> dict:
        try:
            return what_a_page_finds(shared_context.new_page())
        finally:
            reset(shared_context, origin)  # with the page open, as after any test

    def after(reset_between: bool) -> dict:
        tab = shared_context.new_page()
        tab.goto(url("en", "basics.md"))
        tab.locator("div.fw-table").first.locator(".tabbed-labels > label", has_text="nftables").click()
        tab.locator('form[data-md-component="palette"] label:visible').first.click()  # the other scheme
        tab.evaluate("document.cookie = 'left=1; path=/'; localStorage.setItem('left', '1');"
                     "sessionStorage.setItem('left', '1')")
        if reset_between:
            reset(shared_context, origin)  # the page still open, its scripts running
        else:
            tab.close()
        return next_page()

    def after_a_dark_page() -> dict:
        """A test in the dark scheme, as the screenshots take it: Material stores the scheme it
        shows when the page loads. A light page after it once showed the dark scheme (issue 24)."""
        tab = shared_context.new_page()
        tab.emulate_media(color_scheme="dark")
        tab.goto(url("en", "basics.md"))
        tab.evaluate("document.fonts.ready.then(() => true)")
        assert tab.locator("body").get_attribute("data-md-color-scheme") == "slate"
        reset(shared_context, origin)
        return next_page()

    first_visit = browser.new_context(base_url=origin)  # what a reader's first visit finds
    try:
        fresh = what_a_page_finds(first_visit.new_page())
    finally:
        first_visit.close()
    for _ in range(3):  # a reset that races with a page's scripts may pass a round and fail the next
        leaked = after(reset_between=False)
        # The control: without the reset, the next page finds the previous test's choices.
        assert leaked["tabs"][0] == "nftables" != fresh["tabs"][0]
        assert leaked["scheme"] != fresh["scheme"]
        assert "left" in leaked["stored"][0] and "left=1" in leaked["stored"][2] and leaked["cookies"]
        # That page was open when next_page reset the context, with the other scheme shown.
        assert next_page() == fresh
        assert after(reset_between=True) == fresh
        assert after_a_dark_page() == fresh


# Language


@pytest.mark.parametrize("page_name", PAGES)
def test_switching_language_lands_on_the_same_page_and_back(page, page_name):
    page.goto(url("en", page_name))
    for lang in ("fr", "en"):
        switch_language(page, lang)
        assert urllib.parse.urlparse(page.url).path == url(lang, page_name)
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").first.inner_text().strip().removesuffix("¶") == title(lang, page_name)


# Copy buttons


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_name", PAGES)
def test_every_copy_button_copies_what_the_namespace_tests_ran(page, site, lang, page_name):
    page.goto(url(lang, page_name))
    page_html = built(site, lang, page_name)
    blocks = []
    for kind, found in (("table", command_blocks(page_html)), ("commands", command_snippets(page_html))):
        seen: dict[str, int] = {}
        for block_id, label, code in found:
            index = seen[block_id] = seen.get(block_id, -1) + 1
            blocks.append((label, kind, block_id, index, code))
    # Tab by tab: one click on a tab selects it in every linked set, as a reader's does, and each
    # click lays out the whole page again (issue 24: most of this test's time on a long page).
    for label, kind, block_id, index, code in sorted(blocks, key=lambda b: b[0]):
        container = page.locator(f'div.fw-{kind}[data-{kind}="{block_id}"]').first
        if label:
            assert container.locator(".tabbed-labels > label").nth(index).inner_text().strip() == label
        assert copy_from(page, container, label, index) == copied(code), (block_id, label)
    # Not vacuous: a page whose source places tables or commands shows blocks to copy.
    assert bool(blocks) == bool(source_markers(lang, page_name) + source_command_markers(lang, page_name))
    # No block of the page was left out: as many copy buttons in its tables and command blocks.
    buttons = page.locator('div.fw-table .md-code__button[data-md-type="copy"], '
                           'div.fw-commands .md-code__button[data-md-type="copy"]')
    assert buttons.count() == len(blocks)


# Tabs


@pytest.mark.parametrize("lang", LANGS)
def test_choosing_a_tab_switches_every_table_and_is_remembered(page, lang):
    page.goto(url(lang, "basics.md"))
    tables = page.locator("div.fw-table")
    assert tables.count() >= 2
    tables.first.locator(".tabbed-labels > label", has_text="nftables").click()
    for i in range(tables.count()):
        assert selected_tab(tables.nth(i)) == "nftables"
    page.goto(url(lang, "iptables.md"))
    assert selected_tab(page.locator("div.fw-table").first) == "nftables"
    # The command blocks that have an nftables tab follow too.
    assert selected_tab(page.locator('div.fw-commands[data-commands="safe-apply"]')) == "nftables"


def selected_tab(container) -> str:
    checked = container.locator(".tabbed-set > input:checked").first.get_attribute("id")
    return container.locator(f'label[for="{checked}"]').first.inner_text().strip()


# 404


@pytest.mark.parametrize("lang, heading", [("en", "Page not found"), ("fr", "Page introuvable")])
def test_a_missing_page_gets_the_404_page_of_its_language(page, lang, heading):
    page.goto(BASE + LANGS[lang] + "no-such-page/")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").first.inner_text().strip() == heading


# Nothing from another host


def test_no_request_leaves_the_site(page, origin):
    for lang in LANGS:
        for page_name in PAGES:
            page.goto(url(lang, page_name))
            page.wait_for_load_state("networkidle")
            labels = page.locator(".tabbed-labels > label")
            if labels.count():
                labels.nth(labels.count() - 1).click()
    assert page.requests
    outside = [u for u in page.requests if not u.startswith(origin + "/")]
    assert outside == []


def test_the_server_caches_and_revalidates_as_github_pages_does(tmp_path):
    """Ten minutes of freshness, then a 304 for an unchanged file, and the new bytes (a new
    ETag) once it changed; the compressed body is the file's."""
    (tmp_path / "a.html").write_text("<p>one</p>" * 100)
    with serve(tmp_path) as address:

        def get(name: str = "a.html", **headers) -> tuple[int, dict, bytes]:
            request = urllib.request.Request(f"{address}{BASE}{name}", headers={"Accept-Encoding": "gzip", **headers})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                return error.code, dict(error.headers), b""

        status, headers, body = get()
        assert status == 200 and headers["Cache-Control"] == "max-age=600" and headers["Content-Encoding"] == "gzip"
        assert headers["Vary"] == "Accept-Encoding" and gzip.decompress(body) == (tmp_path / "a.html").read_bytes()
        status, again, body = get(**{"If-None-Match": headers["ETag"]})
        assert (status, again["ETag"], again["Cache-Control"], body) == (304, headers["ETag"], "max-age=600", b"")
        (tmp_path / "a.html").write_text("<p>two!</p>" * 100)  # another size: a new tag whatever the clock
        status, changed, body = get(**{"If-None-Match": headers["ETag"]})
        assert status == 200 and changed["ETag"] != headers["ETag"] and gzip.decompress(body).startswith(b"<p>two!")
        status, missing, _ = get("missing.html")
        assert status == 404 and "Cache-Control" not in missing  # an error is not kept


# Screenshots for a maintainer


# (name, page, fragment): the iptables page holds the fail2ban section. The builder page is
# shot in each state a reader meets (issue 23): a valid configuration (a service with two
# ports, one of your own), an invalid one (a field's message and the red box, no ruleset), the
# danger box (no SSH), and a server that runs Docker with its published ports.
SHOTS = [("basics", "basics.md", ""), ("docker", "docker.md", ""), ("iptables", "iptables.md", ""),
         ("builder-valid", "builder.md",
          "s=ssh:admin&s=https&s=dns&p=tcp:8080:admin:api&a4=203.0.113.7&a6=2001%3Adb8%3A%3A7&malformed=drop"),
         ("builder-invalid", "builder.md", "s=ssh:admin&s=https&p=tcp:99999:any:api&a4=203.0.113.7%2F24"),
         ("builder-danger", "builder.md", "s=http&s=https"),
         ("builder-docker", "builder.md",
          "s=ssh:admin&s=https&a4=203.0.113.7&a6=2001%3Adb8%3A%3A7&docker=1&c=80:any:web&c=5432:admin:db")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name, page_name, fragment", SHOTS, ids=[s[0] for s in SHOTS])
def test_screenshots_of_the_guide(page, name, page_name, fragment, lang, size, scheme):
    page.set_viewport_size(SIZES[size])
    page.emulate_media(color_scheme=scheme)
    page.goto(url(lang, page_name) + (f"#{fragment}" if fragment else ""))  # the page and its scripts loaded
    page.evaluate("document.fonts.ready.then(() => true)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # JPEG: half the time of a PNG of a long page (issue 24's breakdown), as readable to look at.
    path = SCREENSHOTS / f"{name}-{lang}-{size}-{scheme}.jpeg"
    page.screenshot(path=str(path), full_page=True, type="jpeg", quality=85)
    assert path.stat().st_size > 10_000
    shown = "[matchMedia('(prefers-color-scheme: dark)').matches, innerWidth, document.body.dataset.mdColorScheme]"
    assert page.evaluate(shown) == [scheme == "dark", SIZES[size]["width"], "slate" if scheme == "dark" else "default"]


def test_chromium_is_debians_not_a_downloaded_one(browser):
    """The browser the tests drive is the one Debian's package installed, unchanged, at the
    package's version (./dev fresh runs this test on Debian 12 and 13 as they come)."""
    assert shutil.which("chromium-headless-shell") == CHROMIUM
    owner = subprocess.run(["dpkg-query", "-S", CHROMIUM], capture_output=True, text=True, check=True).stdout
    assert owner.strip().splitlines() == [f"chromium-headless-shell: {CHROMIUM}"], owner
    changed = subprocess.run(["dpkg", "--verify", "chromium-headless-shell"], capture_output=True, text=True)
    assert (changed.returncode, changed.stdout) == (0, ""), changed.stdout  # every file as the package has it
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "chromium-headless-shell"],
                             capture_output=True, text=True, check=True).stdout
    assert version.startswith(browser.version + "-"), (version, browser.version)


# Search


@pytest.mark.parametrize("lang, query", [("fr", "pare-feu"), ("fr", "politique par défaut"),
                                         ("en", "firewall"), ("en", "default policy")])
def test_search_finds_pages_of_the_page_language_only(page, lang, query):
    page.goto(url(lang, "basics.md"))
    search = page.locator("input.md-search__input")
    search.click()
    results = page.locator("a.md-search-result__link")
    hrefs: list[str] = []
    for _ in range(20):  # the worker builds its index after the page loads: retry, 10 s at most
        search.fill("")
        search.type(query)  # Material searches on key events, which `fill` does not send
        page.wait_for_timeout(500)
        hrefs = results.evaluate_all("els => els.map(e => e.href)")
        if hrefs:
            break
    hrefs = [urllib.parse.urlparse(h).path for h in hrefs]
    assert hrefs
    french = [h for h in hrefs if h.startswith(BASE + "fr/")]
    assert french == (hrefs if lang == "fr" else [])


# Accessibility


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_name", PAGES)
def test_axe_core_reports_no_violation(page, lang, page_name, scheme):
    """Both schemes: Material's dark one (slate) has its own code colours and links."""
    require(AXE.exists(), f"{AXE} is missing (./dev test installs axe-core from tests/node/package-lock.json)")
    page.emulate_media(color_scheme=scheme)
    page.goto(url(lang, page_name))
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(AXE_RUN)
    assert result["passes"], "axe-core checked nothing"
    violations = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in result["violations"]]
    assert violations == []


def test_axe_as_run_here_reports_every_defect_a_full_run_reports(page):
    """The control of AXE_RUN: on a page given defects (images without a text alternative,
    paragraphs too pale to read), it names the same rules and the same nodes as axe-core's
    default run, which gathers every result."""
    require(AXE.exists(), f"{AXE} is missing (./dev test installs axe-core from tests/node/package-lock.json)")
    page.goto(url("en", "index.md"))
    page.wait_for_load_state("networkidle")
    page.evaluate("""() => {
      document.querySelectorAll('article p').forEach((p, i) => { if (i < 3) p.style.color = '#eee'; });
      document.querySelector('article').insertAdjacentHTML('beforeend', '<img src="a.png"><img src="b.png">');
    }""")
    page.add_script_tag(path=str(AXE))

    def found(run: str) -> dict:
        return {v["id"]: sorted(str(n["target"]) for n in v["nodes"]) for v in page.evaluate(run)["violations"]}

    full, here = found("axe.run()"), found(AXE_RUN)
    assert len(full.get("image-alt", [])) == 2 and len(full.get("color-contrast", [])) >= 3, full
    assert here == full
