"""ufw (Ubuntu, Debian): commands that set ufw up from scratch for a table.

The block starts with `ufw --force reset`, so it replaces ufw's rules and gives the same
result when run twice; it adds every rule before `ufw --force enable`, so SSH is allowed
before the firewall starts (`--force` skips the confirmation prompt, which would otherwise
swallow the next pasted line). Rules without a source apply to IPv4 and IPv6 alike. What
ufw has no command for (explicit malformed-TCP drops, the FTP conntrack helper) goes into
its rule files, `/etc/ufw/before.rules` and `before6.rules`, which `reset` restores to
their defaults first.
"""

from __future__ import annotations

import shlex

from ..model import MALFORMED_CHECKS, PortRange, Rule, Ruleset

BEFORE_RULES = "/etc/ufw/before.rules /etc/ufw/before6.rules"
# ufw's IPv4 and IPv6 rule files, and the name of the input chain in each.
RULE_FILES = (("/etc/ufw/before.rules", "ufw-before-input"), ("/etc/ufw/before6.rules", "ufw6-before-input"))
# ufw's own rules end their header with this line; ours go right after it.
ANCHOR = "# End required lines"
POLICY = {"accept": "allow", "drop": "deny"}


def obstacles(ruleset: Ruleset) -> list[tuple[Rule | None, str]]:
    """What ufw cannot express, as (rule, reason): a limit other than `ufw limit`'s own fixed
    numbers (model.UFW_LIMIT), and a server that runs Docker: Docker's chains come before
    ufw's in FORWARD, and ufw's `route` rules see a published connection after Docker's DNAT,
    on the container's port. Empty when it can express it all."""
    out: list[tuple[Rule | None, str]] = [(None, "docker")] if ruleset.docker else []
    return out + [(rule, "limit") for rule in ruleset.limited() if not rule.limit.is_ufw]


def render(ruleset: Ruleset) -> str:
    lines = [f"{p.variable(f)}={p.example(f)}" for f in (4, 6) for p in ruleset.placeholders(f)]
    lines.append("ufw --force reset")
    if ruleset.malformed_tcp == "drop":
        # Each `a` command inserts right after the anchor, so the last one written comes first.
        for path, chain in RULE_FILES:
            for check in reversed(MALFORMED_CHECKS):
                lines.append(f"sed -i '/^{ANCHOR}/a {_malformed(check, chain)}' {path}")
    helpers = ruleset.helpers()
    if helpers:
        raw = ["*raw", "-F PREROUTING"]
        raw += [f"-A PREROUTING -p tcp --dport {_port(p, ':')} -j CT --helper {h}" for h, p in helpers]
        raw.append("COMMIT")
        lines.append("printf '%s\\n' " + " ".join(shlex.quote(r) for r in raw)
                     + f" | tee -a {BEFORE_RULES} >/dev/null")
    lines += [
        f"ufw default {POLICY[ruleset.policies['input']]} incoming",
        f"ufw default {POLICY[ruleset.policies['output']]} outgoing",
        f"ufw default {POLICY[ruleset.policies['forward']]} routed",
    ]
    for rule in ruleset.rules:
        lines += _rule_lines(rule)
    lines.append("ufw --force enable")
    return "\n".join(lines) + "\n"


def _malformed(check, chain: str) -> str:
    _, flags, _, comment = check
    match = f"--tcp-flags {' '.join(flags)}" if flags else "! --syn -m conntrack --ctstate NEW"
    return f'-A {chain} -p tcp {match} -m comment --comment "{comment}" -j DROP'


def _rule_lines(rule: Rule) -> list[str]:
    # `ufw limit` accepts, and refuses an address's 6th attempt within 30 seconds.
    verb = ("limit" if rule.limit else POLICY[rule.action]) + (" out" if rule.direction == "outbound" else "")
    far = "from" if rule.direction == "inbound" else "to"
    peers: list[str | None]
    if rule.peer.placeholder is not None:
        peers = [f'"${rule.peer.placeholder.variable(f)}"' for f in (4, 6)]
    elif rule.peer.network is not None:
        peers = [str(rule.peer.network)]
    else:
        peers = [None]
    comment = f"comment {shlex.quote(rule.comment)}"
    lines = []
    for port in rule.ports:
        for peer in peers:
            if peer is None:
                lines.append(f"ufw {verb} {_port(port, ':')}/{port.protocol} {comment}")
            elif rule.direction == "inbound":
                lines.append(f"ufw {verb} {far} {peer} to any port {_port(port, ':')} proto {port.protocol} {comment}")
            else:
                lines.append(f"ufw {verb} {far} {peer} port {_port(port, ':')} proto {port.protocol} {comment}")
    return lines


def _port(port: PortRange, sep: str) -> str:
    return f"{port.first}{sep}{port.last}" if port.is_range else str(port.first)
