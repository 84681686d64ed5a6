"""What a scenario builds and what it expects: addresses, ports to probe, expected verdicts.

The expectations come from the table's data (first matching rule, else the default
policy), never from a renderer's output, so a renderer that writes the wrong rule is caught.
Every address is in the documentation ranges, and exists only inside the lab's namespaces.
"""

from __future__ import annotations

import ipaddress
import itertools
from dataclasses import dataclass, field

from ..model import PUBLISHED, Catalogue, PortRange, Ruleset

# Fixed addresses of the lab. The server has a second address per family that nothing
# listens on: crafted packets go there, so a closed port answers RST unless a rule drops it.
SERVER = {4: ("198.51.100.1", "198.51.100.2"), 6: ("2001:db8:5::1", "2001:db8:5::2")}
# The "internet" namespace routes between everyone; its own address is the gateway.
GATEWAY = {4: "198.51.100.254", 6: "fe80::1"}
LINK_LOCAL = "fe80::2"
INTERNET = {4: "192.0.2.80", 6: "2001:db8:80::80"}
ANYONE_CANDIDATES = {
    4: ("192.0.2.20", "203.0.113.20", "198.51.100.20", "192.0.2.200", "203.0.113.200"),
    6: ("2001:db8:20::20", "2001:db8:21::21", "2001:db8:22::22"),
}
DOC_RANGES = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
# Ports no table of the guide opens, probed on top of the catalogue's: all must stay closed
# unless the table itself opens them.
SAMPLE_PORTS = (
    ("tcp", 23), ("tcp", 445), ("tcp", 3306), ("tcp", 5432), ("tcp", 8080), ("tcp", 65535),
    ("udp", 123), ("udp", 161), ("udp", 514), ("udp", 1194),
)
# On a server that runs Docker, a container also publishes one port that no rule names: it
# must be closed from outside, whatever `-p` said. The first of these no rule mentions.
UNNAMED_PUBLISHED = (("tcp", 8080), ("tcp", 3306), ("tcp", 9000), ("tcp", 8443))
CRAFTED_KINDS = ("null", "xmas", "ack")
ANYONE = "anyone"
INTERNET_ROLE = "internet"
SERVER_ROLE = "server"


@dataclass(frozen=True)
class Host:
    """A namespace of the lab, with its address per family."""

    role: str
    addrs: dict[int, str]
    placeholder: str | None = None


@dataclass
class Plan:
    families: tuple[int, ...]
    clients: list[Host]
    # Where outbound probes go: (namespace role, address per family, what it stands for).
    targets: list[Host]
    extra_internet: dict[int, list[str]] = field(default_factory=dict)
    inbound_ports: list[tuple[str, int]] = field(default_factory=list)
    outbound_ports: list[tuple[str, int]] = field(default_factory=list)
    # On a server that runs Docker: the ports its container publishes (`-p`), all probed
    # among inbound_ports; the server's own listeners leave them to Docker.
    published: list[tuple[str, int]] = field(default_factory=list)


class PlanError(ValueError):
    """The table cannot be probed as written (an address the lab cannot place)."""


def make_plan(catalogue: Catalogue, ruleset: Ruleset, families: tuple[int, ...]) -> Plan:
    fixed = {SERVER[f][i] for f in (4, 6) for i in (0, 1)} | {GATEWAY[4], INTERNET[4], INTERNET[6]}
    clients: list[Host] = []
    used = set(fixed)
    for p in catalogue.placeholders.values():
        addrs = {4: str(p.ipv4), 6: str(p.ipv6)}
        for addr in addrs.values():
            if addr in used:
                raise PlanError(f"placeholder {p.id}: {addr} is already used by the lab; pick another example")
            used.add(addr)
        clients.append(Host(f"client-{p.id}", addrs, p.id))
    anyone: dict[int, str] = {}
    networks = [r.peer.network for r in ruleset.rules if r.peer.network is not None]
    for family in (4, 6):
        for candidate in ANYONE_CANDIDATES[family]:
            ip = ipaddress.ip_address(candidate)
            if candidate not in used and not any(ip in n for n in networks if n.version == family):
                anyone[family] = candidate
                used.add(candidate)
                break
        else:
            raise PlanError(f"no IPv{family} address left for the anonymous client outside the table's networks")
    clients.insert(0, Host(ANYONE, anyone))
    # A client inside each network an inbound rule names, so its accept can be seen too.
    inbound_networks = dict.fromkeys(
        r.peer.network for r in ruleset.rules if r.direction in ("inbound", PUBLISHED) and r.peer.network is not None
    )
    for i, net in enumerate(inbound_networks):
        clients.append(Host(f"network-{i}", {net.version: _host_in(net, used, rule_name=str(net))}))

    # Outbound targets: the internet at large, each destination network, each placeholder.
    targets = [Host(INTERNET_ROLE, dict(INTERNET))]
    extra: dict[int, list[str]] = {4: [], 6: []}
    for rule in ruleset.rules:
        if rule.direction != "outbound":
            continue
        if rule.peer.network is not None:
            net = rule.peer.network
            addr = _host_in(net, used, rule.name)
            extra[net.version].append(addr)
            targets.append(Host(INTERNET_ROLE, {net.version: addr}))
        elif rule.peer.placeholder is not None:
            client = next(c for c in clients if c.placeholder == rule.peer.placeholder.id)
            if client not in targets:
                targets.append(client)
    inbound = ports_to_probe(catalogue, ruleset, "inbound")
    published = published_ports(ruleset) if ruleset.docker else []
    return Plan(
        families=families,
        clients=clients,
        targets=targets,
        extra_internet=extra,
        inbound_ports=sorted(set(inbound) | set(published)),
        outbound_ports=ports_to_probe(catalogue, ruleset, "outbound"),
        published=published,
    )


def published_ports(ruleset: Ruleset) -> list[tuple[str, int]]:
    """What the lab's container publishes: each port a `to: container` rule names (a range by
    its ends and middle), and one port that no rule names."""
    named = [p for r in ruleset.rules if r.direction == PUBLISHED for p in r.ports]
    ports = {(p.protocol, n) for p in named for n in _sample(p) if p.first <= n <= p.last}
    taken = [p for r in ruleset.rules for p in r.ports]
    unnamed = next(u for u in UNNAMED_PUBLISHED
                   if not any(p.protocol == u[0] and p.first <= u[1] <= p.last for p in taken))
    return sorted(ports | {unnamed})


def _host_in(net, used: set[str], rule_name: str) -> str:
    """An unused address inside `net` (which must lie in the documentation ranges)."""
    if not any(net.subnet_of(d) for d in DOC_RANGES if d.version == net.version):
        raise PlanError(f"rule {rule_name!r}: {net} is outside the documentation ranges; "
                        "the lab cannot place a host there")
    hosts = net.hosts() if net.num_addresses > 2 else iter(net)
    for host in itertools.islice(hosts, 1000):  # bounded: a /8 has millions
        if str(host) not in used:
            used.add(str(host))
            return str(host)
    raise PlanError(f"rule {rule_name!r}: no free address in {net} for the lab")


def ports_to_probe(catalogue: Catalogue, ruleset: Ruleset, direction: str) -> list[tuple[str, int]]:
    """Every catalogue port, every port of the table (ranges at both ends, inside and just
    outside), and a fixed sample of ports nothing opens."""
    ports: set[tuple[str, int]] = set(SAMPLE_PORTS)
    ranges = [p for s in catalogue.services.values() for p in s.ports]
    ranges += [p for r in ruleset.rules if r.direction == direction or
               direction == "inbound" and r.direction == PUBLISHED for p in r.ports]
    for port in ranges:
        ports |= {(port.protocol, n) for n in _sample(port)}
    return sorted(ports)


def _sample(port: PortRange) -> list[int]:
    if not port.is_range:
        return [port.first]
    points = [port.first, (port.first + port.last) // 2, port.last, port.first - 1, port.last + 1]
    return [n for n in points if 1 <= n <= 65535]


def verdict(ruleset: Ruleset, direction: str, family: int, peer: str, proto: str, port: int,
            published: list[tuple[str, int]] = ()) -> str:
    """What the table says happens to a new connection: "accept" or "drop".

    `peer` is the client's address (inbound) or the destination (outbound). The first rule
    whose port, protocol and peer match decides; otherwise the chain's default policy does.
    A port in `published` (a container's, on a server that runs Docker) is decided by the
    rules `to: container`; one that none of them names is closed.
    """
    ip = ipaddress.ip_address(peer)
    if direction == "inbound" and (proto, port) in published:
        direction = PUBLISHED
    for rule in ruleset.rules_for(direction, family):
        if not any(p.protocol == proto and p.first <= port <= p.last for p in rule.ports):
            continue
        if rule.peer.placeholder is not None and peer != rule.peer.placeholder.example(family):
            continue
        if rule.peer.network is not None and ip not in rule.peer.network:
            continue
        return rule.action
    if direction == PUBLISHED:
        return "drop"
    return ruleset.policies["input" if direction == "inbound" else "output"]


def crafted_verdict(ruleset: Ruleset, kind: str) -> str:
    """What a crafted packet to an accepted TCP port with nothing listening should get back.

    NULL and XMAS flag combinations are invalid for connection tracking, and every block
    drops INVALID packets: no answer. A lone ACK is a valid mid-stream packet that
    connection tracking takes as NEW: a table that drops new TCP packets without SYN drops
    it; otherwise the port's accept rule lets it in and the closed port answers a reset.
    """
    if kind == "ack":
        return "none" if ruleset.malformed_tcp == "drop" else "rst"
    return "none"
