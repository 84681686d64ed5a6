"""The validated model: what the loader produces and the renderers read. No I/O here."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

# What the model allows; the loader's error messages quote these.
PROTOCOLS = ("tcp", "udp")
ACTIONS = ("accept", "drop")
DIRECTIONS = ("inbound", "outbound")
HELPERS = ("ftp",)
# How a table treats malformed TCP packets: "conntrack" leaves NULL and XMAS packets to the
# INVALID rule; "drop" also drops them, and new TCP packets without SYN, with explicit rules.
MALFORMED_TCP = ("conntrack", "drop")
# The explicit checks of "drop", in order: (name, iptables --tcp-flags mask and comparison,
# nftables flags and comparison). None marks the "new without SYN" check.
MALFORMED_CHECKS = (
    ("null", ("ALL", "NONE"), "0x0", "NULL packets"),
    ("xmas", ("ALL", "FIN,PSH,URG"), "fin|psh|urg", "XMAS packets"),
    ("all", ("ALL", "ALL"), "fin|syn|rst|psh|ack|urg", "all TCP flags set"),
    ("nosyn", None, None, "new TCP without SYN"),
)
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

    def __str__(self) -> str:
        """As the data files write it: 22/tcp, 60000-61000/udp."""
        return f"{self.first}-{self.last}/{self.protocol}" if self.is_range else f"{self.first}/{self.protocol}"


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
    firewalld: str | None = None  # firewalld's service of the same ports, if it has one


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
    firewalld: str | None = None
    # Where the rule is written in its table's file; not part of what the rule does.
    line: int = field(default=0, compare=False)


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
    malformed_tcp: str | None = None  # None: as the table it extends, else "conntrack"


@dataclass(frozen=True)
class Ruleset:
    """A table resolved with what it extends: the complete firewall one block sets up."""

    table_id: str
    policies: dict[str, str]
    rules: tuple[Rule, ...]
    # The table's own direction, for the policy row of the human table.
    direction: str = "inbound"
    malformed_tcp: str = "conntrack"

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


@dataclass(frozen=True)
class Variant:
    """One tab of a command block: its label (the same words in every language) and text."""

    label: str
    text: str


@dataclass(frozen=True)
class Command:
    """Commands that are not a rule table (listing, saving, recovering), one or more tabs."""

    id: str
    path: str
    line: int
    variants: tuple[Variant, ...]

    @property
    def tabbed(self) -> bool:
        return self.variants[0].label != ""

    def variant(self, label: str = "") -> Variant:
        return next(v for v in self.variants if v.label == label)


@dataclass
class Catalogue:
    """Everything loaded from snippets/: services, placeholders, tables by id."""

    services: dict[str, Service] = field(default_factory=dict)
    placeholders: dict[str, Placeholder] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    commands: dict[str, Command] = field(default_factory=dict)
    # Which file defined the services list, for the catalogue table marker.
    services_path: str = ""

    def chain(self, table_id: str) -> list[Table]:
        """The table and the ones it extends, the farthest first: the order of their rules."""
        chain: list[Table] = []
        current: str | None = table_id
        while current is not None:
            table = self.tables[current]
            chain.append(table)
            current = table.extends
        chain.reverse()
        return chain

    def ruleset(self, table_id: str) -> Ruleset:
        """The complete ruleset of a table: the rules of what it extends first, then its own."""
        chain = self.chain(table_id)
        policies: dict[str, str] = {}
        rules: list[Rule] = []
        malformed = "conntrack"
        for table in chain:
            policies.update(table.policies)
            rules.extend(table.rules)
            malformed = table.malformed_tcp or malformed
        return Ruleset(table_id, policies, tuple(rules), chain[-1].direction, malformed)
