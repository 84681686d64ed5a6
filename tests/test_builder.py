"""The builder page in Debian's chromium: held byte for byte to the Python renderers, its
checks held to the loader's, its state in the URL, usable without a mouse and, without
JavaScript, pointing to the ready-made tables.

The differential tests give the page a configuration by its URL and compare what it shows
with fwguide.builder.table_yaml's data file, loaded by fwguide.loader and rendered by
fwguide/render/ (tests/builder_support.py): every single service for each source, then
random configurations from the run's seed (printed in the header; FWGUIDE_BUILDER_SEED=N
replays a run). A failure names the configuration and the URL that loads it.
"""

from __future__ import annotations

import ipaddress
import random

import pytest

from builder_support import (
    expected, differences, loader_accepts, page_url, random_config, seed, show, single_configs,
)
from fwguide.builder import Config, OwnPort, fragment
from browser_support import AXE, AXE_RUN, BASE, copy_from
from support import LANGS, require

RANDOM_CONFIGS = 520


def replay(config: Config, lang: str) -> str:
    return f"{config!r}\n  replay: {page_url(BASE, lang, config)} (FWGUIDE_BUILDER_SEED={seed()})"


def open_builder(page, lang: str) -> None:
    page.goto(f"{BASE}{LANGS[lang]}builder/")
    page.wait_for_selector("#fw-builder:not([hidden])")


def add_port(page, kind: str, name: str, port: str) -> None:
    """Click "Add a port" (kind "own") or "Add a published port" ("pub"), then type into the new row."""
    i = page.locator(f"#fw-{kind} .fw-own-row").count()
    page.click(f"#fw-{kind}-add")
    page.fill(f"#fw-{kind}-name-{i}", name)
    page.fill(f"#fw-{kind}-port-{i}", port)


@pytest.mark.parametrize("lang", LANGS)
def test_every_single_service_for_each_source_shows_what_python_renders(page, lang):
    open_builder(page, lang)
    failures, blocks = [], 0
    for name, config in single_configs():
        seen = show(page, config)
        assert seen["valid"], replay(config, lang)
        blocks += len(seen["blocks"])
        failures += [f"{name}: {d}\n  {replay(config, lang)}" for d in differences(config, lang, seen)]
    assert not failures, "\n".join(failures[:20])
    assert blocks >= 2 * 12 * 6  # every service, both sources, every front-end that can express it


def test_random_configurations_show_what_python_renders(page):
    rng = random.Random(seed())
    failures, refused, langs = [], 0, {"en": 0, "fr": 0}
    current = None
    for i in range(RANDOM_CONFIGS):
        lang = "en" if i < RANDOM_CONFIGS * 3 // 4 else "fr"  # a page load per language, not per change
        if lang != current:
            open_builder(page, lang)
            current = lang
        config = random_config(rng)
        seen = show(page, config)
        refused += not seen["valid"]
        langs[lang] += 1
        failures += [f"config {i}: {d}\n  {replay(config, lang)}" for d in differences(config, lang, seen)]
        if len(failures) > 20:
            break
    assert not failures, f"seed {seed()}:\n" + "\n".join(failures[:20])
    # Not vacuous: most configurations give a ruleset, some are refused as the loader refuses them.
    assert 0 < refused < RANDOM_CONFIGS // 4, refused
    assert min(langs.values()) > 100


# The checks: the loader's, field by field

ADDRESSES = {
    4: ["198.51.100.7", "198.51.100.0/24", "198.51.100.7/24", "2001:db8::1", "198.51.100.300", "198.51.100.07",
        "198.51.100", "198.51.100.0/255.255.255.0", "198.51.100.0/0.0.0.255", "198.51.100.0/255.0.255.0",
        "198.51.100.0/33", "0.0.0.0/0", "1.2.3.4/ 24", "198.51.100.7%eth0", "１.2.3.4", "198.51.100.7/32/1", "any"],
    6: ["2001:db8::7", "2001:DB8::7", "2001:db8::/32", "2001:db8::7/32", "198.51.100.7", "2001:db8:::7",
        "2001:db8::7::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "::", "::/0", "::ffff:198.51.100.7",
        "::198.51.100.7", "2001:db8::12345", "fe80::1%eth0", "2001:db8::/129", "2001:0db8:0000::0001",
        ":2001:db8::1", "2001:db8::1:", "1::2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "g::1"],
}
PORTS = ["22", "8080", "443-444", "0", "65535", "65536", "99999999999999", "00080", "80-79", "80-80", "80-81",
         "1-65535", "8080 ", "80 81", "-1", "+80", "٨٠", "80/tcp", "", "0x50"]
NAMES = ["app", "My app", "a.b:c/d+e_f", "-app", " app", "é", "app;reboot", "app$(x)", 'a"b', "x" * 64, "x" * 65,
         "", "   ", "9100", "a\tb", "日本"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_refuses_exactly_what_the_data_files_refuse(page, lang):
    """Each field alone, with SSH open so the rest is valid: an error next to the field and
    no ruleset where the loader refuses the value, a ruleset and no error where it takes it."""
    open_builder(page, lang)
    failures = []

    def check(what: str, config: Config, field: str, accepted: bool):
        seen = show(page, config)
        shown = field in seen["errors"]
        if accepted == shown or accepted != seen["valid"]:
            failures.append(f"{what}: loader {'takes' if accepted else 'refuses'} it, page "
                            f"{'refuses' if shown else 'takes'} it ({seen['errors']})\n  {replay(config, lang)}")

    ssh = (("ssh", "admin"),)
    for family, values in ADDRESSES.items():
        for value in values:
            config = Config(ssh, **{f"admin{family}": value})
            accepted = loader_accepts(address=value) and _family(value) == family
            check(f"IPv{family} {value!r}", config, f"fw-a{family}-error", accepted)
    for value in PORTS:
        for protocol in ("tcp", "udp"):
            config = Config((("https", "any"),), own=(OwnPort("app", value, protocol),))
            accepted = loader_accepts(port=value, protocol=protocol)
            check(f"port {value!r}/{protocol}", config, "fw-own-port-0-error", accepted)
    for value in NAMES:
        config = Config((("ssh", "any"),), own=(OwnPort(value, "8080"),))
        check(f"name {value!r}", config, "fw-own-name-0-error", loader_accepts(name=value.strip()))
    # A port the rules before it already open to the same sources never applies.
    for own, dead in ((OwnPort("again", "22"), True), (OwnPort("again", "22", "udp"), False),
                      (OwnPort("again", "21-23"), False), (OwnPort("again", "22", source="admin"), True)):
        config = Config((("ssh", "any"),), own=(own,), admin4="198.51.100.7")
        check(f"{own} after SSH for anyone", config, "fw-own-port-0-error", "error" not in expected(config, lang))
        assert ("error" in expected(config, lang)) == dead, own
    assert not failures, "\n".join(failures)


def _family(value: str) -> int | None:
    try:
        return ipaddress.ip_network(value.strip(), strict=False).version
    except ValueError:
        return None


# The page as a reader uses it


@pytest.mark.parametrize("lang", LANGS)
def test_danger_comes_before_the_output_which_still_shows(page, lang):
    open_builder(page, lang)
    seen = show(page, Config((("http", "any"),)))
    assert seen["valid"] and "SSH" in seen["notices"]
    first = page.evaluate("""() => {
      const n = document.querySelector('#fw-notices .admonition.danger');
      const after = n && n.compareDocumentPosition(document.querySelector('.fw-result'));
      return (after & Node.DOCUMENT_POSITION_FOLLOWING) > 0;
    }""")
    assert first, "no danger note before the output"
    seen = show(page, Config((("ssh", "admin"),), admin4="198.51.100.7"))
    assert seen["valid"] and "IPv6" in seen["notices"] and "IPv4" not in seen["notices"].split("IPv6")[0][-40:]
    seen = show(page, Config((("ssh", "admin"),), admin4="198.51.100.7", admin6="2001:db8::7"))
    assert seen["valid"] and seen["notices"] == ""


@pytest.mark.parametrize("lang", LANGS)
def test_invalid_input_shows_no_ruleset_until_it_is_fixed(page, lang):
    """What the reader sees, as rendered: the red box and the field's message while a field is
    invalid, with no ruleset; the ruleset and no box once it is fixed (issue 23: the box used
    to stay on the screen over every valid configuration, its `hidden` set but overridden)."""
    open_builder(page, lang)
    result, alarm, error = page.locator(".fw-result"), page.locator("#fw-invalid"), page.locator("#fw-a4-error")
    assert result.is_visible() and not alarm.is_visible()  # the page as it opens: nothing wrong
    page.check("#fw-s-ssh")
    page.select_option("#fw-src-ssh", "admin")
    page.fill("#fw-a4", "198.51.100.7/24")
    assert alarm.is_visible() and not result.is_visible()
    assert error.is_visible() and "198.51.100.0/24" in error.inner_text()
    assert page.get_attribute("#fw-a4", "aria-invalid") == "true"
    # The danger box names the family left empty, not the one whose field says what is wrong.
    danger = page.locator("#fw-notices .admonition.danger")
    assert danger.is_visible() and "IPv6" in danger.inner_text() and "IPv4" not in danger.inner_text()
    page.fill("#fw-a4", "198.51.100.7")
    assert result.is_visible() and not alarm.is_visible() and not error.is_visible()
    assert danger.is_visible() and "IPv4" not in danger.inner_text()


def test_the_configuration_survives_a_language_switch_and_a_reload(page):
    config = Config((("ssh", "admin"), ("https", "any")), True, (OwnPort("My app", "8080"),), "198.51.100.7", "", True)
    open_builder(page, "en")
    english = show(page, config)
    page.locator(".md-header__option .md-select").first.hover()
    page.locator('.md-select__link[hreflang="fr"]').click()
    page.wait_for_selector("#fw-builder:not([hidden])")
    french = page.evaluate(__import__("builder_support").READ)
    assert french["hash"] == english["hash"] == expected(config, "en")["fragment"]
    assert french["blocks"] == english["blocks"] and french["valid"]
    assert french["yaml"] == expected(config, "fr")["yaml"]
    page.reload()
    page.wait_for_selector("#fw-builder:not([hidden])")
    assert page.evaluate(__import__("builder_support").READ)["blocks"] == english["blocks"]


@pytest.mark.parametrize("lang", LANGS)
def test_picking_a_tab_keeps_the_configuration_in_the_address(page, lang):
    """Issue 23: Material writes a tab's own anchor (#__tabbed_1_5) into the address when its
    label is clicked; a reload or a shared link then lost the configuration."""
    config = Config((("ssh", "admin"), ("https", "any")), admin4="198.51.100.7", malformed=True)
    open_builder(page, lang)
    before = show(page, config)
    result = page.locator(".fw-result")
    labels = [label.strip() for label in result.locator(".tabbed-labels > label").all_inner_texts()]
    result.locator(".tabbed-labels > label").nth(labels.index("nftables")).click()
    assert page.locator(".fw-result .tabbed-block").nth(labels.index("nftables")).is_visible()
    assert page.evaluate("location.hash") == "#" + fragment(config)
    page.reload()
    page.wait_for_selector("#fw-builder:not([hidden])")
    assert page.evaluate(__import__("builder_support").READ)["blocks"] == before["blocks"]


FORM = """() => Object.fromEntries([...document.querySelectorAll('#fw-builder input, #fw-builder select')]
  .map(c => [c.id, c.type === 'checkbox' ? c.checked : c.value]))"""


def _same_page(tab, form: dict, seen: dict, same_language: bool) -> None:
    """The page in `tab` shows the form `form` and, byte for byte, the blocks of `seen`; in the
    same language, its table and data file too (their words are the language's)."""
    tab.wait_for_selector("#fw-builder:not([hidden])")
    now = tab.evaluate(__import__("builder_support").READ)
    assert tab.evaluate(FORM) == form
    assert now["blocks"] == seen["blocks"] and now["hash"] == seen["hash"] and now["valid"]
    if same_language:
        assert (now["yaml"], now["table"]) == (seen["yaml"], seen["table"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_configuration_survives_everything_a_reader_does(browser, origin, lang):
    """Issue 23: after each thing a reader does (tick, pick, type, add or remove a port, pick a
    tab, copy a block, download a file, tick Docker), the address holds the whole configuration,
    as Python writes its fragment. Then the "copy the link" button gives that address; opened in
    a new tab, reloaded, and in the other language, it gives the same form and the same blocks."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], base_url=origin,
                                  accept_downloads=True)
    try:
        page = context.new_page()
        open_builder(page, lang)
        services = [("ssh", "any"), ("dns", "any")]  # the catalogue's order
        own = [OwnPort("api", "8443"), OwnPort("tmp", "9000", "udp")]

        def config(**more):
            return Config(tuple(services), own=tuple(own), admin4="198.51.100.7", **more)

        def holds(want: Config, step: str):
            assert page.evaluate("location.hash") == "#" + fragment(want), f"after {step}"

        page.check("#fw-s-dns")
        page.check("#fw-s-ssh")
        page.select_option("#fw-src-ssh", "admin")
        services[0] = ("ssh", "admin")
        page.fill("#fw-a4", "198.51.100.7")
        add_port(page, "own", "api", "8443")
        add_port(page, "own", "tmp", "9000")
        page.select_option("#fw-own-protocol-1", "udp")
        holds(config(), "typing")
        page.click("#fw-own [data-remove='0']")
        own.pop(0)
        holds(config(), "removing a port")
        result = page.locator(".fw-result")
        labels = [label.strip() for label in result.locator(".tabbed-labels > label").all_inner_texts()]
        copied = copy_from(page, result, "nftables", labels.index("nftables"))
        assert copied == expected(config(), lang)["blocks"]["nftables"].removesuffix("\n")
        holds(config(), "picking a tab and copying its block")
        with page.expect_download() as download:
            page.click('[data-download="rules.v4"]')
        assert download.value.path().read_text() == expected(config(), lang)["blocks"]["rules.v4"]
        holds(config(), "downloading rules.v4")
        page.check("#fw-docker")
        add_port(page, "pub", "web", "8080")
        final = config(docker=True, published=(OwnPort("web", "8080"),))
        holds(final, "ticking Docker and adding a published port")
        page.locator(".tabbed-labels > label").nth(labels.index("iptables")).click()
        holds(final, "picking another tab")

        seen, form = page.evaluate(__import__("builder_support").READ), page.evaluate(FORM)
        assert differences(final, lang, seen) == [], replay(final, lang)
        status = page.locator("#fw-link-status")
        assert not status.is_visible()
        page.evaluate("navigator.clipboard.writeText('')")
        page.click("#fw-link-copy")
        page.wait_for_function("document.getElementById('fw-link-status').textContent !== ''")
        link = page.evaluate("navigator.clipboard.readText()")
        assert link == page.url and link.endswith("#" + fragment(final)) and status.is_visible()

        shared = context.new_page()  # a new tab with the link
        shared.goto(link)
        _same_page(shared, form, seen, True)
        shared.reload()
        _same_page(shared, form, seen, True)
        other = "fr" if lang == "en" else "en"
        shared.locator(".md-header__option .md-select").first.hover()
        shared.locator(f'.md-select__link[hreflang="{other}"]').click()
        shared.wait_for_url(f"**{LANGS[other]}builder/**")
        _same_page(shared, form, seen, False)
        assert differences(final, other, shared.evaluate(__import__("builder_support").READ)) == []
    finally:
        context.close()


def test_a_change_in_the_form_is_written_to_the_url_and_nothing_is_sent(page):
    open_builder(page, "en")
    page.wait_for_load_state("networkidle")
    before = len(page.requests)
    page.check("#fw-s-ssh")
    page.check("#fw-s-https")
    page.select_option("#fw-src-ssh", "admin")
    page.fill("#fw-a6", "2001:db8::7")
    add_port(page, "own", "api", "8443")
    assert page.evaluate("location.hash") == "#s=ssh:admin&s=https&p=tcp:8443:any:api&a6=2001%3Adb8%3A%3A7"
    sent = [u for u in page.requests[before:] if not u.endswith("/favicon.png")]  # chromium asks for it late
    assert sent == [], "typing sent requests"
    yaml_text = page.evaluate("document.querySelector('.fw-datafile pre > code').textContent")
    assert "2001:db8::7/128" in yaml_text and '"8443/tcp"' in yaml_text


@pytest.mark.parametrize("lang", LANGS)
def test_the_docker_choice_asks_for_the_published_ports_and_replaces_the_warning(page, lang):
    """Ticking Docker shows the published ports' list and hides the warning meant for servers
    without Docker; a published port gives the Docker-aware blocks Python renders, and one
    the server opens itself is refused where the loader refuses it. Seen as rendered."""
    open_builder(page, lang)
    published, warning = page.locator("#fw-published"), page.locator(".fw-docker-warning")
    page.check("#fw-s-ssh")
    assert warning.is_visible() and not published.is_visible()  # the control: no Docker yet
    page.check("#fw-docker")
    assert published.is_visible() and not warning.is_visible()
    page.click("#fw-pub-add")
    assert page.evaluate("document.activeElement.id") == "fw-pub-name-0"
    page.keyboard.type("web")
    page.fill("#fw-pub-port-0", "80")
    config = Config((("ssh", "any"),), docker=True, published=(OwnPort("web", "80"),))
    assert page.evaluate("location.hash") == "#s=ssh&docker=1&c=80:any:web" == "#" + expected(config, lang)["fragment"]
    seen = page.evaluate(__import__("builder_support").READ)
    assert differences(config, lang, seen) == [], replay(config, lang)
    assert "DOCKER-USER" in seen["blocks"]["iptables"] and "ufw" in seen["hidden"] and "firewalld" in seen["hidden"]

    page.fill("#fw-pub-port-0", "22")  # SSH's port: the loader refuses it
    assert "error" in expected(Config((("ssh", "any"),), docker=True, published=(OwnPort("web", "22"),)), lang)
    error = page.locator("#fw-pub-port-0-error")
    assert error.is_visible() and "22/tcp" in error.inner_text()
    assert page.get_attribute("#fw-pub-port-0", "aria-invalid") == "true"
    assert not page.locator(".fw-result").is_visible()

    page.uncheck("#fw-docker")  # the list stays in the form, out of the table and the address
    assert warning.is_visible() and not published.is_visible()
    assert page.evaluate("location.hash") == "#s=ssh" and page.locator(".fw-result").is_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_every_copy_button_copies_its_own_block_after_each_change(page, lang):
    """Each tab's button and the data file's, once for a configuration with every tab, then
    for one that removes a tab (the limit: no firewalld) and changes every block."""
    first = Config((("ssh", "admin"), ("https", "any")), False, (OwnPort("api", "8443"),), "198.51.100.7",
                   "2001:db8::7", True)
    second = Config((("ssh", "any"), ("smtp", "any")), True, (OwnPort("game", "27015-27030", "udp"),),
                    "203.0.113.9", "", False)
    open_builder(page, lang)
    for config in (first, second):
        show(page, config)
        want = expected(config, lang)
        result = page.locator(".fw-result")
        labels = [label.strip() for label in result.locator(".tabbed-labels > label").all_inner_texts()]
        shown = [label for i, label in enumerate(labels)
                 if result.locator(".tabbed-labels > label").nth(i).is_visible()]
        assert shown == list(want["blocks"]), replay(config, lang)
        for label in shown:
            assert copy_from(page, result, label, labels.index(label)) == want["blocks"][label].removesuffix("\n"), (
                f"{label}: {replay(config, lang)}")
        assert copy_from(page, page.locator(".fw-datafile"), "", 0) == want["yaml"].removesuffix("\n")
    assert "firewalld" not in shown  # the second configuration dropped a tab


@pytest.mark.parametrize("lang", LANGS)
def test_the_form_fits_a_phone_screen(page, lang):
    """At 390 px, nothing of the form, long choices included, makes the page scroll sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    config = Config((("ssh", "admin"),), own=(OwnPort("api", "8080", source="admin"),), admin4="198.51.100.7",
                    docker=True, published=(OwnPort("db", "5432", source="admin"),))
    page.goto(page_url(BASE, lang, config))
    page.wait_for_selector("#fw-published:not([hidden])")
    wide = page.evaluate("""() => [...document.querySelectorAll('#fw-builder *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map(e => e.id || e.tagName)""")
    assert wide == [] and page.evaluate("document.documentElement.scrollWidth") <= 390, wide


LAYOUT = """() => [...document.querySelectorAll('#fw-builder .fw-service')].map(row => {
  const box = r => {
    const b = r.getBoundingClientRect();
    return {left: b.left, right: b.right, top: b.top, bottom: b.bottom};
  };
  return {id: row.querySelector("select").id,
          label: box(row.querySelector('label')), name: box(row.querySelector('label strong')),
          choice: box(row.querySelector('select'))};
})"""


@pytest.mark.parametrize("lang", LANGS)
def test_each_services_choice_is_aligned_on_its_line(page, lang):
    """Issue 23, item 4: at 1280 px every service's "who may reach it" is on its service's line,
    all of them in one column; at 390 px each goes under its description, aligned with it."""
    for width, wide in ((1280, True), (390, False)):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{BASE}{LANGS[lang]}builder/#s=ssh:admin&s=dns")
        page.wait_for_selector("#fw-builder:not([hidden])")
        rows = page.evaluate(LAYOUT)
        assert len(rows) >= 12
        for row in rows:
            label, name, choice = row["label"], row["name"], row["choice"]
            if wide:  # beside the label, starting on the line of the service's name
                assert choice["left"] >= label["right"] - 0.5 and choice["top"] < name["bottom"], row
            else:  # under the label, from its left edge
                assert choice["top"] >= label["bottom"] - 0.5 and abs(choice["left"] - label["left"]) < 1, row
        lefts = {round(r["choice"]["left"]) for r in rows}
        rights = {round(r["choice"]["right"]) for r in rows}
        assert len(lefts) == 1 and (len(rights) == 1 or not wide), (width, lefts, rights)


CONTRAST = """(args) => {
  const [selector, property] = args;
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const linear = x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
  const lum = c => { const v = rgb(c).map(linear); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const field = getComputedStyle(document.querySelector(selector));
  let back = document.querySelector(selector).parentElement;
  const clear = e => /rgba\\(0, 0, 0, 0\\)|transparent/.test(getComputedStyle(e).backgroundColor);
  while (back && clear(back)) back = back.parentElement;
  const a = lum(field[property]), b = lum(getComputedStyle(back || document.body).backgroundColor);
  return {width: parseFloat(field.borderTopWidth), style: field.borderTopStyle, outline: field.outlineStyle,
          outlineWidth: parseFloat(field.outlineWidth), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_fields_have_visible_boundaries_and_focus_rings(page, scheme):
    """Issue 23, item 2: a text field or a list must be seen as one: a border with 3:1 contrast
    against the page (WCAG's non-text contrast), and a focus ring when the keyboard reaches it."""
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{BASE}builder/#p=tcp:8080:any:api")
    page.wait_for_selector("#fw-builder:not([hidden])")
    for selector in ("#fw-a4", "#fw-own-port-0", "#fw-src-ssh"):
        seen = page.evaluate(CONTRAST, [selector, "borderTopColor"])
        assert seen["width"] >= 1 and seen["style"] == "solid" and seen["ratio"] >= 3, (selector, seen)
        page.focus(selector)
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # reached with the keyboard: :focus-visible
        ring = page.evaluate(CONTRAST, [selector, "outlineColor"])
        assert ring["outline"] != "none" and ring["outlineWidth"] >= 2 and ring["ratio"] >= 3, (selector, ring)


@pytest.mark.parametrize("lang", LANGS)
def test_the_form_works_with_the_keyboard_alone(page, lang):
    open_builder(page, lang)
    page.focus("#fw-s-http")
    page.keyboard.press("Space")  # tick HTTP
    page.keyboard.press("Tab")  # its source
    page.keyboard.press("Tab")  # the next service
    page.keyboard.press("Space")
    assert page.evaluate("location.hash") == "#s=http&s=https"
    page.focus("#fw-own-add")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "fw-own-name-0"
    page.keyboard.type("api")
    page.keyboard.press("Tab")
    page.keyboard.type("8080")
    assert page.evaluate("location.hash") == "#s=http&s=https&p=tcp:8080:any:api"


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_page_says_so_and_links_to_the_tables(browser, origin, lang):
    context = browser.new_context(java_script_enabled=False, base_url=origin)
    tab = context.new_page()
    tab.goto(f"{BASE}{LANGS[lang]}builder/")
    note = tab.locator("noscript").first.inner_html()
    context.close()
    assert "JavaScript" in note and f'href="../{"../" if lang == "fr" else ""}{LANGS[lang]}basics/"' in note


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", LANGS)
def test_axe_core_reports_no_violation_with_a_configuration(page, lang, scheme):
    """Invalid (a field's message, the red box, the danger box), then valid, in both schemes."""
    require(AXE.exists(), f"{AXE} is missing (./dev test installs axe-core from tests/node/package-lock.json)")
    page.emulate_media(color_scheme=scheme)
    config = Config((("ssh", "admin"), ("http", "any")), True, (OwnPort("api", "99999"),), "198.51.100.7", "", True)
    page.goto(page_url(BASE, lang, config))
    page.wait_for_selector("#fw-builder:not([hidden])")
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    def docker():
        page.check("#fw-docker")
        add_port(page, "pub", "web", "8080")
        page.click("#fw-link-copy")

    steps = [("invalid", lambda: page.fill("#fw-own-port-0", "9999")), ("valid", docker), ("docker, link copied", None)]
    for state, then in steps:
        result = page.evaluate(AXE_RUN)
        assert result["passes"], "axe-core checked nothing"
        violations = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in result["violations"]]
        assert violations == [], state
        if then:
            then()
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_timeout(500)  # the header's title fades in as the page scrolls
