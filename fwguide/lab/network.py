"""A scripted lab for multi-step checks: the scenario's network, with the server sandboxed.

`Network` builds the same namespaces, links and listeners as a scenario, then leaves the
steps to the caller: apply this, probe that, run a command, probe again. The server's
commands run in a `Sandbox`, so they never touch the host's files.
"""

from __future__ import annotations

import time

from ..model import Catalogue
from . import plan as planning, timing
from .netns import Agent, Lab
from .roots import lab_root
from .sandbox import Sandbox
from .scenario import _create, _link, _ready_agents, _start_listeners


class Network:
    """The scenario's namespaces for one table, with listeners up and the server sandboxed.

    With `release`, the server's commands run with that Debian release's tools, in a fresh
    overlay of its root (`backend` then selects the iptables backend, as a reader does; with
    `docker`, the root of a server that runs Docker); without, with the host's tools."""

    def __init__(self, lab: Lab, catalogue: Catalogue, table_id: str, release: str | None = None,
                 backend: str | None = None, docker: bool = False) -> None:
        self.lab = lab
        self.release = release
        self.backend = backend
        self.ruleset = catalogue.ruleset(table_id)
        self.plan = planning.make_plan(catalogue, self.ruleset, (4, 6))
        self.hosts = _create(lab, self.plan)
        _link(lab, self.plan, self.hosts)
        self.agents: dict[str, Agent] = _ready_agents(lab, self.hosts)
        _start_listeners(self.agents, self.plan)
        self.root = lab_root(release, docker).path if release else None
        self.server = Sandbox(lab, self.hosts[planning.SERVER_ROLE], self.root, backend)

    def fresh_server(self, role: str = "fresh") -> Sandbox:
        """Another server namespace, unlinked, with a fresh sandbox of the same tools: a
        machine after a reboot, to check that what was kept comes back."""
        return Sandbox(self.lab, self.lab.add(role), self.root, self.backend)

    def address(self, role: str, family: int) -> str:
        if role == planning.SERVER_ROLE:
            return planning.SERVER[family][0]
        return next(c for c in self.plan.clients if c.role == role).addrs[family]

    def probe(self, client: str, family: int, port: int, proto: str = "tcp", timeout: float = 0.3) -> str:
        """One connection from a client to the server: open, timeout, refused..."""
        target = [planning.SERVER[family][0], proto, port]
        wall, start = time.time(), time.monotonic()
        result = self.agents[client].call({"op": "probe", "targets": [target], "timeout": timeout})["results"][0]
        # A probe that waited out its timeout spent it in real time (the breakdown's "window").
        timing.record("window" if result == "timeout" else "probes", "probe 1", wall, time.monotonic() - start)
        return result

    @timing.timed("probes")
    def reachable(self, port: int, timeout: float = 0.3) -> dict[tuple[str, int], str]:
        """The result of one TCP port from every client, both families, all at once."""
        for client in self.plan.clients:
            targets = [[planning.SERVER[f][0], "tcp", port] for f in (4, 6)]
            self.agents[client.role].send({"op": "probe", "targets": targets, "timeout": timeout})
        out = {}
        for client in self.plan.clients:
            for family, result in zip((4, 6), self.agents[client.role].receive()["results"], strict=True):
                out[(client.role, family)] = result
        return out

    @timing.timed("probes")
    def burst(self, client: str, family: int, port: int, count: int, timeout: float = 0.3) -> list[str]:
        """`count` new TCP connections from one client to the server, all sent at once."""
        target = [planning.SERVER[family][0], "tcp", port]
        return self.agents[client].call({"op": "probe", "targets": [target] * count, "timeout": timeout})["results"]

    def session(self, client: str, family: int, port: int, timeout: float = 2.0) -> int:
        """A TCP connection from a client to the server, kept open (the server echoes on it)."""
        reply = self.agents[client].call({"op": "session", "addr": planning.SERVER[family][0], "port": port,
                                          "timeout": timeout})
        if reply["result"] != "open":
            raise AssertionError(f"{client} IPv{family} could not open a session to port {port}: {reply['result']}")
        return reply["id"]

    def echo(self, client: str, session: int, timeout: float = 2.0) -> str:
        """Bytes sent on a kept session: "echoed" when they came back."""
        return self.agents[client].call({"op": "echo", "id": session, "timeout": timeout})["result"]
