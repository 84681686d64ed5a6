"""The validated model: what the loader produces and the renderers read. No I/O here."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

# What the model allows; the loader's error messages quote these.
PROTOCOLS = ("tcp", "udp")
ACTIONS = ("accept", "drop")
DIRECTIONS = ("inbound", "outbound")
# Where an inbound rule's traffic goes: the server itself, or a port a Docker container
# publishes (`docker run -p`). A rule `to: container` has the direction PUBLISHED in the model:
# Docker sends that traffic on another path (DNAT, then FORWARD), so it is filtered elsewhere.
TARGETS = ("host", "container")
PUBLISHED = "published"
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
# A per-source limit on new connections. connections + 1 is iptables' `recent --hitcount`,
# which xt_recent caps at the 20 packets it remembers per address (ip_pkt_list_tot).
LIMIT_CONNECTIONS = (1, 19)
LIMIT_SECONDS = (1, 86400)
# ufw's `limit` has fixed numbers: it refuses the 6th attempt within 30 seconds (ufw(8)).
UFW_LIMIT = (5, 30)
# The front-ends a table may require a tab in (`required_tabs:`); the others are always there.
OPTIONAL_TABS = ("ufw", "firewalld")
# The headings the builder page lists the catalogue's services under, in order.
GROUPS = ("web", "mail", "name-server", "file-transfer", "administration")

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
class Limit:
    """At most `connections` new connections from one address in `seconds` seconds; more are
    dropped. Only on an inbound TCP rule that accepts."""

    connections: int
    seconds: int
    line: int = field(default=0, compare=False)  # where `limit:` is written

    @property
    def is_ufw(self) -> bool:
        return (self.connections, self.seconds) == UFW_LIMIT


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
    group: str | None = None  # where the builder page lists it (GROUPS)
    line: int = field(default=0, compare=False)  # where it is written in the services file


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
    """One row of a table: traffic to these ports, from/to this peer, gets this action.
    `direction` is inbound, outbound, or PUBLISHED (inbound to a container's published port)."""

    direction: str
    name: str
    label: dict[str, str]
    ports: tuple[PortRange, ...]
    peer: Peer
    action: str
    comment: str
    helper: str | None = None
    firewalld: str | None = None
    limit: Limit | None = None
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
    # Front-ends (OPTIONAL_TABS) the table must have a tab in: a rule none of them can
    # express fails the build instead of silently losing the tab.
    required_tabs: tuple[str, ...] = ()
    required_line: int = 0
    # The server runs Docker (`docker: true`); False: as the table it extends, else no.
    docker: bool = False
    docker_line: int = 0


@dataclass(frozen=True)
class Ruleset:
    """A table resolved with what it extends: the complete firewall one block sets up."""

    table_id: str
    policies: dict[str, str]
    rules: tuple[Rule, ...]
    # The table's own direction, for the policy row of the human table.
    direction: str = "inbound"
    malformed_tcp: str = "conntrack"
    required_tabs: tuple[str, ...] = ()
    # The server runs Docker: the blocks keep Docker's chains and filter published ports.
    docker: bool = False

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

    def limited(self) -> list[Rule]:
        """The rules that carry a per-source limit, in order."""
        return [r for r in self.rules if r.limit is not None]

    def limit_name(self, rule: Rule) -> str:
        """The name of a limited rule's list of addresses (iptables' `recent --name`, the base
        of nftables' set names): from its comment, unique in the ruleset."""
        names: dict[int, str] = {}
        for other in self.limited():
            base = "limit_" + re.sub(r"[^a-z0-9]+", "_", other.comment.lower()).strip("_")
            name, n = base, 2
            while name in names.values():
                name, n = f"{base}_{n}", n + 1
            names[id(other)] = name
        return names[id(rule)]

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
        required: dict[str, None] = {}
        for table in chain:
            policies.update(table.policies)
            rules.extend(table.rules)
            malformed = table.malformed_tcp or malformed
            required.update(dict.fromkeys(table.required_tabs))
        docker = any(table.docker for table in chain)
        return Ruleset(table_id, policies, tuple(rules), chain[-1].direction, malformed, tuple(required), docker)

    def rule_path(self, table_id: str, rule: Rule) -> str:
        """The file a rule of a table's ruleset is written in (its own, or one it extends)."""
        return next(t.path for t in self.chain(table_id) if any(r is rule for r in t.rules))
