"""A server that runs Docker: the lab's Docker checks can fail, and each usual block does on such
a server what the Docker page says it does.

The Docker blocks themselves are proven with the site's other blocks (test_lab_blocks.py):
each release's own Docker, both orders, a restart, the block applied again. Here, each
"can fail" test feeds the lab the Docker host's block with one deliberate defect and
asserts that the lab reports exactly that defect. These run with the newest release's Docker
(parametrized by it, so a CI job of another release leaves them out): what they measure is
the blocks and the procedures, which the Docker blocks' own proofs cover on every release.
"""

from __future__ import annotations

import pytest

from fwguide.lab.runner import run
from fwguide.lab.scenario import Scenario, _docker_chains_sorted, run_usual_on_docker
from fwguide.loader import load_catalogue
from fwguide.releases import releases
from fwguide.render import docker
from fwguide.render.markdown import frontends

from fwguide import i18n

from support import LANGS, PAGES, ROOT, built, release_root, require, source_markers

CATALOGUE = load_catalogue(ROOT / "snippets", display_root=ROOT)
FRONTENDS = {f.label: f for f in frontends()}
RELEASE = releases()[-1].codename
TABLE = "docker-host"


def docker_run(label: str, block: str, lab_mode: str, backend: str | None = "nft"):
    """The Docker host's table, with this block, on the newest release's Docker."""
    require(lab_mode == "netns", "Docker runs as root, in the netns mode")
    release_root(RELEASE, docker=True)
    backend = backend if FRONTENDS[label].uses_iptables else None
    return run(Scenario(TABLE, label, block, backend, str(ROOT / "snippets"), release=RELEASE), lab_mode)


def rendered(label: str) -> str:
    return FRONTENDS[label].render(CATALOGUE.ruleset(TABLE))


def without(block: str, fragment: str) -> str:
    lines = block.splitlines(keepends=True)
    assert sum(fragment in line for line in lines) == 1, fragment
    return "".join(line for line in lines if fragment not in line)


# The lab's Docker checks can fail


@pytest.mark.parametrize("release", [RELEASE])
def test_without_the_drop_of_other_published_ports_the_unnamed_one_is_open(lab_mode, release):
    report = docker_run("iptables", without(rendered("iptables"), "other published ports"), lab_mode)
    failures = report.failures()
    # 8080: the port the container publishes and no rule names.
    assert "anyone -> server IPv4 8080/tcp: table says drop, observed open" in failures, failures
    assert "with the block in place before dockerd started: anyone -> server IPv4 8080/tcp: table says drop, " \
           "observed open" in failures, failures
    assert not any("IPv6" in f or " 80/tcp" in f for f in failures), failures  # the rest still holds


@pytest.mark.parametrize("release", [RELEASE])
def test_flushing_every_chain_takes_the_published_ports_down(lab_mode, release):
    """The usual way to start a block (`iptables -F`, `-X`) deletes Docker's chains: FORWARD keeps
    its DROP policy with nothing to accept what Docker publishes, until dockerd restarts."""
    block = rendered("iptables").replace("iptables -F INPUT\n", "iptables -F\niptables -X\n")
    report = docker_run("iptables", block, lab_mode)
    failures = report.failures()
    assert "anyone -> server IPv4 80/tcp: table says accept, observed timeout" in failures, failures
    assert "a container cannot reach 192.0.2.80 443/tcp" in failures, failures
    # After the restart, Docker's chains are back: the published ports answer again.
    assert not any(f.startswith("after dockerd restarted") for f in failures), failures


@pytest.mark.parametrize("release", [RELEASE])
def test_an_nftables_forward_chain_without_the_bridges_cuts_the_containers_off(lab_mode, release):
    block = without(rendered("nftables"), 'iifname "docker0" accept')
    report = docker_run("nftables", block, lab_mode)
    failures = report.failures()
    for phase in ("", "after dockerd restarted: ", "after the block was applied again: ",
                  "with the block in place before dockerd started: "):
        assert f"{phase}a container cannot reach 192.0.2.80 443/tcp" in failures, failures
        assert f"{phase}a container cannot reach 192.0.2.80 53/udp" in failures, failures
    assert not any("-> server" in f for f in failures), failures  # the published ports still hold


@pytest.mark.parametrize("release", [RELEASE])
def test_a_restore_file_that_does_not_flush_its_chains_doubles_them(lab_mode, release):
    """Loaded with `--noflush`, the file must flush the built-in chains it fills itself."""
    report = docker_run("rules.v4", without(rendered("rules.v4"), "-F INPUT"), lab_mode)
    assert "applying the block twice does not give the same ruleset as applying it once" in report.failures()


@pytest.mark.parametrize("label", ["ufw", "firewalld"])
def test_ufw_and_firewalld_have_no_docker_tab(label):
    assert not FRONTENDS[label].supports(CATALOGUE.ruleset(TABLE))
    assert FRONTENDS[label].obstacles(CATALOGUE.ruleset(TABLE)) == [(None, "docker")]


# What the usual blocks do on a server that runs Docker: the Docker page's table


# Measured with the newest release's Docker on every run (both releases gave the same table
# when it was written; the budget of the Docker proofs keeps it to one).
USUAL_CASES = [(label, RELEASE) for label in docker.USUAL]


def outcomes(report, phase: str) -> tuple[str, ...]:
    """What went wrong in one phase, in docker.OUTCOMES' words (IPv4, from the anonymous client)."""
    seen = {p.port: p.observed for p in report.probes if p.phase == phase and p.peer == "anyone" and p.family == 4}
    own = [port for port in HOST_PORTS if port in seen]
    assert len(own) == len(HOST_PORTS), f"the server's own ports were not all probed: {seen}"
    wrong = {
        "published_closed": seen[docker.ACCEPTED] != "open",
        "unnamed_open": seen[docker.UNNAMED] == "open",
        "host_closed": any(seen[port] != "open" for port in own),
        "containers_offline": not all(c.reached for c in report.containers if c.phase == phase),
    }
    return tuple(o for o in docker.OUTCOMES if wrong[o])


# The ports of the server's own that the usual table accepts (SSH, and HTTPS: the container has
# port 80 only, as a site redirecting to a proxy would).
HOST_PORTS = (22, 443)


@pytest.mark.parametrize("label, release", USUAL_CASES, ids=[f"{c[0]}/{c[1]}" for c in USUAL_CASES])
def test_the_usual_block_does_on_a_docker_host_what_the_page_says(lab_mode, label, release):
    require(lab_mode == "netns", "Docker runs as root, in the netns mode")
    release_root(release, docker=True)
    ruleset = CATALOGUE.ruleset(docker.USUAL_TABLE)
    assert [p for r in ruleset.rules for p in r.ports if p.first in HOST_PORTS] and \
        any(p.first == docker.ACCEPTED for r in ruleset.rules for p in r.ports), "the table changed"
    block = FRONTENDS[label].render(ruleset)
    backend = "nft" if FRONTENDS[label].uses_iptables else None
    scenario = Scenario(docker.USUAL_TABLE, label, block, backend, str(ROOT / "snippets"), release=release)
    report = run_usual_on_docker(scenario, list(docker.PUBLISHED), CATALOGUE)
    assert not report.control_failures(), report.control_failures()  # with no firewall, everything answers
    assert not report.apply_errors, report.apply_errors
    measured = {"running": outcomes(report, ""), "boot": outcomes(report, "boot")}
    assert measured == docker.USUAL[label], f"{label} with Debian {release}'s Docker: {measured}"


def test_the_missing_firewalld_tab_says_what_the_lab_measured():
    """Under a Docker table, the note for the missing firewalld tab says that a published port
    the table does not name stayed open under firewalld: the measured table must say so too."""
    assert all("unnamed_open" in outcomes for outcomes in docker.USUAL["firewalld"].values())


# What the lockout procedures do to Docker (the iptables page says it under them)


def procedure(command: str, label: str) -> str:
    return CATALOGUE.commands[command].variant(label).text


@pytest.mark.parametrize("release", [RELEASE])
@pytest.mark.parametrize("command, label, after, after_restart", [
    # The recovery opens FORWARD and deletes Docker's chains: every published port answers anyone,
    # and still does once Docker has rebuilt its chains, until the Docker block is applied again.
    ("recover", "iptables", ("unnamed_open",), ("unnamed_open",)),
    # Deleting the nftables table removes what filtered the published ports.
    ("recover", "nftables", ("unnamed_open",), ("unnamed_open",)),
    # A flush empties Docker's chains under FORWARD's DROP policy: the containers are cut off
    # until Docker restarts, and then every published port answers anyone.
    ("flush-only", "iptables", ("published_closed", "host_closed", "containers_offline"),
     ("unnamed_open", "host_closed")),
    # A flush keeps the table's chains and their DROP policies: everything stays closed.
    ("flush-only", "nftables", ("published_closed", "host_closed", "containers_offline"),
     ("published_closed", "host_closed", "containers_offline")),
], ids=["recover/iptables", "recover/nftables", "flush-only/iptables", "flush-only/nftables"])
def test_the_lockout_procedures_on_a_docker_host(lab_mode, command, label, after, after_restart, release):
    """The Docker host's block in place on a running Docker host, then the procedure, as the iptables
    page's "Locked out?" section gives it; then Docker restarted."""
    require(lab_mode == "netns", "Docker runs as root, in the netns mode")
    release_root(RELEASE, docker=True)
    frontend = "iptables" if label == "iptables" else "nftables"
    block = rendered(frontend)
    if label == "nftables":  # the file, then the procedure: both in one shell
        block = f"nft -f - <<'EOF'\n{block}EOF\n"
    text = block + procedure(command, label)
    scenario = Scenario(TABLE, "iptables", text, "nft", str(ROOT / "snippets"), release=RELEASE)
    report = run_usual_on_docker(scenario, [("tcp", docker.ACCEPTED), ("tcp", docker.UNNAMED)], CATALOGUE,
                                 boot=False, restart=True)
    assert not report.control_failures(), report.control_failures()
    assert not report.apply_errors, report.apply_errors
    assert (outcomes(report, ""), outcomes(report, "restart")) == (after, after_restart)


# The pages


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_with_complete_rulesets_warns_before_its_blocks(site, lang):
    """In the reader's language, before the first rule table that does not know Docker, a warning
    that links to the Docker page of the same language; none on the Docker page itself."""
    warned = []
    for page in PAGES:
        html = built(site, lang, page)
        usual = [t for t in source_markers(lang, page) if t != "services" and not CATALOGUE.ruleset(t).docker]
        builder = 'class="fw-builder-output"' in html
        title = i18n.text(lang, "docker_warning_title")
        if not usual and not builder:
            assert f'<p class="admonition-title">{title}</p>' not in html, page
            continue
        warned.append(page)
        first = min(i for i in (html.find('class="fw-table"'), html.find('class="fw-builder-output"'), len(html))
                    if i >= 0)
        position = html.find(f'<p class="admonition-title">{title}</p>')
        assert 0 <= position < first, f"{lang}/{page}: no Docker warning before the first block"
        link = f'href="{"../" if lang == "en" else "../../"}{LANGS[lang]}docker/"'
        assert link in html[position:first], f"{lang}/{page}: the warning does not link to the Docker page"
    assert sorted(warned) == ["basics.md", "builder.md", "iptables.md"], warned


@pytest.mark.parametrize("lang", LANGS)
def test_the_docker_page_shows_the_measured_table_in_its_language(site, lang):
    html = built(site, lang, "docker.md")
    for label in docker.USUAL:
        assert f"<td><code>{label}</code></td>" in html, label
    words = i18n.text(lang, "usual_unnamed_open", unnamed=str(docker.UNNAMED))
    assert words[0].upper() + words[1:] in html


def test_a_restart_of_docker_reordering_its_own_chains_is_not_a_change_of_the_block():
    """With two networks, dockerd puts each one's rules back in another order when it restarts:
    the dumps compared for "applied twice" sort Docker's chains, never the block's."""
    save = "*filter\n-A INPUT -j {0}\n-A INPUT -j {1}\n-A DOCKER-USER -j {0}\n-A DOCKER-USER -j {1}\n" \
           "-A FORWARD -o {0}\n-A FORWARD -o {1}\n-A DOCKER-ISOLATION-STAGE-2 -o {0}\n" \
           "-A DOCKER-ISOLATION-STAGE-2 -o {1}\nCOMMIT\n"
    once, restarted = save.format("docker0", "br-1"), save.format("br-1", "docker0")
    assert _docker_chains_sorted(once) != _docker_chains_sorted(restarted)  # the block's chains differ
    swapped_docker = once.replace("-o docker0\n-A FORWARD -o br-1", "-o br-1\n-A FORWARD -o docker0")
    assert swapped_docker != once
    assert _docker_chains_sorted(swapped_docker) == _docker_chains_sorted(once)
    nft = "table ip filter {{\n\tchain FORWARD {{\n\t\ttype filter hook forward priority filter; policy drop;\n" \
          "\t\toifname \"{0}\" accept\n\t\toifname \"{1}\" accept\n\t}}\n}}\n" \
          "table inet firewall {{\n\tchain forward {{\n\t\tiifname \"{0}\" accept\n" \
          "\t\tiifname \"{1}\" accept\n\t}}\n}}\n"
    docker_swapped = nft.format("docker0", "br-*").replace('oifname "docker0" accept\n\t\toifname "br-*"',
                                                         'oifname "br-*" accept\n\t\toifname "docker0"')
    assert _docker_chains_sorted(docker_swapped) == _docker_chains_sorted(nft.format("docker0", "br-*"))
    assert _docker_chains_sorted(nft.format("br-*", "docker0")) != _docker_chains_sorted(nft.format("docker0", "br-*"))

