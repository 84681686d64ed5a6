"""Dead rules: a rule that can never decide anything, because earlier rules already decide all
the traffic it matches. In a ruleset the first matching rule decides, accept or drop alike, and
the rules of the tables a table extends come first.

A later rule is dead when, for each IP family it applies to, the earlier rules whose peer
covers its peer together match every port it matches. A peer covers another when it matches
every address the other can stand for: "any" covers every peer; a network covers the networks
inside it, and as 0.0.0.0/0 or ::/0 every peer of its family; a placeholder covers itself only
(the reader's address is not known here, so only what is certainly dead is reported).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .errors import DataError
from .model import Catalogue, Peer, Rule, Table


def check_dead_rules(catalogue: Catalogue) -> None:
    """Raise DataError at the first rule of a table that earlier rules leave nothing to decide."""
    for table in catalogue.tables.values():
        decided: dict[tuple[str, int], _Decided] = {}
        rules = [(owner, rule) for owner in catalogue.chain(table.id) for rule in owner.rules]
        for position, (owner, rule) in enumerate(rules):
            parts = [decided.setdefault((rule.direction, f), _Decided(f)) for f in rule.peer.families()]
            if owner is table and all(part.decides(rule) for part in parts):
                raise _dead(table, rule, [d for part in parts for d in part.deciders(rule)])
            for part in parts:
                part.add(position, owner, rule)


def _dead(table: Table, rule: Rule, deciders: list[tuple[int, Table, Rule]]) -> DataError:
    deciders = sorted({d[0]: d for d in deciders}.values(), key=lambda d: d[0])
    places = [f"line {r.line}" if t is table else f"{t.path}:{r.line}" for _, t, r in deciders]
    if len(places) == 1:
        earlier = f"the rule at {places[0]} already decides"
    else:
        earlier = f"the rules at {', '.join(places[:-1])} and {places[-1]} already decide"
    if all(t is table for _, t, _ in deciders):
        advice = f"remove it, or put it above line {deciders[0][2].line}"
    else:
        advice = "remove it: the rules of the tables it extends come first"
    ends = "to" if rule.direction == "outbound" else "from"
    traffic = f"{', '.join(str(p) for p in rule.ports)} {ends} {_peer(rule.peer)}"
    return DataError(
        table.path, rule.line, f"rule '{rule.name}' ({traffic}) never applies: {earlier} this traffic ({advice})"
    )


def _peer(peer: Peer) -> str:
    if peer.placeholder is not None:
        return peer.placeholder.id
    return str(peer.network) if peer.network is not None else "anyone"


class _Spans:
    """Sorted, disjoint port intervals of one protocol, merged as they are added."""

    def __init__(self):
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, first: int, last: int) -> None:
        i = bisect_left(self.ends, first - 1)  # the first interval touching or after [first, last]
        j = bisect_right(self.starts, last + 1)  # past the last one touching or before it
        if i < j:
            first, last = min(first, self.starts[i]), max(last, self.ends[j - 1])
        self.starts[i:j] = [first]
        self.ends[i:j] = [last]

    def reach(self, port: int) -> int:
        """The last port of the interval holding `port`; port - 1 when none holds it."""
        i = bisect_right(self.starts, port) - 1
        return self.ends[i] if i >= 0 and self.ends[i] >= port else port - 1


def _covered(first: int, last: int, spans: list[_Spans]) -> bool:
    """Whether the intervals of all `spans` together hold every port from first to last."""
    port = first
    while port <= last:
        reach = max((s.reach(port) for s in spans), default=port - 1)
        if reach < port:
            return False
        port = reach + 1
    return True


@dataclass
class _Peers:
    """The rules so far of one peer: the ports they match, and the rules for the message."""

    spans: dict[str, _Spans] = field(default_factory=dict)
    rules: list[tuple[int, Table, Rule]] = field(default_factory=list)


class _Decided:
    """What the rules so far decide in one direction and IP family, by peer.

    A network is keyed by its prefix length and prefix, so the networks that hold another are
    found by lookup, not by comparing every pair of rules."""

    def __init__(self, family: int):
        self.family = family
        self.bits = 32 if family == 4 else 128
        self.peers: dict[tuple, _Peers] = {}
        self.prefix_lengths: set[int] = set()

    def _network_key(self, peer: Peer, length: int) -> tuple[int, int]:
        return length, int(peer.network.network_address) >> (self.bits - length)

    def _key(self, peer: Peer) -> tuple:
        if peer.network is not None:
            return self._network_key(peer, peer.network.prefixlen)
        return ("any",) if peer.is_any else ("placeholder", peer.placeholder.id)

    def _covering(self, peer: Peer) -> list[_Peers]:
        """The recorded peers that match every address `peer` can stand for."""
        keys: list[tuple] = [("any",), (0, 0)]
        if peer.placeholder is not None:
            keys.append(("placeholder", peer.placeholder.id))
        elif peer.network is not None:
            keys += [self._network_key(peer, n) for n in self.prefix_lengths if 0 < n <= peer.network.prefixlen]
        return [self.peers[k] for k in keys if k in self.peers]

    def add(self, position: int, table: Table, rule: Rule) -> None:
        if rule.peer.network is not None:
            self.prefix_lengths.add(rule.peer.network.prefixlen)
        recorded = self.peers.setdefault(self._key(rule.peer), _Peers())
        for port in rule.ports:
            recorded.spans.setdefault(port.protocol, _Spans()).add(port.first, port.last)
        recorded.rules.append((position, table, rule))

    def decides(self, rule: Rule) -> bool:
        covering = self._covering(rule.peer)
        return all(
            _covered(p.first, p.last, [c.spans[p.protocol] for c in covering if p.protocol in c.spans])
            for p in rule.ports
        )

    def deciders(self, rule: Rule) -> list[tuple[int, Table, Rule]]:
        """The earlier rules that decide some of `rule`'s traffic, with their positions."""
        return [
            recorded
            for covering in self._covering(rule.peer)
            for recorded in covering.rules
            if any(e.protocol == p.protocol and e.first <= p.last and p.first <= e.last
                   for e in recorded[2].ports for p in rule.ports)
        ]
