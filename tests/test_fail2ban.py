"""fail2ban on the server: what happens to the addresses it has banned when a block is applied.

Each release's own fail2ban runs on the server with Debian's defaults (its actions included;
only the sshd jail's log source is the lab's, and the bans are made with `fail2ban-client
set sshd banip`). The anonymous client is banned over IPv4 and IPv6, which must close SSH to
it and to it alone (the positive control: SSH is open to anyone in the table tried). Then
each form of the basics page's minimum table is applied, as a reader applies it, and the
banned client probed again; then the same with the Docker page's table on a server where
the release's own Docker runs. What the lab sees must be fwguide/render/fail2ban.py's KEPT,
which the iptables page shows. Where a form loses the bans, the page's command gives them
back to the firewall, and the lab checks that it does.
"""

from __future__ import annotations

import time

import pytest

from fwguide.lab.docker import DockerHost
from fwguide.lab.network import Network
from fwguide.lab.scenario import start_daemon
from fwguide.loader import load_catalogue
from fwguide.releases import releases
from fwguide.render import fail2ban
from fwguide.render.markdown import frontends

from support import ROOT, copied, release_root

CATALOGUE = load_catalogue(ROOT / "snippets", display_root=ROOT)
FRONTENDS = {f.label: f for f in frontends()}
RELEASES = [r.codename for r in releases()]
BANNED, ADMIN = "anyone", "client-admin"
FAMILIES = (4, 6)
# The iptables forms with each backend in turn; the others have one.
CASES = [(table, release, form, ("nft", "legacy")[(i + j) % 2] if FRONTENDS[form].uses_iptables else None)
         for table, forms in ((fail2ban.TABLE, fail2ban.FORMS), (fail2ban.DOCKER_TABLE, fail2ban.DOCKER_FORMS))
         for i, release in enumerate(RELEASES) for j, form in enumerate(forms)]


def ssh(net: Network) -> tuple[set[str], set[str]]:
    """What SSH gives the banned client and the administration client, over both families
    (a ban rejects or drops, depending on fail2ban's action: anything but open)."""
    seen = net.reachable(22)
    return {seen[(BANNED, f)] for f in FAMILIES}, {seen[(ADMIN, f)] for f in FAMILIES}


def banned_out(seen: tuple[set[str], set[str]]) -> bool:
    banned, admin = seen
    return "open" not in banned and admin == {"open"}


def test_the_measured_table_covers_every_form_and_release():
    for table, forms in ((fail2ban.TABLE, fail2ban.FORMS), (fail2ban.DOCKER_TABLE, fail2ban.DOCKER_FORMS)):
        assert set(forms) == {f.label for f in frontends() if f.supports(CATALOGUE.ruleset(table))}
        assert all(set(fail2ban.KEPT[(table, release)]) == set(forms) for release in RELEASES)
    assert len(fail2ban.KEPT) == 2 * len(RELEASES)


@pytest.mark.parametrize("table, release, form, backend", CASES, ids=["/".join(filter(None, c)) for c in CASES])
def test_an_address_fail2ban_banned_after_the_block_is_applied(lab, table, release, form, backend):
    docker = CATALOGUE.ruleset(table).docker
    release_root(release, docker)
    net = Network(lab, CATALOGUE, table, release=release, backend=backend, docker=docker)
    host = DockerHost(net.server, lab.prefix.removeprefix("fwg-")) if docker else None
    try:
        if host:
            host.start()  # Docker's chains and DOCKER-USER in place, as on the reader's server
        banned_then(net, table, release, form)
    finally:
        if host:
            host.close()


def banned_then(net: Network, table: str, release: str, form: str) -> None:
    """Ban the anonymous client, apply the form's block, compare with KEPT, reload fail2ban."""
    frontend = FRONTENDS[form]
    if frontend.daemon:
        start_daemon(net.server, frontend.daemon)
    start_daemon(net.server, "fail2ban")
    assert ssh(net) == ({"open"}, {"open"})  # the control: SSH open to anyone, nobody banned yet
    for family in FAMILIES:
        net.server.run(["fail2ban-client", "set", "sshd", "banip", net.address(BANNED, family)])
    assert banned_out(ssh(net))  # the ban closes SSH to the banned client, and to it alone

    code = frontend.render(net.ruleset)
    if frontend.code_lang == "bash":
        net.server.shell(copied(code))
    else:
        net.server.run(list(frontend.applying(net.ruleset)), input=code)
    seen = ssh(net)
    assert seen[1] == {"open"}  # the block lets SSH in, as its table says
    kept = banned_out(seen)
    assert kept == fail2ban.KEPT[(table, release)][form], f"measured: bans {'kept' if kept else 'lost'} ({seen})"

    net.server.shell(copied(CATALOGUE.commands[fail2ban.RELOAD].variant("").text))
    # The command gives fail2ban's bans back to the firewall: its jail restores them from its
    # database just after the command returns (bounded: 20 tries, 5 s).
    assert any(banned_out(ssh(net)) or time.sleep(0.25) for _ in range(20)), "the bans did not come back"
