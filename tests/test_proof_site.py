"""The proofs on the built site: a line under every block of every rule table, in the page's
language, and the "How it is proven" page with the matrix of the last run.

Records are made here, for every block the first build shows (the hash of the text its copy
button gives), for every release of releases.toml and both iptables backends; then the site
is built again from them, and from damaged copies of them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fwguide.releases import releases

from support import (LANGS, PAGES, built, command_blocks, copied, made_once, mkdocs_build, page_url, project_copy,
                     proof_lines)
from test_links import broken_links

# The brief's facts, written out here rather than read from the code under test.
TOOL = {"iptables": "iptables", "ip6tables": "iptables", "rules.v4": "iptables", "rules.v6": "iptables",
        "nftables": "nftables", "ufw": "ufw", "firewalld": "firewalld"}
BACKENDS = {"nft": "nf_tables", "legacy": "legacy"}
IPTABLES_FORMS = ("iptables", "ip6tables", "rules.v4", "rules.v6")  # proven on both backends
NOT_PROVEN = {
    "en": "Not proven in this build: no test record for this block",
    "fr": "Non éprouvé dans cette version du site\u00a0: aucun résultat de test pour ce bloc",
}
PROOF_URL = {"en": "/proof/", "fr": "/fr/proof/"}
KERNEL = "6.18.44-fc-v669"
# Two dates, so the line must pick the newest: the last release is tested last.
DATES = ("2026-11-20T23:58:00Z", "2026-11-21T10:12:03Z")
NEWEST = {"en": "21 Nov 2026", "fr": "21 novembre 2026"}


def tools(index: int) -> dict[str, str]:
    """Made-up tool versions of the index-th release: ufw's is the same in every release."""
    return {"iptables": f"1.8.{9 + 2 * index}", "nftables": f"1.{index}.6", "ufw": "0.36.2",
            "firewalld": f"{1 + index}.3.3"}


def join(lang: str, items: list[str]) -> str:
    word = {"en": "and", "fr": "et"}[lang]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


# Builds, each done once for the whole run (support.made_once), whichever workers need them


@pytest.fixture(scope="module")
def bare(site) -> Path:
    """The site built with no proof record at all: the run's own build (conftest.site)."""
    return site


@pytest.fixture(scope="module")
def records(bare) -> dict[tuple, dict]:
    """A passing record for every block, release and backend; keyed by (page, table, front-end,
    release, backend). The project below has them under its test-artifacts/ (where the lab
    writes them)."""
    out = {}
    for page in PAGES:
        for number, (table, frontend, code) in enumerate(command_blocks(built(bare, "en", page))):
            for index, release in enumerate(releases()):
                for backend in (BACKENDS if frontend in IPTABLES_FORMS else [None]):
                    probes = {"ipv4/tcp": 200 + number, "ipv4/udp": 40 + index, "ipv6/tcp": 30, "ipv6/udp": 12}
                    out[(page, table, frontend, release.codename, backend)] = {
                        "schema": 1, "sha256": hashlib.sha256(copied(code).encode()).hexdigest(),
                        "page": page, "table": table, "frontend": frontend, "release": release.codename,
                        "release_version": release.version, "backend": backend, "tools": tools(index),
                        "packages": {k: v + "-1" for k, v in tools(index).items()}, "kernel": KERNEL,
                        "probes": probes, "probes_total": sum(probes.values()), "probes_failed": 0,
                        "crafted": {"total": 6, "failed": 0}, "result": "pass", "failures": [],
                        "date": DATES[min(index, 1)], "seconds": 1.5,
                    }
    assert out
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory, records) -> Path:
    """A copy of the project, with the records above written under its test-artifacts/proof."""
    def make(out: Path) -> None:
        out.mkdir()
        write_records(project_copy(out) / "test-artifacts/proof", records)

    return made_once(tmp_path_factory, "proof-project", make) / "project"


def write_records(directory: Path, records: dict[tuple, dict]) -> Path:
    shutil.rmtree(directory, ignore_errors=True)
    for key, data in records.items():
        path = directory / data["release"] / ("-".join(str(k) for k in key).replace("/", "_") + ".json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def proven(tmp_path_factory, project) -> Path:
    """The publishing build (FWGUIDE_REQUIRE_PROOF=1) from the records above."""
    def build(site: Path) -> None:
        result = mkdocs_build(project, site, project / "test-artifacts/proof", require_proof=True)
        assert result.returncode == 0, result.stderr

    return made_once(tmp_path_factory, "proof-proven", build)


# (a) No record: the build succeeds and every block says it is not proven


@pytest.mark.parametrize("lang", LANGS)
def test_without_records_every_block_says_it_is_not_proven(bare, lang):
    count = 0
    for page in PAGES:
        page_html = built(bare, lang, page)
        lines = proof_lines(page_html)
        assert [(t, f) for t, f, _, _ in lines] == [(t, f) for t, f, _ in command_blocks(page_html)], page
        for table, frontend, text, hrefs in lines:
            assert text == NOT_PROVEN[lang], (page, table, frontend)
            assert [resolve(lang, page, h) for h in hrefs] == [PROOF_URL[lang]]
            count += 1
    assert count > 0


@pytest.mark.parametrize("lang, words", [
    ("en", "No test run's records were available to this build"),
    ("fr", "Aucun résultat de passage des tests n'était disponible pour cette version du site"),
])
def test_without_records_the_proof_page_says_so(bare, lang, words):
    page_html = built(bare, lang, "proof.md")
    assert words in page_html
    assert table_rows(page_html) == []


def resolve(lang: str, page: str, href: str) -> str:
    """The path a link on a page of the built site leads to (the site's base left out)."""
    return urllib.parse.urljoin("/" + LANGS[lang] + page_url(page), href)


# (b) Every block proven


def expected_line(lang: str, records: list[dict], frontend: str) -> str:
    versions = join(lang, list(dict.fromkeys(r["release_version"] for r in records)))
    tool = TOOL[frontend] + " " + join(lang, list(dict.fromkeys(r["tools"][TOOL[frontend]] for r in records)))
    backends = list(dict.fromkeys(BACKENDS[r["backend"]] for r in records if r["backend"]))
    details = tool + (", " + join(lang, backends) if backends else "")
    probes = sum(r["probes_total"] for r in records)
    if lang == "en":
        return f"Proven with Debian {versions} tools ({details}) · {probes:,} probes · {NEWEST[lang]}"
    grouped = f"{probes:,}".replace(",", "\u202f")
    return f"Éprouvé avec les outils de Debian {versions} ({details}) · {grouped}\u00a0sondes · {NEWEST[lang]}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_block_shows_what_proved_it(proven, records, lang):
    count = 0
    for page in PAGES:
        page_html = built(proven, lang, page)
        for table, frontend, text, hrefs in proof_lines(page_html):
            mine = [r for k, r in records.items() if k[:3] == (page, table, frontend)]
            assert len(mine) == len(releases()) * (len(BACKENDS) if frontend in IPTABLES_FORMS else 1)
            assert text == expected_line(lang, mine, frontend), (page, table, frontend)
            assert [resolve(lang, page, h) for h in hrefs] == [PROOF_URL[lang]]
            count += 1
    assert count == len({k[:3] for k in records})


def test_a_sample_line_reads_as_the_brief_says(proven, records):
    """One line written out in full, nothing computed: the iptables tab of the first table."""
    page, table, frontend, *_ = next(iter(records))
    assert frontend == "iptables"
    line = next(text for t, f, text, _ in proof_lines(built(proven, "en", page)) if (t, f) == (table, frontend))
    if [r.version for r in releases()] == ["12", "13"]:
        assert line == "Proven with Debian 12 and 13 tools (iptables 1.8.9 and 1.8.11, nf_tables and legacy) · " \
                       "1,130 probes · 21 Nov 2026"


@pytest.mark.parametrize("lang, result", [("en", "passed"), ("fr", "réussi")])
def test_the_matrix_shows_every_record(proven, records, lang, result):
    page_html = built(proven, lang, "proof.md")
    rows = table_rows(page_html)
    date = {"en": {DATES[0]: "20 Nov 2026", DATES[1]: "21 Nov 2026"},
            "fr": {DATES[0]: "20 novembre 2026", DATES[1]: "21 novembre 2026"}}[lang]
    thousands = {"en": ",", "fr": "\u202f"}[lang]
    expected = []
    for (_, _, frontend, _, backend), r in records.items():
        tool = f"{TOOL[frontend]} {r['tools'][TOOL[frontend]]}" + (f", {BACKENDS[backend]}" if backend else "")
        expected.append([frontend, r["release_version"], tool,
                         f"{r['probes_total']:,}".replace(",", thousands), result, date[r["date"]]])
    assert sorted(rows) == sorted(expected)
    assert KERNEL in page_html
    blocks = len({k[:3] for k in records})
    summary = {"en": f"{blocks} of the {blocks} blocks the site shows are proven.",
               "fr": f"{blocks} des {blocks} blocs du site sont éprouvés."}[lang]
    assert summary in text_of(page_html)


def test_every_link_of_the_proven_site_leads_somewhere(proven):
    broken, checked = broken_links(proven)
    assert broken == []
    assert checked > 0


@pytest.mark.parametrize("lang", LANGS)
def test_the_lab_drawing_is_in_the_page_language(proven, lang):
    page_html = built(proven, lang, "proof.md")
    svg = re.search(r'<figure class="fw-lab">.*?</figure>', page_html, re.DOTALL)
    assert svg, "no drawing on the proof page"
    words = {"en": ["server", "internet", "anonymous client"], "fr": ["serveur", "internet", "client anonyme"]}[lang]
    assert all(f">{w}<" in svg.group(0) for w in words), words
    assert "twin" not in svg.group(0) and "jumeau" not in svg.group(0)  # the block's second run is on the server
    assert 'role="img"' in svg.group(0) and "currentColor" in svg.group(0)
    assert "#000" not in svg.group(0) and "black" not in svg.group(0)


# Blocks not proven, in an ordinary build: each line says why, in the page's language


@pytest.fixture(scope="module")
def damaged(tmp_path_factory, project, records) -> tuple[Path, dict[str, tuple]]:
    """The site built (not strictly) from the records with three blocks spoiled: one misses
    its last release, one failed with the first release on legacy, one's records are of
    another text. Returns the site and the spoiled blocks' (page, table, front-end)."""
    first, last = releases()[0], releases()[-1]
    spoiled = {"missing": first_key(records, "nftables")[:3], "failed": first_key(records, "ip6tables")[:3],
               "changed": first_key(records, "ufw")[:3]}
    damaged = {k: r for k, r in records.items() if k != (*spoiled["missing"], last.codename, None)}
    failed = (*spoiled["failed"], first.codename, "legacy")
    damaged[failed] = dict(records[failed], result="fail", probes_failed=3, failures=["x"])
    for key in [k for k in damaged if k[:3] == spoiled["changed"]]:
        damaged[key] = dict(damaged[key], sha256="0" * 64)

    def build(out: Path) -> None:
        result = mkdocs_build(project, out / "site", write_records(out / "records", damaged))
        assert result.returncode == 0, result.stderr

    return made_once(tmp_path_factory, "proof-damaged", build) / "site", spoiled


def damaged_lines(site: Path, spoiled: dict[str, tuple], lang: str) -> dict[str, str]:
    found = {}
    for why, (page, table, frontend) in spoiled.items():
        found[why] = next(text for t, f, text, _ in proof_lines(built(site, lang, page)) if (t, f) == (table, frontend))
    return found


def test_each_reason_reads_in_english(damaged):
    first, last = releases()[0], releases()[-1]
    assert damaged_lines(*damaged, "en") == {
        "missing": f"Not proven in this build: no test record with Debian {last.version} tools",
        "failed": f"Not proven: its last test failed with Debian {first.version} tools (legacy backend)",
        "changed": "Not proven in this build: the block changed since the last test run",
    }


def test_each_reason_reads_in_french(damaged):
    first, last = releases()[0], releases()[-1]
    assert damaged_lines(*damaged, "fr") == {
        "missing": f"Non éprouvé dans cette version du site\u00a0: aucun résultat de test avec les outils de "
                   f"Debian {last.version}",
        "failed": f"Non éprouvé\u00a0: son dernier test a échoué avec les outils de Debian {first.version} "
                  "(variante legacy)",
        "changed": "Non éprouvé dans cette version du site\u00a0: le bloc a changé depuis le dernier passage "
                   "des tests",
    }


def test_the_other_blocks_stay_proven(damaged, records):
    site, spoiled = damaged
    lines = [(page, t, f, text) for page in PAGES for t, f, text, _ in proof_lines(built(site, "en", page))]
    proven_ones = [line for line in lines if line[3].startswith("Proven with ")]
    assert len(proven_ones) == len(lines) - len(spoiled) > 0


@pytest.mark.parametrize("lang, words", [("en", ("no record", "failed", "block changed since")),
                                         ("fr", ("aucun résultat", "échoué", "bloc modifié depuis"))])
def test_the_matrix_shows_what_went_wrong(damaged, lang, words):
    rows = table_rows(built(damaged[0], lang, "proof.md"))
    results = [row[4] for row in rows]
    missing, failed, changed = words
    assert results.count(missing) == 1 and results.count(failed) == 1
    assert results.count(changed) == len(releases())  # every record of the ufw block


# (c) The publishing build refuses a block that is not proven, naming it


def strict_build(project: Path, records: dict, tmp_path: Path) -> str:
    directory = write_records(tmp_path / "records", records)
    result = mkdocs_build(project, tmp_path / "site", directory, require_proof=True)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    return result.stderr


def not_proven_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": not proven: " in line]


def first_key(records: dict, frontend: str) -> tuple:
    return next(k for k in records if k[2] == frontend)


def test_strict_build_fails_when_one_record_is_missing(project, records, tmp_path):
    key = first_key(records, "nftables")
    last = releases()[-1]
    key = (*key[:3], last.codename, None)
    stderr = strict_build(project, {k: r for k, r in records.items() if k != key}, tmp_path)
    assert not_proven_lines(stderr) == [
        f"docs/en/{key[0]}: table {key[1]}, front-end nftables: not proven: "
        f"no test record with Debian {last.version} ({last.codename}) tools"
    ], stderr


def test_strict_build_fails_when_one_record_failed(project, records, tmp_path):
    first = releases()[0]
    page, table, *_ = first_key(records, "ip6tables")
    key = (page, table, "ip6tables", first.codename, "legacy")
    failed = dict(records[key], result="fail", probes_failed=1, failures=["anyone -> server IPv6 22/tcp"])
    stderr = strict_build(project, {**records, key: failed}, tmp_path)
    lines = not_proven_lines(stderr)
    assert len(lines) == 1, stderr
    assert lines[0].startswith(
        f"docs/en/{page}: table {table}, front-end ip6tables: not proven: its last test failed with "
        f"Debian {first.version} ({first.codename}) tools, legacy backend ("), stderr
    assert "anyone -> server IPv6 22/tcp" in lines[0]


def test_strict_build_fails_when_a_block_changed_since_the_run(records, tmp_path):
    project = project_copy(tmp_path)
    table = project / "snippets/outbound-default.yml"
    text = table.read_text(encoding="utf-8")
    assert "rules: []" in text
    table.write_text(text.replace("rules: []", "rules:\n  - service: dns\n    destination: any\n    action: accept"),
                     encoding="utf-8")
    lines = not_proven_lines(strict_build(project, records, tmp_path))
    # An outbound rule also takes the firewalld tab away (its zones cannot filter outgoing traffic).
    changed = {frontend for _, table, frontend in {k[:3] for k in records} if table == "outbound-default"}
    named = {re.search(r"front-end (\S+):", line).group(1) for line in lines}
    assert named == changed - {"firewalld"} and len(lines) == len(named), lines
    assert all(line.startswith("docs/en/basics.md: table outbound-default, ") and
               "the block changed since the last test run" in line for line in lines), lines


# (d) A malformed record stops the build with its path and what is wrong


def test_a_malformed_record_fails_the_build_naming_the_file(tmp_path):
    project = project_copy(tmp_path)  # of its own: the shared one is never written
    directory = project / "test-artifacts/broken"
    (directory / "run").mkdir(parents=True)
    (directory / "run/bad.json").write_text('{"schema": 1, "page": basics.md}', encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site", directory)
    assert result.returncode != 0
    assert "test-artifacts/broken/run/bad.json: is not valid JSON: Expecting value (line 1, column 23)" \
        in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# Helpers


class _Rows(HTMLParser):
    """The text of each body row of every table in a page's content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.cell: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.rows[-1].append(self.cell.strip().replace("\u00a0", " "))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table_rows(page_html: str) -> list[list[str]]:
    content = page_html.split('<article', 1)[1]
    parser = _Rows()
    parser.feed(content)
    return [row for row in parser.rows if row]


def text_of(page_html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page_html))
