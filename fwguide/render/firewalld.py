"""firewalld (RHEL, Rocky, Alma Linux, Fedora): runtime commands for a table.

Every command changes the runtime configuration only, so `firewall-cmd --reload` undoes
them all until they are made permanent with `firewall-cmd --runtime-to-permanent`. The
rules go into firewalld's `drop` zone, whose target drops what no rule accepts; binding
every source address to that zone, last, makes it apply to all traffic at once, after
SSH is already allowed in it. firewalld services are used where the catalogue names one
(`dns` opens TCP and UDP), ports otherwise, rich rules for a source address. firewalld
has no zone or rich-rule command that matches TCP flags: a table that drops malformed TCP
packets explicitly gets no firewalld tab. Its direct interface could carry them, but
firewalld's own documentation marks it deprecated.
"""

from __future__ import annotations

from ..model import PortRange, Rule, Ruleset

ZONE = "drop"
CMD = f"firewall-cmd --zone={ZONE}"


def obstacles(ruleset: Ruleset) -> list[tuple[Rule | None, str]]:
    """What firewalld cannot express in a ruleset, as (rule or None, reason): its zones filter
    incoming traffic only, and its rich rules' `limit` counts every source together, with no
    per-address form. It matches no TCP flags, so it cannot drop malformed TCP packets
    explicitly. A server that runs Docker: Docker's own nat and filter rules decide its
    published ports before firewalld's zones see them. Empty when it can express it all."""
    out: list[tuple[Rule | None, str]] = [(None, "docker")] if ruleset.docker else []
    if ruleset.malformed_tcp == "drop":
        out.append((None, "malformed"))
    if ruleset.policies["output"] != "accept" or any(r.direction == "outbound" for r in ruleset.rules):
        out.append((next((r for r in ruleset.rules if r.direction == "outbound"), None), "outbound"))
    out += [(rule, "limit") for rule in ruleset.limited()]
    return out


def render(ruleset: Ruleset) -> str:
    lines = [f"{p.variable(f)}={p.example(f)}" for f in (4, 6) for p in ruleset.placeholders(f)]
    # One command for every service open to all, one for every port open to all (firewall-cmd
    # refuses --add-service and --add-port together), then one per rich rule, in table order.
    services: list[str] = []
    ports: list[str] = []
    for rule in ruleset.rules:
        if rule.peer.is_any and rule.action == "accept":
            if rule.firewalld:
                services.append(f"--add-service={rule.firewalld}")
            else:
                ports += [f"--add-port={_port(p)}/{p.protocol}" for p in rule.ports]
    lines += [f"{CMD} " + " ".join(opened) for opened in (services, ports) if opened]
    for rule in ruleset.rules:
        if not (rule.peer.is_any and rule.action == "accept"):
            lines += _rich_rules(rule)
    lines.append(f"{CMD} --add-source=0.0.0.0/0 --add-source=::/0")
    return "\n".join(lines) + "\n"


def _rich_rules(rule: Rule) -> list[str]:
    if rule.peer.placeholder is not None:
        sources = [(f"ipv{f}", f"${rule.peer.placeholder.variable(f)}") for f in (4, 6)]
    elif rule.peer.network is not None:
        sources = [(f"ipv{rule.peer.network.version}", str(rule.peer.network))]
    else:
        sources = [(None, None)]
    what = [f"service name={rule.firewalld}"] if rule.firewalld else [
        f"port port={_port(p)} protocol={p.protocol}" for p in rule.ports
    ]
    lines = []
    for family, address in sources:
        head = f"rule family={family} source address={address}" if family else "rule"
        lines += [f'{CMD} --add-rich-rule="{head} {w} {rule.action}"' for w in what]
    return lines


def _port(port: PortRange) -> str:
    return f"{port.first}-{port.last}" if port.is_range else str(port.first)
