"""The validated model: what the loader produces and the renderers read. No I/O here."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

# What the model allows; the loader's error messages quote these.
PROTOCOLS = ("tcp", "udp")
ACTIONS = ("accept", "drop")
DIRECTIONS = ("inbound", "outbound")
HELPERS = ("ftp",)
CHAINS = ("input", "forward", "output")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class PortRange:
    """One port or an inclusive range of ports on one protocol."""

    first: int
    last: int
    protocol: str

    @property
    def is_range(self) -> bool:
        return self.last != self.first


@dataclass(frozen=True)
class Placeholder:
    """A value the reader fills in (their admin address), with documentation-range examples."""

    id: str
    label: dict[str, str]
    ipv4: ipaddress.IPv4Address
    ipv6: ipaddress.IPv6Address

    def variable(self, family: int) -> str:
        """The shell / nftables variable name holding this placeholder for one family."""
        return f"{self.id.upper()}_IPV{family}"

    def example(self, family: int) -> str:
        return str(self.ipv4 if family == 4 else self.ipv6)


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    ports: tuple[PortRange, ...]
    label: dict[str, str]
    helper: str | None = None


@dataclass(frozen=True)
class Peer:
    """The far end of a rule: anyone, a placeholder the reader fills in, or a fixed network."""

    placeholder: Placeholder | None = None
    network: Network | None = None

    @property
    def is_any(self) -> bool:
        return self.placeholder is None and self.network is None

    def families(self) -> tuple[int, ...]:
        """The IP families (4, 6) a rule with this peer applies to."""
        if self.network is not None:
            return (self.network.version,)
        return (4, 6)


@dataclass(frozen=True)
class Rule:
    """One row of a table: traffic to these ports, from/to this peer, gets this action."""

    direction: str
    name: str
    label: dict[str, str]
    ports: tuple[PortRange, ...]
    peer: Peer
    action: str
    comment: str
    helper: str | None = None


@dataclass(frozen=True)
class Table:
    """A table as written in one data file (its own rules only)."""

    id: str
    path: str
    line: int
    direction: str
    policies: dict[str, str]
    rules: tuple[Rule, ...]
    extends: str | None = None


@dataclass(frozen=True)
class Ruleset:
    """A table resolved with what it extends: the complete firewall one block sets up."""

    table_id: str
    policies: dict[str, str]
    rules: tuple[Rule, ...]
    # The table's own direction, for the policy row of the human table.
    direction: str = "inbound"

    def rules_for(self, direction: str, family: int) -> list[Rule]:
        return [r for r in self.rules if r.direction == direction and family in r.peer.families()]

    def placeholders(self, family: int | None = None) -> list[Placeholder]:
        """The placeholders the ruleset uses, in order of first use, one family or both."""
        seen: dict[str, Placeholder] = {}
        for rule in self.rules:
            p = rule.peer.placeholder
            if p is not None and (family is None or family in rule.peer.families()):
                seen.setdefault(p.id, p)
        return list(seen.values())

    def helpers(self) -> list[tuple[str, PortRange]]:
        """(helper, port) pairs that need a conntrack helper attached, deduplicated, in order."""
        out: list[tuple[str, PortRange]] = []
        for rule in self.rules:
            if rule.helper:
                for port in rule.ports:
                    if (rule.helper, port) not in out:
                        out.append((rule.helper, port))
        return out


@dataclass
class Catalogue:
    """Everything loaded from snippets/: services, placeholders, tables by id."""

    services: dict[str, Service] = field(default_factory=dict)
    placeholders: dict[str, Placeholder] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    # Which file defined the services list, for the catalogue table marker.
    services_path: str = ""

    def ruleset(self, table_id: str) -> Ruleset:
        """The complete ruleset of a table: the rules of what it extends first, then its own."""
        chain: list[Table] = []
        current: str | None = table_id
        while current is not None:
            table = self.tables[current]
            chain.append(table)
            current = table.extends
        chain.reverse()
        policies: dict[str, str] = {}
        rules: list[Rule] = []
        for table in chain:
            policies.update(table.policies)
            rules.extend(table.rules)
        return Ruleset(table_id, policies, tuple(rules), chain[-1].direction)
