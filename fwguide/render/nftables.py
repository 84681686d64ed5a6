"""nftables: one `table inet` for both families, loaded with `nft -f` in one transaction.

The file creates its table, deletes it and defines it again, so loading it twice gives the
same ruleset and nothing outside its own table is touched.
"""

from __future__ import annotations

from ..model import MALFORMED_CHECKS, PUBLISHED, PortRange, Rule, Ruleset

TABLE = "firewall"
INDENT = "    "
ND_TYPES = "{ nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert }"
ECHO_LIMIT = "limit rate 5/second burst 10 packets"
HELPER_OBJECTS = {"ftp": "ftp-standard"}
ADDR_TYPE = {4: "ipv4_addr", 6: "ipv6_addr"}
ADDR_MATCH = {4: "ip", 6: "ip6"}
# The interfaces of Docker's networks: its default bridge, and one `br-<id>` per network of
# its own (`docker network create`, compose). Their own outgoing connections are forwarded.
DOCKER_BRIDGES = ("docker0", "br-*")
# nftables writes a rate as a whole number per one of these units.
RATE_UNITS = (("second", 1), ("minute", 60), ("hour", 3600), ("day", 86400))


def render_ruleset(ruleset: Ruleset) -> str:
    """The ruleset as an nftables file, with the reader's values as `define` lines on top."""
    out = ["#!/usr/sbin/nft -f"]
    for family in (4, 6):
        out += [f"define {p.variable(family)} = {p.example(family)}" for p in ruleset.placeholders(family)]
    out += ["", f"table inet {TABLE}", f"delete table inet {TABLE}", "", f"table inet {TABLE} {{"]
    body: list[list[str]] = []
    for rule in ruleset.limited():
        for family in rule.peer.families():
            body.append([f"set {_set_name(ruleset, rule, family)} {{", f"{INDENT}type {ADDR_TYPE[family]}",
                         f"{INDENT}flags dynamic,timeout", f"{INDENT}timeout {rule.limit.seconds}s", "}"])
    helpers = ruleset.helpers()
    for helper in dict.fromkeys(h for h, _ in helpers):
        body.append([f'ct helper {HELPER_OBJECTS[helper]} {{', f'{INDENT}type "{helper}" protocol tcp', "}"])
    if helpers:
        body.append(_chain("prerouting", None, [
            f'{_port_match(port)} ct helper set "{HELPER_OBJECTS[helper]}"' for helper, port in helpers
        ]))
    body.append(_chain("input", ruleset.policies["input"], _input(ruleset)))
    body.append(_chain("forward", ruleset.policies["forward"], _forward(ruleset)))
    body.append(_chain("output", ruleset.policies["output"], _output(ruleset)))
    for i, block in enumerate(body):
        if i:
            out.append("")
        out += [INDENT + line for line in block]
    out.append("}")
    return "\n".join(out) + "\n"


# Helpers


def _chain(name: str, policy: str | None, rules: list[str]) -> list[str]:
    """A base chain hooked at its own name; policy None keeps the default (accept)."""
    head = f"type filter hook {name} priority filter;"
    if policy is not None:
        head += f" policy {policy};"
    return [f"chain {name} {{", INDENT + head, *(INDENT + r for r in rules), "}"]


def _input(ruleset: Ruleset) -> list[str]:
    rules = ['iif "lo" accept']
    if ruleset.malformed_tcp == "drop":
        rules += [_malformed(check) for check in MALFORMED_CHECKS]
    rules += [
        "ct state established,related accept",
        "ct state invalid drop",
        f"icmpv6 type {ND_TYPES} ip6 hoplimit 255 accept",
        "icmpv6 type packet-too-big accept",
        f"icmp type echo-request {ECHO_LIMIT} accept",
        f"icmpv6 type echo-request {ECHO_LIMIT} accept",
    ]
    # Docker's userland proxy answers published ports itself where Docker does not forward
    # (IPv6 with the default bridge): those connections come in here.
    return rules + _rule_lines(ruleset, "inbound", "saddr") + _rule_lines(ruleset, PUBLISHED, "saddr")


def _forward(ruleset: Ruleset) -> list[str]:
    """On a server that runs Docker: every base chain on the forward hook must accept what Docker
    forwards, so this one lets the containers' own connections out, and lets in the published
    ports the table accepts, by the port the connection had before Docker's DNAT."""
    if not ruleset.docker:
        return []
    rules = ["ct state established,related accept", "ct state invalid drop"]
    rules += [f'iifname "{bridge}" accept comment "containers going out"' for bridge in DOCKER_BRIDGES]
    for rule in (r for r in ruleset.rules if r.direction == PUBLISHED):
        for port in rule.ports:
            match = f"meta l4proto {port.protocol} ct original proto-dst {_dport(port)} ct status dnat"
            for peer in _peer_matches(rule, "saddr"):
                lines = " ".join(filter(None, [peer, match]))
                rules.append(f'{lines} {rule.action} comment "{rule.comment}"')
    return rules


def _malformed(check) -> str:
    """Drop one kind of malformed TCP packet (see model.MALFORMED_CHECKS)."""
    _, _, flags, comment = check
    if flags is None:
        return f'tcp flags & (fin|syn|rst|ack) != syn ct state new drop comment "{comment}"'
    return f'tcp flags & (fin|syn|rst|psh|ack|urg) == {flags} drop comment "{comment}"'


def _output(ruleset: Ruleset) -> list[str]:
    rules = []
    if ruleset.policies["output"] == "drop":
        rules = [
            'oif "lo" accept',
            "ct state established,related accept",
            f"icmpv6 type {ND_TYPES} ip6 hoplimit 255 accept",
        ]
    return rules + _rule_lines(ruleset, "outbound", "daddr")


def _rule_lines(ruleset: Ruleset, direction: str, addr_key: str) -> list[str]:
    lines = []
    for rule in (r for r in ruleset.rules if r.direction == direction):
        for port in rule.ports:
            peers = _peer_matches(rule, addr_key)
            if rule.limit is not None:
                for family in rule.peer.families():
                    peer = _peer_matches(rule, addr_key, family)[0]
                    match = " ".join(filter(None, [peer, _port_match(port)]))
                    lines.append(f"{match} ct state new {_limit(ruleset, rule, family)} drop "
                                 f'comment "{rule.comment} limit"')
            for peer in peers:
                match = " ".join(filter(None, [peer, _port_match(port)]))
                lines.append(f'{match} {rule.action} comment "{rule.comment}"')
    return lines


def _set_name(ruleset: Ruleset, rule: Rule, family: int) -> str:
    return f"{ruleset.limit_name(rule)}_v{family}"


def _limit(ruleset: Ruleset, rule: Rule, family: int) -> str:
    """The address's entry in the rule's set, with a token bucket of `connections` new
    connections refilled at `connections` per `seconds`: matches once it is empty."""
    limit = rule.limit
    unit, size = next((u, n) for u, n in RATE_UNITS if limit.connections * n % limit.seconds == 0)
    rate = f"{limit.connections * size // limit.seconds}/{unit}"
    entry = f"{ADDR_MATCH[family]} saddr limit rate over {rate} burst {limit.connections} packets"
    return f"update @{_set_name(ruleset, rule, family)} {{ {entry} }}"


def _peer_matches(rule: Rule, addr_key: str, family: int | None = None) -> list[str]:
    """The address matches of a rule: none for anyone, one per family for a placeholder
    (only `family`'s when given)."""
    if rule.peer.placeholder is not None:
        p = rule.peer.placeholder
        return [f"{ADDR_MATCH[f]} {addr_key} ${p.variable(f)}" for f in (4, 6) if family in (None, f)]
    if rule.peer.network is not None:
        net = rule.peer.network
        return [f"{'ip' if net.version == 4 else 'ip6'} {addr_key} {net}"]
    return [""]


def _dport(port: PortRange) -> str:
    return f"{port.first}-{port.last}" if port.is_range else str(port.first)


def _port_match(port: PortRange) -> str:
    return f"{port.protocol} dport {_dport(port)}"
