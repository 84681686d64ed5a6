"""iptables / ip6tables: a command list for a root shell, and an iptables-restore file.

Both forms come from one list of (table, chain, arguments) rows, so they cannot disagree.
The command list is ordered so that, typed line by line, it never cuts the SSH session in
use: policies open and flush first, loopback and established traffic accepted before any
DROP, default policies closed last.
"""

from __future__ import annotations

import shlex

from ..model import MALFORMED_CHECKS, PUBLISHED, PortRange, Rule, Ruleset

ICMP_ECHO_LIMIT = ["-m", "limit", "--limit", "5/second", "--limit-burst", "10"]
# ICMPv6 neighbour discovery: without it IPv6 stops working under a DROP policy (RFC 4890).
ND_TYPES = (
    "router-solicitation",
    "router-advertisement",
    "neighbour-solicitation",
    "neighbour-advertisement",
)
BUILTIN = {"filter": ("INPUT", "FORWARD", "OUTPUT"), "raw": ("PREROUTING", "OUTPUT")}
# On a server that runs Docker, the chains a block replaces: Docker owns FORWARD and its own
# chains, and evaluates DOCKER-USER first in FORWARD (it creates the chain and the jump at
# each start, and never flushes it). Published connections reach DOCKER-USER after Docker's
# DNAT; the connection's original port (`--ctorigdstport`) is the one the reader published.
DOCKER_USER = "DOCKER-USER"
OTHER_PUBLISHED = "other published ports"


def command_name(family: int) -> str:
    return "iptables" if family == 4 else "ip6tables"


def render_commands(ruleset: Ruleset, family: int) -> str:
    """The ruleset as shell commands, safe to paste into a root shell as they are."""
    cmd = command_name(family)
    lines = [
        f"{p.variable(family)}={p.example(family)}" for p in ruleset.placeholders(family)
    ]
    if ruleset.docker:  # Docker's chains stay, and so does FORWARD's policy (Docker's DROP)
        lines += [f"{cmd} -P {chain} ACCEPT" for chain in ("INPUT", "OUTPUT")]
        lines += [f"{cmd} -F {chain}" for chain in ("INPUT", "OUTPUT")]
        lines.append(f"{cmd} -N {DOCKER_USER} 2>/dev/null || {cmd} -F {DOCKER_USER}")
    else:
        lines += [f"{cmd} -P {chain} ACCEPT" for chain in BUILTIN["filter"]]
        lines += [f"{cmd} -F", f"{cmd} -X"]
    rows = _rows(ruleset, family, lambda p: f'"${p.variable(family)}"')
    if any(table == "raw" for table, _, _ in rows):
        lines.append(f"{cmd} -t raw -F")
    for table, chain, args in rows:
        prefix = [cmd] if table == "filter" else [cmd, "-t", table]
        lines.append(" ".join([*prefix, "-A", chain, *(_shell(a) for a in args)]))
    lines += [
        f"{cmd} -P {chain.upper()} {ruleset.policies[chain.lower()].upper()}"
        for chain in BUILTIN["filter"]
    ]
    return "\n".join(lines) + "\n"


def render_restore(ruleset: Ruleset, family: int) -> str:
    """The ruleset as an iptables-restore file (rules.v4 / rules.v6), applied atomically.

    On a server that runs Docker the file is loaded with `--noflush`, which keeps every chain
    it does not name: declaring DOCKER-USER flushes it (a user chain), and the file flushes the
    built-in chains it fills itself (`-F`), which a declaration only gives their policy."""
    rows = _rows(ruleset, family, lambda p: p.example(family))
    out: list[str] = []
    for table in ("raw", "filter"):
        table_rows = [(chain, args) for t, chain, args in rows if t == table]
        if table == "raw" and not table_rows:
            continue
        out.append(f"*{table}")
        for chain in BUILTIN[table]:
            policy = ruleset.policies[chain.lower()].upper() if table == "filter" else "ACCEPT"
            out.append(f":{chain} {policy} [0:0]")
        if ruleset.docker:
            out += [f":{DOCKER_USER} - [0:0]"] if table == "filter" else []
            out += [f"-F {chain}" for chain in (("INPUT", "OUTPUT") if table == "filter" else ("PREROUTING",))]
        out += [" ".join(["-A", chain, *(_restore_quote(a) for a in args)]) for chain, args in table_rows]
        out.append("COMMIT")
    return "\n".join(out) + "\n"


# Helpers


def _rows(ruleset: Ruleset, family: int, address) -> list[tuple[str, str, list[str]]]:
    """(table, chain, arguments) for every rule of the ruleset, in order; address() renders a placeholder."""
    icmp = ["-p", "icmp", "--icmp-type"] if family == 4 else ["-p", "ipv6-icmp", "--icmpv6-type"]
    rows: list[tuple[str, str, list[str]]] = []
    for helper, port in ruleset.helpers():
        rows.append(("raw", "PREROUTING", [*_port_match(port), "-j", "CT", "--helper", helper]))
    rows.append(("filter", "INPUT", ["-i", "lo", "-j", "ACCEPT"]))
    if ruleset.malformed_tcp == "drop":
        rows += [("filter", "INPUT", _malformed(check)) for check in MALFORMED_CHECKS]
    rows += [
        ("filter", "INPUT", ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"]),
        ("filter", "INPUT", ["-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP"]),
    ]
    if family == 6:
        rows += [("filter", "INPUT", _nd(t)) for t in ND_TYPES]
        rows.append(("filter", "INPUT", [*icmp, "packet-too-big", "-j", "ACCEPT"]))
    rows.append(("filter", "INPUT", [*icmp, "echo-request", *ICMP_ECHO_LIMIT, "-j", "ACCEPT"]))
    rows += _rule_rows(ruleset, ruleset.rules_for("inbound", family), "INPUT", "-s", address)
    if ruleset.policies["output"] == "drop":
        rows += [
            ("filter", "OUTPUT", ["-o", "lo", "-j", "ACCEPT"]),
            ("filter", "OUTPUT", ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"]),
        ]
        if family == 6:
            rows += [("filter", "OUTPUT", _nd(t)) for t in ND_TYPES]
    rows += _rule_rows(ruleset, ruleset.rules_for("outbound", family), "OUTPUT", "-d", address)
    if ruleset.docker:
        rows += _docker_rows(ruleset, family, address)
    return rows


def _docker_rows(ruleset: Ruleset, family: int, address) -> list[tuple[str, str, list[str]]]:
    """The published ports' rules: in DOCKER-USER, where connections Docker forwards to its
    containers pass (replies first, then each published port by its original port, then
    every other published port dropped); and in INPUT, where Docker's userland proxy takes
    the connections it answers itself (IPv6, where the containers have no address)."""
    published = ruleset.rules_for(PUBLISHED, family)
    rows = _rule_rows(ruleset, published, "INPUT", "-s", address)
    rows.append(("filter", DOCKER_USER, ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN"]))
    for rule in published:
        for port in rule.ports:
            rows.append(("filter", DOCKER_USER, [
                *_peer(rule, "-s", address), "-p", port.protocol, "-m", "conntrack", "--ctstate", "DNAT",
                "--ctorigdstport", _dport(port),
                "-m", "comment", "--comment", rule.comment, "-j", "RETURN" if rule.action == "accept" else "DROP",
            ]))
    rows.append(("filter", DOCKER_USER, ["-m", "conntrack", "--ctstate", "DNAT", "-m", "comment", "--comment",
                                         OTHER_PUBLISHED, "-j", "DROP"]))
    rows.append(("filter", DOCKER_USER, ["-j", "RETURN"]))
    return rows


def _malformed(check) -> list[str]:
    """Drop one kind of malformed TCP packet (see model.MALFORMED_CHECKS)."""
    _, flags, _, comment = check
    match = ["--tcp-flags", *flags] if flags else ["!", "--syn", "-m", "conntrack", "--ctstate", "NEW"]
    return ["-p", "tcp", *match, "-m", "comment", "--comment", comment, "-j", "DROP"]


def _nd(icmpv6_type: str) -> list[str]:
    """Accept one neighbour discovery type, only from the link (hop limit 255)."""
    return ["-p", "ipv6-icmp", "--icmpv6-type", icmpv6_type, "-m", "hl", "--hl-eq", "255", "-j", "ACCEPT"]


def _rule_rows(ruleset: Ruleset, rules: list[Rule], chain: str, peer_flag: str,
               address) -> list[tuple[str, str, list[str]]]:
    rows = []
    for rule in rules:
        peer = _peer(rule, peer_flag, address)
        for port in rule.ports:
            if rule.limit is not None:
                rows += [("filter", chain, [*peer, *_port_match(port), *args])
                         for args in _limit(rule, ruleset.limit_name(rule))]
            args = [*peer, *_port_match(port), "-m", "comment", "--comment", rule.comment]
            rows.append(("filter", chain, [*args, "-j", rule.action.upper()]))
    return rows


def _limit(rule: Rule, name: str) -> list[list[str]]:
    """The two matches that come before a limited rule's ACCEPT, as ufw's `limit` writes them:
    every new connection is recorded in the address's list, and an address with more than
    `connections` of them in the last `seconds` has the new one dropped. Refused attempts
    count too, so an address that keeps trying stays blocked until it pauses."""
    limit = rule.limit
    new = ["-m", "conntrack", "--ctstate", "NEW", "-m", "recent", "--name", name]
    return [
        [*new, "--set", "-m", "comment", "--comment", rule.comment],
        [*new, "--update", "--seconds", str(limit.seconds), "--hitcount", str(limit.connections + 1),
         "-m", "comment", "--comment", f"{rule.comment} limit", "-j", "DROP"],
    ]


def _peer(rule: Rule, flag: str, address) -> list[str]:
    """A rule's address match (`-s` or `-d`): none for anyone."""
    if rule.peer.placeholder is not None:
        return [flag, address(rule.peer.placeholder)]
    return [flag, str(rule.peer.network)] if rule.peer.network is not None else []


def _dport(port: PortRange) -> str:
    return f"{port.first}:{port.last}" if port.is_range else str(port.first)


def _port_match(port: PortRange) -> list[str]:
    return ["-p", port.protocol, "--dport", _dport(port)]


def _shell(arg: str) -> str:
    """A shell word; placeholders arrive already written as "$VARIABLE"."""
    if arg.startswith('"$') and arg.endswith('"') or arg == "!":
        return arg  # a lone "!" is never history-expanded
    return shlex.quote(arg)


def _restore_quote(arg: str) -> str:
    """An iptables-restore word: validated text needs quotes only around spaces."""
    return f'"{arg}"' if " " in arg else arg
