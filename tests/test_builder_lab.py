"""Configurations of the builder page, taken from the page as a reader gets them, applied in
the namespace lab and probed like every block of the guide.

Each run draws at least 20 configurations from its seed (FWGUIDE_BUILDER_SEED, printed in
the header), each with a front-end and backend drawn so that together they cover every one,
plus two corners on every front-end and backend: every service at once, and SSH alone. Then
one configuration for a server that runs Docker, with ports its containers publish, on each
front-end that has a Docker form (the backends and releases in turn), proven with the
release's own Docker like the site's Docker blocks. The
block is the text the page's copy button copies (the downloaded file for the file forms),
the table is the data file the page offers for download, and the administration client sits
at the address typed into the form. A failure prints the URL that loads the configuration.
Each scenario writes a proof record (page builder.md), which the page shows.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from types import SimpleNamespace

import pytest

from builder_support import CATALOGUE, lab_published, page_url, random_config, seed, write_snippets
from browser_support import BASE, copy_from
from fwguide.builder import FILE_NAME, TABLE_ID, Config, OwnPort, admin_networks, fragment, table_yaml
from fwguide.lab.netns import BACKENDS, LabError
from fwguide.lab.plan import make_plan
from fwguide.lab.records import proof_dir, proof_record, write_record
from fwguide.lab.runner import run, unsupported
from fwguide.lab.scenario import Scenario
from fwguide.loader import load_catalogue
from fwguide.releases import releases
from fwguide.render.markdown import DOWNLOADS, frontends
from support import ROOT, release_root, require

RANDOM = 20
COMBOS = [(f.label, backend) for f in frontends() for backend in (BACKENDS if f.uses_iptables else (None,))]
# The front-ends with a form for a server that runs Docker (ufw's and firewalld's tabs are
# absent there), each with one backend, the backends in turn.
DOCKER_COMBOS = [(f.label, BACKENDS[i % len(BACKENDS)] if f.uses_iptables else None)
                 for i, f in enumerate(f for f in frontends() if f.label not in ("ufw", "firewalld"))]
DOWNLOADED = {label: name for name, label in DOWNLOADS}
RELEASES = [r.codename for r in releases()]
ADMIN = {"admin4": "203.0.113.150", "admin6": "2001:db8:a2::150"}


def draw() -> list[tuple[str, Config, str, str | None, str]]:
    """(name, configuration, front-end, backend, release) of every scenario of this run."""
    rng = random.Random(seed() + 1)
    combos = COMBOS[:] + [rng.choice(COMBOS) for _ in range(RANDOM - len(COMBOS))]
    rng.shuffle(combos)
    out = []
    for i, (label, backend) in enumerate(combos, start=1):
        # firewalld has no form for an SSH limit or for malformed-TCP drops: its tab is absent.
        firewalld = False if label == "firewalld" else None
        config = random_config(rng, lab=True, limit=firewalld, malformed=firewalld)
        out.append((f"random-{i:02d}", config, label, backend, rng.choice(RELEASES)))
    every = Config(tuple((sid, "admin" if sid == "ssh" else "any") for sid in CATALOGUE.services), malformed=True,
                   **ADMIN)
    alone = Config((("ssh", "any"),))
    for i, (label, backend) in enumerate(COMBOS):
        mine = replace(every, malformed=False) if label == "firewalld" else every
        out.append(("every-service", mine, label, backend, RELEASES[i % len(RELEASES)]))
        out.append(("ssh-alone", alone, label, backend, RELEASES[(i + 1) % len(RELEASES)]))
    for i, (label, backend) in enumerate(DOCKER_COMBOS, start=1):
        config = lab_published(rng, random_config(rng, lab=True, limit=False))
        out.append((f"docker-{i:02d}", config, label, backend, RELEASES[i % len(RELEASES)]))
    return out


SCENARIOS = draw()


def test_the_draws_cover_every_frontend_and_backend_and_both_corners_on_each():
    """What the lab tests below promise, checked on the scenarios themselves. CI splits them
    by release into one job each, with one seed: together the jobs run all of them."""
    randoms = [(label, backend) for name, _, label, backend, _ in SCENARIOS if name.startswith("random-")]
    assert len(randoms) >= 20 and set(randoms) == set(COMBOS) and len(COMBOS) == 11
    for corner in ("every-service", "ssh-alone"):
        assert sorted((label, backend or "") for name, _, label, backend, _ in SCENARIOS
                      if name == corner) == sorted((label, backend or "") for label, backend in COMBOS)
    assert {release for *_, release in SCENARIOS} == set(RELEASES)
    docker = [(label, backend) for name, config, label, backend, _ in SCENARIOS if config.docker]
    docker_host = CATALOGUE.ruleset("docker-host")  # the site's Docker table: the tabs a Docker host gets
    assert sorted(label for label, _ in docker) == sorted(f.label for f in frontends() if f.supports(docker_host))
    assert all(config.published for _, config, *_ in SCENARIOS if config.docker)


def scenario_id(name, config, label, backend, release) -> str:
    return "/".join([name, label, *([f"iptables-{backend}"] if backend else []), release])


@pytest.fixture(scope="module")
def reader(browser, origin):
    """A page with a clipboard and downloads: what a reader takes from the builder."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], base_url=origin,
                                  accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


def take(page, config: Config, label: str) -> tuple[str, str | None, str]:
    """(copied text, downloaded file of the front-end or None, downloaded data file)."""
    page.goto(page_url(BASE, "en", config))
    page.wait_for_selector("#fw-builder:not([hidden])")
    result = page.locator(".fw-result")
    labels = [text.strip() for text in result.locator(".tabbed-labels > label").all_inner_texts()]
    copied = copy_from(page, result, label, labels.index(label))

    def download(name: str) -> str:
        with page.expect_download() as info:
            page.locator(f'[data-download="{name}"]').click()
        return open(info.value.path(), encoding="utf-8").read()

    return copied, download(DOWNLOADED[label]) if label in DOWNLOADED else None, download(FILE_NAME)


@pytest.mark.parametrize("name, config, label, backend, release", SCENARIOS,
                         ids=[scenario_id(*s) for s in SCENARIOS])
def test_a_configuration_from_the_page_behaves_as_its_table_says(reader, lab_mode, tmp_path, name, config, label,
                                                                 backend, release):
    url = page_url(BASE, "en", config)
    copied, downloaded, data_file = take(reader, config, label)
    block = copied
    if downloaded is not None:
        assert downloaded == copied + "\n", f"the download differs from the copied text\n  replay: {url}"
        block = downloaded
    snippets = write_snippets(tmp_path / "snippets", data_file).parent
    scenario = Scenario(TABLE_ID, label, block, backend, str(snippets), release=release)
    reason = unsupported(scenario, lab_mode)
    require(reason is None, str(reason))
    root = release_root(release, docker=config.docker)
    report, failures, start = None, ["the lab did not finish"], time.monotonic()
    try:
        report = run(scenario, lab_mode)
        failures = report.failures() or beyond_the_table(report, config, snippets)
    except LabError as exc:
        failures = [f"lab: {exc}"]
        raise
    finally:
        write_record(proof_dir(ROOT), proof_record(
            page="builder.md", table=f"builder-{name}", frontend=label, backend=backend, copied=copied, root=root,
            report=report, seconds=time.monotonic() - start, failures=failures, fragment=fragment(config),
            seed=seed()))
    assert not failures, "\n".join(failures) + f"\n  replay: {url} (FWGUIDE_BUILDER_SEED={seed()})"


def beyond_the_table(report, config: Config, snippets) -> list[str]:
    """The administration client stood at the address typed into the form, and the probes
    saw both verdicts."""
    catalogue = load_catalogue(snippets, display_root=snippets)
    ruleset = catalogue.ruleset(TABLE_ID)
    plan = make_plan(catalogue, ruleset, (4, 6))
    typed = {str(n).split("/")[0] for n in admin_networks(config).values()}
    placed = {addr for c in plan.clients if c.role.startswith("network-") for addr in c.addrs.values()}
    used = {str(r.peer.network).split("/")[0] for r in ruleset.rules if r.peer.network is not None}
    out = []
    if used and not used <= placed:
        out.append(f"the administration client is not at the typed address ({sorted(used)} not in {sorted(placed)})")
    if used - typed:
        out.append(f"the table names addresses nobody typed: {sorted(used - typed)}")
    # Both verdicts; a configuration that opens nothing in the families this block covers (a
    # reader may pick no service, or type an IPv6 address alone for admin-only services) has
    # only drops.
    # A port a container publishes is reached from outside as the server's own ports are.
    families = {p.family for p in report.probes}
    wanted = {"drop"} | {r.action for r in ruleset.rules
                         if r.direction in ("inbound", "published") and families & set(r.peer.families())}
    if {p.expected for p in report.probes if p.direction == "inbound"} != wanted:
        out.append(f"vacuous check: the inbound probes' verdicts are not {sorted(wanted)}")
    return out


def test_a_published_port_alone_is_not_a_vacuous_check(tmp_path):
    """A server that runs Docker, with no service open and one port published to anyone: the
    probes of the published port are accepted and the others dropped, both verdicts the
    check wants. FWGUIDE_BUILDER_SEED=148727916 drew it (docker-02 on ip6tables), and the
    check called it vacuous: it counted the table's inbound rules, not its published ports."""
    config = Config((), admin6="2001:db8:a4::b5a8", docker=True, published=(OwnPort("api-v2", "80", "tcp", "any"),))
    snippets = write_snippets(tmp_path / "snippets", table_yaml(config, CATALOGUE, "en")).parent

    def report(*verdicts: str):
        return SimpleNamespace(probes=[SimpleNamespace(direction="inbound", expected=v, family=6) for v in verdicts])

    assert beyond_the_table(report("accept", "drop"), config, snippets) == []
    # The control: the same server's probes all dropped (the published port's too) is vacuous.
    assert beyond_the_table(report("drop", "drop"), config, snippets) == [
        "vacuous check: the inbound probes' verdicts are not ['accept', 'drop']"]
