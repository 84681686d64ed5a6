"""The per-source limit on new connections (a rule's `limit:`), proven in the lab, per front-end.

For every front-end that can express it, with each Debian release's tools: from one client,
a burst of new connections beyond the limit gets the excess dropped (ufw refuses it); a
second client gets in meanwhile; a session opened before the burst keeps working throughout;
and once the window has passed without an attempt, a new connection gets through again.

The short window comes from a fixture table (golden/snippets/limited.yml: 3 connections in
4 seconds), rendered like any table; nothing in a rendered block is edited. ufw's `limit`
has fixed numbers (5 in 30 seconds), so its test applies the basics page's block as a reader
copies it from the built site, and waits the real 30 seconds.

Before the block is applied, the same burst gets through entirely from the same client: the
positive control that makes each "blocked" result mean something.
"""

from __future__ import annotations

import time

import pytest

from fwguide.lab import timing
from fwguide.lab.network import Network
from fwguide.loader import load_catalogue
from fwguide.releases import releases
from fwguide.render.markdown import frontends

from support import ROOT, built, command_blocks, copied, release_root

FRONTENDS = {f.label: f for f in frontends()}
SHORT = load_catalogue(ROOT / "tests/golden/snippets", display_root=ROOT)
SITE = load_catalogue(ROOT / "snippets", display_root=ROOT)
SITE_TABLE, SITE_PAGE = "inbound-ssh-limited", "basics.md"
EXTRA = 3  # connections beyond the limit in each burst
RELEASES = [r.codename for r in releases()]
# The forms that apply together to one server: the IPv4 and IPv6 forms of iptables, each
# pair with one backend (both backends serve both families), nftables, ufw.
FORMS = [(("iptables", "ip6tables"), "nft"), (("rules.v4", "rules.v6"), "legacy"), (("nftables",), None),
         (("ufw",), None)]
CASES = [(labels, backend, release) for labels, backend in FORMS for release in RELEASES]


def test_every_front_end_that_expresses_a_limit_is_proven_here():
    """A front-end that gains a way to express the limit fails this until it is in FORMS."""
    expressing = {f.label for f in frontends() if f.supports(SITE.ruleset(SITE_TABLE))}
    assert expressing == {label for labels, _ in FORMS for label in labels}
    assert not FRONTENDS["firewalld"].supports(SITE.ruleset(SITE_TABLE))
    assert not FRONTENDS["ufw"].supports(SHORT.ruleset("limited"))  # not ufw's numbers


@pytest.mark.parametrize("labels, backend, release", CASES,
                         ids=["/".join(x for x in ("+".join(c[0]), *c[1:]) if x) for c in CASES])
def test_a_burst_beyond_the_limit_is_dropped_and_nothing_else_is(site, lab, labels, backend, release):
    release_root(release)
    if labels == ("ufw",):
        catalogue, table = SITE, SITE_TABLE
        page = {(t, tab): code for t, tab, code in command_blocks(built(site, "en", SITE_PAGE))}
        blocks = {"ufw": copied(page[(table, "ufw")])}
    else:
        catalogue, table = SHORT, "limited"
        blocks = {label: FRONTENDS[label].render(catalogue.ruleset(table)) for label in labels}
    families = [f for label in labels for f in FRONTENDS[label].families]
    rule = catalogue.ruleset(table).limited()[0]
    limit, port = rule.limit, rule.ports[0].first
    assert rule.peer.is_any and rule.ports[0].protocol == "tcp"
    burst = limit.connections + EXTRA
    # ufw's limit rejects, the others drop. The kernel rate-limits the ICMPv6 errors of a
    # rejection, so part of a burst that ufw rejects gets no answer at all: a timeout too.
    blocked = {"refused", "timeout"} if labels == ("ufw",) else {"timeout"}
    net = Network(lab, catalogue, table, release=release, backend=backend)

    # The control: without a firewall, the whole burst gets through, from the same client.
    for family in families:
        assert net.burst("client-admin", family, port, burst) == ["open"] * burst, f"control IPv{family}"

    for label, block in blocks.items():
        result = net.server.run(list(FRONTENDS[label].apply), input=block, check=False)
        assert result.returncode == 0, f"{label}: {result.stderr}"
    # An established session (the administrator's own), then a burst: the session is the
    # first new connection, so limit - 1 more get through and the rest are blocked.
    # nftables' limit is a token bucket that gives back one connection every `refill` seconds,
    # so each family's session, burst and probe must follow each other within that time: the
    # session is opened right before its own burst (opened together, the IPv6 one waited out
    # the IPv4 probes, and a loaded CI machine let the IPv6 probe in).
    refill = limit.seconds / limit.connections
    sessions = {}
    for family in families:
        start = time.monotonic()
        sessions[family] = net.session("client-admin", family, port)
        results = net.burst("client-admin", family, port, burst - 1)
        assert results.count("open") == limit.connections - 1, f"IPv{family} burst: {results}"
        assert set(results) - {"open"} <= blocked, f"IPv{family} burst: {results}"
        result, took = net.probe("client-admin", family, port), time.monotonic() - start
        assert result in blocked or took < refill, (
            f"IPv{family}: the lab took {took:.2f} s from the session to the last probe, more than the "
            f"{refill:.2f} s in which the limit gives a connection back: too slow to prove the limit")
        assert result in blocked, f"IPv{family}: still over the limit ({took:.2f} s after the session)"
        # Another address is not affected, and the session is not cut.
        assert net.probe("anyone", family, port) == "open", f"IPv{family}: the other client"
        assert net.echo("client-admin", sessions[family]) == "echoed", f"IPv{family}: the session"

    with timing.span("window", "ufw limit"):
        time.sleep(limit.seconds + 1)  # the window passes, without an attempt from the client
    for family in families:
        assert net.probe("client-admin", family, port) == "open", f"IPv{family}: after the window"
        assert net.echo("client-admin", sessions[family]) == "echoed", f"IPv{family}: the session, later"
