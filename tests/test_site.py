"""The strict bilingual build, read back from its HTML as a reader's browser gets it."""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from pathlib import Path

import pytest
import yaml

from fwguide.loader import load_catalogue
from fwguide.render.markdown import frontends

from support import (
    LANGS,
    PAGES,
    ROOT,
    built,
    command_blocks,
    command_snippets,
    made_once,
    mkdocs_build,
    project_copy,
    page_url,
    source_command_markers,
    source_markers,
)

def test_both_languages_have_every_page(site):
    assert PAGES, "docs/en has no page"
    assert PAGES == sorted(p.relative_to(ROOT / "docs/fr").as_posix() for p in (ROOT / "docs/fr").rglob("*.md"))
    for lang in LANGS:
        for page in PAGES:
            assert f'<html lang="{lang}"' in built(site, lang, page), (lang, page)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_every_marker_is_expanded_and_none_is_left(site, lang, page):
    page_html = built(site, lang, page)
    assert "fw:table" not in page_html
    wanted = [m for m in source_markers(lang, page) if m != "services"]
    assert re.findall(r'<div class="fw-table" data-table="([^"]+)"', page_html) == wanted
    tables = {table for table, _, _ in command_blocks(page_html)}
    assert tables == set(wanted)


def test_the_guide_has_its_tables():
    assert source_markers("en", "basics.md") == [
        "services", "inbound-minimum", "inbound-optional", "inbound-ssh-admin", "inbound-ssh-limited",
        "outbound-default",
    ]


def test_every_block_is_what_the_renderer_wrote_byte_for_byte(site):
    """What a reader copies from the page is exactly the renderer's text (HTML changed nothing)."""
    catalogue = load_catalogue(ROOT / "snippets", display_root=ROOT)
    by_label = {f.label: f for f in frontends()}
    count = 0
    for lang in LANGS:
        for page in PAGES:
            for table_id, label, code in command_blocks(built(site, lang, page)):
                assert code == by_label[label].render(catalogue.ruleset(table_id)), (lang, page, table_id, label)
                count += 1
    tabs = sum(f.supports(catalogue.ruleset(t)) for page in PAGES for t in source_markers("en", page)
               if t != "services" for f in frontends())
    assert count == len(LANGS) * tabs > 0


@pytest.mark.parametrize("page", PAGES)
def test_command_blocks_are_identical_in_english_and_french(site, page):
    en, fr = (command_blocks(built(site, lang, page)) for lang in LANGS)
    assert en == fr


def test_tab_labels_are_the_frontends_in_order(site):
    blocks = command_blocks(built(site, "fr", "basics.md"))
    first_table = [label for table, label, _ in blocks if table == "inbound-minimum"]
    assert first_table == [f.label for f in frontends()]


@pytest.mark.parametrize("page", PAGES)
def test_french_page_is_in_french(site, page):
    page_html = built(site, "fr", page)
    source = (ROOT / "docs/fr" / page).read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", source, re.M).group(1)
    assert re.search(rf"<h1[^>]*>{re.escape(html.escape(title, quote=False))}", page_html)
    if "fw:table" in source:
        assert "<th>Protocole</th>" in page_html and "<th>Protocol</th>" not in page_html
        assert "politique par défaut" in page_html
        assert "Tout autre trafic entrant" in page_html


@pytest.mark.parametrize("lang, other", [("en", "fr"), ("fr", "en")])
@pytest.mark.parametrize("page", PAGES)
def test_language_switcher_links_to_the_same_page(site, lang, other, page):
    here = "/" + LANGS[lang] + page_url(page)
    switcher = r'<a href="([^"]*)" hreflang="([^"]+)" class="md-select__link"'
    links = {h: a for a, h in re.findall(switcher, built(site, lang, page))}
    assert resolve(here, links[other]) == "/" + LANGS[other] + page_url(page)


def resolve(here: str, href: str) -> str:
    """A link's target path from the site's root; absolute links carry site_url's path."""
    base = urllib.parse.urlparse(yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_url"]).path
    if href.startswith("/"):
        assert href.startswith(base), href
        return "/" + href.removeprefix(base)
    return urllib.parse.urljoin(here, href)


@pytest.mark.parametrize("lang", LANGS)
def test_copy_button_is_on_for_every_command_block(site, lang):
    """Material adds the copy button in the browser to every code block unless it is `.no-copy`."""
    page_html = built(site, lang, "basics.md")
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>', page_html).group(1))
    assert "content.code.copy" in config["features"]
    assert "content.tabs.link" in config["features"]
    assert "no-copy" not in page_html
    catalogue = load_catalogue(ROOT / "snippets", display_root=ROOT)
    tabs = [f for t in source_markers(lang, "basics.md") if t != "services"
            for f in frontends() if f.supports(catalogue.ruleset(t))]
    assert len(command_blocks(page_html)) == len(tabs) > 0


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_its_own_search_index(site, lang):
    index = json.loads((site / LANGS[lang] / "search/search_index.json").read_text())
    assert index["config"]["lang"] == [lang]
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert locations == {page_url(page) for page in PAGES}  # relative to the language's root
    text = " ".join(doc["text"] for doc in index["docs"])
    assert ("pare-feu" in text) == (lang == "fr")
    config = re.search(r'<script id="__config" type="application/json">(.*?)</script>', built(site, lang, "basics.md"))
    # Material's search worker loads its index from `base`: the language's own root.
    assert json.loads(config.group(1))["base"] == {"en": "..", "fr": "../../fr/"}[lang]


def test_no_request_leaves_the_site(site):
    """No font, script, style or image from another host: every src/href of a resource is local."""
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:link|script|img|iframe|source)\b[^>]*>", text):
            if "rel=\"canonical\"" in tag or "rel=\"alternate\"" in tag:
                continue
            url = re.search(r'(?:src|href)="([^"]*)"', tag)
            assert url is None or not re.match(r"(https?:)?//", url.group(1)), (path, tag)
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


# A broken input fails the build with its place, and leaves nothing behind.


@pytest.fixture
def project(tmp_path) -> Path:
    return project_copy(tmp_path)


def test_broken_data_file_fails_the_build_with_its_place(project):
    path = project / "snippets/inbound-minimum.yml"
    text = path.read_text()
    path.write_text(text.replace("service: http\n", "service: http\n    comment: web`reboot`\n", 1))
    line = text.split("\n").index("  - service: http") + 2
    result = mkdocs_build(project, project / "site")
    assert result.returncode != 0
    assert (
        f"snippets/inbound-minimum.yml:{line}: comment 'web`reboot`' contains '`', which is not allowed"
        in result.stderr
    ), result.stderr
    assert not (project / "site").exists()


def test_unknown_marker_fails_the_build_naming_the_page(project):
    page = project / "docs/fr/basics.md"
    text = page.read_text()
    page.write_text(text.replace("<!-- fw:table outbound-default -->", "<!-- fw:table outbound-defaut -->"))
    line = text.split("\n").index("<!-- fw:table outbound-default -->") + 1
    result = mkdocs_build(project, project / "site")
    assert result.returncode != 0
    assert f"docs/fr/basics.md:{line}: unknown table 'outbound-defaut' in marker" in result.stderr, result.stderr
    assert not (project / "site").exists()


@pytest.fixture(scope="module")
def copied_build(tmp_path_factory) -> tuple[Path, dict]:
    """An unchanged copy of the project built, once for the run (support.made_once): its site
    and what the build returned and printed."""
    def make(out: Path) -> None:
        out.mkdir()
        project = project_copy(out)
        result = mkdocs_build(project, project / "site")
        (out / "result.json").write_text(json.dumps(
            {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}))

    out = made_once(tmp_path_factory, "copied-build", make)
    return out / "project/site", json.loads((out / "result.json").read_text())


def test_the_copied_project_builds_when_nothing_is_broken(copied_build):
    """Control for the two tests above: the copy itself builds."""
    site, result = copied_build
    assert result["returncode"] == 0, result["stderr"]
    assert (site / "fr/basics/index.html").exists()


def test_the_strict_build_prints_only_its_last_line(copied_build):
    """At the default verbosity: no progress line, only the closing one (warnings would show)."""
    _, result = copied_build
    assert result["returncode"] == 0, result["stderr"]
    lines = (result["stdout"] + result["stderr"]).splitlines()
    assert len(lines) == 1, lines
    assert re.fullmatch(r"INFO +- +Documentation built in [0-9.]+ seconds", lines[0]), lines


def test_the_quiet_build_still_prints_a_warning(project):
    """Control for the test above: a broken link between pages is still reported, and fails."""
    page = project / "docs/en/index.md"
    page.write_text(page.read_text() + "\n[a page that does not exist](missing.md)\n")
    result = mkdocs_build(project, project / "site")
    assert result.returncode != 0
    assert re.search(r"WARNING +- +Doc file 'en/index.md' contains a link 'missing.md'", result.stderr), result.stderr


@pytest.mark.parametrize("site_url", ["https://example.net/", "https://example.net/a/b/guide/"])
def test_download_links_work_under_any_site_url_path(project, site_url):
    config = project / "mkdocs.yml"
    config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {site_url}", config.read_text()))
    site = project / "site"
    result = mkdocs_build(project, site)
    assert result.returncode == 0, result.stderr
    base = urllib.parse.urlparse(site_url).path
    checked = 0
    for page in site.rglob("index.html"):
        here = base + page.parent.relative_to(site).as_posix() + "/"
        for href in re.findall(r'href="([^"]*downloads/[^"]*)"', page.read_text(encoding="utf-8")):
            target = urllib.parse.urljoin(here, href)
            assert target.startswith(base), (page, href)
            assert (site / target.removeprefix(base)).is_file(), (page, href, target)
            checked += 1
    assert checked >= 2 * 3 * 4, checked  # both languages, three files, every table of basics


def test_every_command_snippet_is_on_the_page_byte_for_byte(site):
    """Command blocks that are not tables: the text of snippets/commands.yml, in both languages."""
    catalogue = load_catalogue(ROOT / "snippets", display_root=ROOT)
    count = 0
    for page in PAGES:
        blocks = {lang: command_snippets(built(site, lang, page)) for lang in LANGS}
        assert blocks["en"] == blocks["fr"], page
        placed = list(dict.fromkeys(command_id for command_id, _, _ in blocks["en"]))
        assert placed == source_command_markers("en", page) == source_command_markers("fr", page), page
        for command_id, label, code in blocks["en"]:
            assert code == catalogue.commands[command_id].variant(label).text, (page, command_id, label)
            count += 1
    assert count == sum(len(catalogue.commands[c].variants) for p in PAGES for c in source_command_markers("en", p)) > 0


def test_every_table_offers_its_rule_files_for_download(site):
    """rules.v4, rules.v6 and firewall.nft under each table, byte for byte its tabs' text."""
    catalogue = load_catalogue(ROOT / "snippets", display_root=ROOT)
    by_label = {f.label: f for f in frontends()}
    for lang in LANGS:
        for page in PAGES:
            page_html = built(site, lang, page)
            for table_id in source_markers(lang, page):
                if table_id == "services":
                    continue
                for name, label in (("rules.v4", "rules.v4"), ("rules.v6", "rules.v6"), ("firewall.nft", "nftables")):
                    # Relative to the page, so the link works under any site_url path.
                    up = "../" * page_url(page).count("/") + ("../" if lang == "fr" else "")
                    href = f'href="{up}downloads/{table_id}/{name}"'
                    assert href in page_html, (lang, page, table_id, name)
                    text = (site / "downloads" / table_id / name).read_text()
                    assert text == by_label[label].render(catalogue.ruleset(table_id))
                    assert (table_id, label, text) in command_blocks(page_html)


@pytest.mark.parametrize("lang, heading", [("en", "Page not found"), ("fr", "Page introuvable")])
def test_each_language_has_its_own_404_page(site, lang, heading):
    page = site / LANGS[lang] / "404.html"
    text = page.read_text(encoding="utf-8")
    assert f'<html lang="{lang}"' in text
    assert f"<h1>{heading}</h1>" in text


def test_the_root_404_page_sends_french_addresses_to_the_french_page(site):
    text = (site / "404.html").read_text(encoding="utf-8")
    assert 'var b="/firewall-guide/",l=["fr"]' in text


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_names_its_translation_in_its_head_and_in_the_sitemap(site, lang):
    sitemap = (site / "sitemap.xml").read_text()
    for page in PAGES:
        head = built(site, lang, page).split("</head>", 1)[0]
        assert re.search(r'<link rel="alternate" href="[^"]*" hreflang="en">', head)
        assert re.search(r'<link rel="alternate" href="[^"]*" hreflang="fr">', head)
        url = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_url"] + LANGS[lang] + page_url(page)
        entry = sitemap.split(f"<loc>{url}</loc>", 1)[1].split("</url>", 1)[0]
        for other, prefix in LANGS.items():
            alternate = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_url"] + prefix + page_url(page)
            assert f'hreflang="{other}" href="{alternate}"' in entry, (lang, page, other)


@pytest.mark.parametrize("lang", LANGS)
def test_no_section_repeats_its_page_title(lang):
    """A section titled like its page reads as a duplicate (issue 23: the French builder page)."""
    repeated = []
    for page in PAGES:
        text = (ROOT / "docs" / lang / page).read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", text, re.M).group(1).strip()
        repeated += [f"{lang}/{page}: {h}" for h in re.findall(r"^#{2,6} (.+)$", text, re.M) if h.strip() == title]
    assert not repeated, repeated
