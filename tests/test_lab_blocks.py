"""Every command block of the built site, applied in a namespace lab and probed.

The blocks come from the HTML a reader gets (both languages, checked identical), not from a
second rendering. Each one is applied in a throw-away server namespace exactly as a reader
pastes it, on both iptables backends where it uses iptables, then probed from client
namespaces: every port the table accepts answers, every other catalogue and sample port
does not (after a positive control with no firewall), a rule limited to the admin address
answers only the admin client, outbound connections get their replies, IPv6 works after
its neighbour caches are flushed, and NULL/XMAS packets go unanswered. The resulting
ruleset must match a golden dump in lab_golden/RELEASE/, the same for the command-list and
restore-file forms of a family (regenerate with FWGUIDE_UPDATE_GOLDEN=1 and review).

Every block is applied with the tools of each Debian release of fwguide/releases.toml, in
a fresh overlay of that release's root filesystem (`--release CODENAME` picks some), and
each run writes one proof record per block, release and backend (test-artifacts/proof/,
or $FWGUIDE_PROOF_DIR), passing or failing: the site's proof lines are made from them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from fwguide.lab.netns import BACKENDS, LabError
from fwguide.lab.plan import published_ports
from fwguide.lab.records import proof_dir, proof_record, write_record
from fwguide.loader import load_catalogue
from fwguide.lab.runner import run, unsupported
from fwguide.lab.scenario import Scenario
from fwguide.releases import releases
from fwguide.render.markdown import DOWNLOADS, frontends

from support import LANGS, PAGES, ROOT, built, command_blocks, copied, release_root, require, source_markers

GOLDEN = Path(__file__).parent / "lab_golden"
FRONTENDS = {f.label: f for f in frontends()}
# (page, table, front-end) for every block the English pages' markers produce.
SITE = load_catalogue(ROOT / "snippets", display_root=ROOT)
BLOCKS = [
    (page, table, label)
    for page in PAGES
    for table in source_markers("en", page)
    if table != "services"
    for label in FRONTENDS
    if FRONTENDS[label].supports(SITE.ruleset(table))
]
DOWNLOADED = {label: name for name, label in DOWNLOADS}  # front-end -> downloadable file name
RELEASES = [r.codename for r in releases()]
SCENARIOS = [
    (page, table, label, backend, release)
    for page, table, label in BLOCKS
    for backend in (BACKENDS if FRONTENDS[label].uses_iptables else (None,))
    for release in RELEASES
]


def scenario_id(page, table, label, backend, release) -> str:
    return "/".join([page.removesuffix(".md"), table, label, *([f"iptables-{backend}"] if backend else []), release])


@pytest.fixture(scope="session")
def site_blocks(site) -> dict[tuple[str, str, str, str], str]:
    """(language, page, table, front-end) -> the text a reader copies from the built page."""
    blocks = {}
    for lang in LANGS:
        for page in PAGES:
            for table, label, code in command_blocks(built(site, lang, page)):
                assert (lang, page, table, label) not in blocks, f"{lang}/{page}: two {table}/{label} blocks"
                blocks[(lang, page, table, label)] = copied(code)
    return blocks


def test_the_blocks_collected_are_every_block_of_every_page(site_blocks):
    assert BLOCKS, "the pages have no rule table"
    for lang in LANGS:
        collected = sorted((p, t, f) for lg, p, t, f in site_blocks if lg == lang)
        assert collected == sorted(BLOCKS), lang
    assert len(site_blocks) == len(LANGS) * len(BLOCKS) > 0


def test_english_and_french_blocks_are_byte_identical(site_blocks):
    for page, table, label in BLOCKS:
        assert site_blocks[("en", page, table, label)] == site_blocks[("fr", page, table, label)], (page, table, label)


def golden_path(table: str, label: str, backend: str | None, release: str) -> Path:
    frontend = FRONTENDS[label]
    if not frontend.uses_iptables:
        return GOLDEN / release / table / label
    return GOLDEN / release / table / f"iptables-{backend}.v{frontend.families[0]}"


@pytest.mark.parametrize(
    "page, table, label, backend, release", SCENARIOS, ids=[scenario_id(*s) for s in SCENARIOS]
)
def test_block_behaves_as_its_table_says(site, site_blocks, lab_mode, page, table, label, backend, release):
    copied_text = block = site_blocks[("en", page, table, label)]
    assert block == site_blocks[("fr", page, table, label)]
    if label in DOWNLOADED:
        # A file form: the lab loads the file the page offers for download, which is the
        # copied text plus its final newline (test_syntax.py loads the copied text too).
        download = (site / "downloads" / table / DOWNLOADED[label]).read_text()
        assert download == block + "\n"
        block = download
    scenario = Scenario(table, label, block, backend, str(ROOT / "snippets"), release=release)
    reason = unsupported(scenario, lab_mode)
    require(reason is None, str(reason))
    root = release_root(release, docker=SITE.ruleset(table).docker)
    report, failures, start = None, ["the lab did not finish"], time.monotonic()
    try:  # the record is written whatever happens: a failing run leaves its proof of failure
        report = run(scenario, lab_mode)
        failures = report.failures() or checks_beyond_the_table(report, table, label, backend, release)
    except LabError as exc:
        failures = [f"lab: {exc}"]
        raise
    finally:
        write_record(proof_dir(ROOT), proof_record(
            page=page, table=table, frontend=label, backend=backend, copied=copied_text, root=root,
            report=report, seconds=time.monotonic() - start, failures=failures))
    assert not failures, "\n".join(failures)


def checks_beyond_the_table(report, table: str, label: str, backend: str | None, release: str) -> list[str]:
    """That the checks were not vacuous (both verdicts, every family, crafted packets,
    outbound), and that the ruleset is the golden one of this release."""
    families = FRONTENDS[label].families
    inbound = [p for p in report.probes if p.direction == "inbound"]
    wanted = {
        "both verdicts among the inbound probes": {p.expected for p in inbound} == {"accept", "drop"},
        "every family probed": {p.family for p in inbound} == set(families),
        "both clients probed": {p.peer for p in inbound} == {"anyone", "client-admin"},
        "an outbound connection answered": any(p.direction == "outbound" and p.observed == "open"
                                               for p in report.probes),
        "every crafted packet sent": {(c.family, c.kind) for c in report.crafted}
        == {(f, k) for f in families for k in ("null", "xmas", "ack")},
        "the crafted packets' control answered": all(c.control == "rst" for c in report.crafted),
    }
    if SITE.ruleset(table).docker:  # every phase probed, and the containers' own way out each time
        wanted |= {
            "every phase probed": {p.phase for p in inbound} == {"", "restart", "again", "boot"},
            "a published port accepted and one closed": {p.expected for p in inbound if (p.proto, p.port)
                                                         in published_ports(SITE.ruleset(table))} == {"accept", "drop"},
            "the containers' way out checked in every phase": {(c.phase, c.proto) for c in report.containers}
            == {(ph, proto) for ph in ("control", "", "restart", "again", "boot") for proto in ("tcp", "udp")},
        }
    out = [f"vacuous check: not {what}" for what, ok in wanted.items() if not ok]
    path = golden_path(table, label, backend, release)
    if os.environ.get("FWGUIDE_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.dumps[0])
    if not path.exists() or report.dumps[0] != path.read_text():
        out.append(f"the ruleset differs from {path.relative_to(ROOT)}")
    return out


@pytest.mark.parametrize("release", RELEASES)
def test_the_admin_only_rule_answers_the_admin_alone(site_blocks, lab_mode, release):
    """inbound-ssh-admin: SSH reaches the server from the admin address, not from anyone else."""
    page = next(p for p, t, _ in BLOCKS if t == "inbound-ssh-admin")
    block = site_blocks[("en", page, "inbound-ssh-admin", "nftables")]
    scenario = Scenario("inbound-ssh-admin", "nftables", block, None, str(ROOT / "snippets"), release=release)
    require(unsupported(scenario, lab_mode) is None, str(unsupported(scenario, lab_mode)))
    release_root(release)
    report = run(scenario, lab_mode)
    ssh = {(p.peer, p.family): p.observed for p in report.probes if p.direction == "inbound" and p.port == 22}
    assert ssh == {("client-admin", 4): "open", ("client-admin", 6): "open",
                   ("anyone", 4): "timeout", ("anyone", 6): "timeout"}
    assert all(p.control == "open" for p in report.probes if p.port == 22)


FIXTURES = Path(__file__).parent / "golden/snippets"
DOCKER_NETWORK = "fwguide-compose"
FIXTURE_SCENARIOS = [(t, label, backend) for t in ("base", "served", "strict")
                     for label, backend in (("nftables", None), ("rules.v4", "legacy"), ("rules.v6", "nft"))]
# firewalld cannot express the served table (malformed TCP) nor the strict one (outbound).
FIXTURE_SCENARIOS += [("served", "ufw", None), ("strict", "ufw", None), ("base", "firewalld", None)]
FIXTURE_SCENARIOS = [(*s, release) for s in FIXTURE_SCENARIOS for release in RELEASES]
# A server that runs Docker: published ports from networks, a range, a drop before an accept;
# each form with one release, the releases in turn (the site's Docker blocks run on every one).
FIXTURE_SCENARIOS += [(*s, RELEASES[i % len(RELEASES)]) for i, s in enumerate(
    [("containers", "nftables", None), ("containers", "rules.v4", "legacy"), ("containers", "iptables", "nft")])]


@pytest.mark.parametrize("table, label, backend, release", FIXTURE_SCENARIOS,
                         ids=["/".join(x for x in s if x) for s in FIXTURE_SCENARIOS])
def test_fixture_tables_behave_as_their_tables_say(lab_mode, table, label, backend, release):
    """The golden fixtures cover what the site's tables do not: networks as sources and
    destinations, port ranges, a closed outbound direction, the FTP helper."""
    catalogue = load_catalogue(FIXTURES, display_root=FIXTURES)
    block = FRONTENDS[label].render(catalogue.ruleset(table))
    # The Docker fixture's container is on a network of its own (br-<id>, as compose makes): the
    # site's Docker blocks prove Docker's default bridge.
    network = DOCKER_NETWORK if catalogue.ruleset(table).docker else None
    scenario = Scenario(table, label, block, backend, str(FIXTURES), release=release, docker_network=network)
    reason = unsupported(scenario, lab_mode)
    require(reason is None, str(reason))
    release_root(release, docker=catalogue.ruleset(table).docker)
    report = run(scenario, lab_mode)
    assert not report.failures(), "\n".join(report.failures())
    # A client inside each source network got in where the table lets it, and only there.
    networks = {p.peer for p in report.probes if p.peer.startswith("network-") and p.observed == "open"}
    assert networks, "no probe from inside a rule's network was accepted"
    if table == "strict" and 4 in FRONTENDS[label].families:  # its outbound network is IPv4
        outbound = {(p.peer, p.port, p.proto, p.observed) for p in report.probes if p.direction == "outbound"}
        assert ("internet", 53, "udp", "open") in outbound
        assert ("internet", 443, "tcp", "timeout") in outbound  # 443 is allowed to 203.0.113.0/24 only
        assert any(peer.startswith("internet(203.0.113.") and port == 443 and seen == "open"
                   for peer, port, _, seen in outbound)
