"""One scenario: build the lab, apply one block exactly as a reader pastes it, probe, compare.

    server ─┐                       (the VPS: the block is applied here)
            ├─ internet ─┬─ client-admin   (a placeholder's example address)
            │            └─ anyone         (an address no rule names)
            └─ (the internet namespace also answers the server's outbound connections)

Order: build → crafted packets and probes with no firewall (the positive control: the lab
works, every port answers, closed ports reset) → apply the block → flush neighbour caches
(IPv6 must then rediscover its neighbours through the firewall) → the same probes again,
compared with the table → the block applied a second time: the ruleset must not change
(a reader who pastes it twice gets what one paste gives).

The server's commands run in a sandbox: with a release's root (`Scenario.release`), a fresh
overlay of that Debian release's root filesystem, so only the release's tools apply the
block; the lab's own agents (listeners, probes, crafted packets) run outside it.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import asdict, dataclass, field, replace

from ..loader import load_catalogue
from ..model import Catalogue
from ..render.markdown import Frontend, frontends
from . import plan as planning, timing
from .docker import DockerHost
from .netns import Agent, Lab, LabError, Namespace
from .roots import lab_root
from .sandbox import Sandbox

DEFAULT_TIMEOUT = 0.3  # seconds a dropped probe is given before it counts as blocked
CONTROL_TIMEOUT = 3.0  # seconds the positive control (no firewall, everything answers) may take
REACHED = "open"
COUNTER_RE = re.compile(r"counter packets \d+ bytes \d+")
# The addresses a dynamic set learnt from the probes (a per-source limit's): state, not rules.
ELEMENTS_RE = re.compile(r"\n\s*elements = \{[^}]*\}")
BLOCKED = ("timeout", "denied")


@dataclass
class Scenario:
    """One block on one table: what `run_scenario` applies and probes."""

    table: str
    frontend: str
    block: str
    backend: str | None = None  # "nft" or "legacy" for the iptables front-ends
    snippets: str = "snippets"
    timeout: float = DEFAULT_TIMEOUT
    # The Debian release whose tools apply the block (releases.toml); None: the host's own.
    release: str | None = None
    # A server that runs Docker: the container on a network of its own (a br-<id> bridge, as
    # compose makes), not on Docker's default bridge; None: the default bridge.
    docker_network: str | None = None

    @property
    def name(self) -> str:
        return "/".join(x for x in (self.table, self.frontend, self.backend, self.release) if x)


@dataclass
class Probe:
    direction: str  # inbound: client -> server; outbound: server -> target
    peer: str  # the client or target role
    family: int
    proto: str
    port: int
    expected: str  # accept / drop, from the table
    control: str = ""  # result with no firewall
    observed: str = ""  # result with the block applied
    # On a server that runs Docker, when the probe ran: "" after the block was applied to the
    # running Docker host, "restart" after dockerd restarted, "again" after the block was
    # applied a second time, "boot" with the block in place before dockerd started.
    phase: str = ""

    @property
    def ok(self) -> bool:
        if self.expected == "accept":
            return self.observed == REACHED
        return self.observed in BLOCKED


@dataclass
class Crafted:
    peer: str
    family: int
    port: int
    kind: str  # null / xmas / ack
    expected: str  # rst / none
    control: str = ""
    observed: str = ""


@dataclass
class Outgoing:
    """A container's own connection out to the internet (TCP) or to its DNS server (UDP)."""

    phase: str  # "control", or a probe phase
    address: str
    proto: str
    port: int
    reached: bool


@dataclass
class Report:
    scenario: Scenario
    probes: list[Probe] = field(default_factory=list)
    crafted: list[Crafted] = field(default_factory=list)
    # The server's ruleset after one application, then after a second one.
    dumps: list[str] = field(default_factory=list)
    apply_errors: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # On a server that runs Docker: a container's own outgoing connections, per phase.
    containers: list[Outgoing] = field(default_factory=list)

    def control_failures(self) -> list[str]:
        """Where the lab itself did not work without a firewall (so no verdict can be trusted)."""
        out = [f"control: {_probe_name(p)} got {p.control}, not {REACHED}" for p in self.probes if p.control != REACHED]
        out += [f"control: {c.kind} to {c.peer} v{c.family} port {c.port} got {c.control}, not rst"
                for c in self.crafted if c.control != "rst"]
        out += [f"control: a container cannot reach {c.address} {c.port}/{c.proto}"
                for c in self.containers if c.phase == "control" and not c.reached]
        return out

    def general_failures(self) -> list[str]:
        """Failures that are not one probe: the lab, the controls, applying, idempotence."""
        if self.control_failures():
            return self.control_failures()  # nothing after a failed control means anything
        out = [f"apply: {e}" for e in self.apply_errors]
        out += [f"{_phase(c.phase)}a container cannot reach {c.address} {c.port}/{c.proto}"
                for c in self.containers if c.phase != "control" and not c.reached]
        if len(self.dumps) == 2 and _docker_chains_sorted(self.dumps[0]) != _docker_chains_sorted(self.dumps[1]):
            out.append("applying the block twice does not give the same ruleset as applying it once")
        return out

    def failures(self) -> list[str]:
        """Every way the block did not behave as its table says; empty when it did."""
        out = self.general_failures()
        if self.control_failures():
            return out
        out += [f"{_probe_name(p)}: table says {p.expected}, observed {p.observed}" for p in self.probes if not p.ok]
        out += [f"crafted {c.kind} to {c.peer} v{c.family} port {c.port}: expected {c.expected}, observed {c.observed}"
                for c in self.crafted if c.observed != c.expected]
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        data = dict(data)
        data["scenario"] = Scenario(**data["scenario"])
        data["probes"] = [Probe(**p) for p in data["probes"]]
        data["crafted"] = [Crafted(**c) for c in data["crafted"]]
        data["containers"] = [Outgoing(**c) for c in data.get("containers", [])]
        return cls(**data)


def _probe_name(p: Probe) -> str:
    arrow = f"{p.peer} -> server" if p.direction == "inbound" else f"server -> {p.peer}"
    return f"{_phase(p.phase)}{arrow} IPv{p.family} {p.port}/{p.proto}"


PHASES = {"control": "with no firewall", "restart": "after dockerd restarted",
          "again": "after the block was applied again", "boot": "with the block in place before dockerd started"}


def _phase(phase: str) -> str:
    """How a failure names its phase on a server that runs Docker: '' for the first one."""
    return f"{PHASES[phase]}: " if phase else ""


def frontend_by_label(label: str) -> Frontend:
    for frontend in frontends():
        if frontend.label == label:
            return frontend
    raise LabError(f"unknown front-end {label!r}")


@timing.timed("scenario")
def run_scenario(scenario: Scenario, catalogue: Catalogue | None = None) -> Report:
    """Run one scenario in this process (root, or inside the runner's user namespace)."""
    if catalogue is None:
        catalogue = load_catalogue(scenario.snippets)
    frontend = frontend_by_label(scenario.frontend)
    if frontend.uses_iptables and scenario.backend is None:
        raise LabError(f"{scenario.name}: an iptables front-end needs a backend (nft or legacy)")
    ruleset = catalogue.ruleset(scenario.table)
    plan = planning.make_plan(catalogue, ruleset, frontend.families)
    if ruleset.docker:
        return _run_docker(scenario, frontend, ruleset, plan)
    report = Report(scenario)
    clock = time.monotonic()
    with Lab() as lab:
        hosts = _create(lab, plan)
        crafter_role, crafted_port = _crafted_target(ruleset, plan)
        crafter = lab.agent(hosts[crafter_role]) if crafted_port else None
        _link(lab, plan, hosts)
        report.timings["build"] = _lap(clock)
        agents = _ready_agents(lab, hosts, crafter)
        _start_listeners(agents, plan)
        # The server runs the block in a sandbox: it may write /etc (ufw) or need a daemon
        # (firewalld), and neither may touch the host's files.
        if scenario.release:  # a fresh overlay on the release's root
            server = Sandbox(lab, hosts[planning.SERVER_ROLE], lab_root(scenario.release).path, scenario.backend)
            env = None
        else:
            server = Sandbox(lab, hosts[planning.SERVER_ROLE])
            env = {"PATH": lab.backend_path(scenario.backend)} if scenario.backend else None
        _probe_server(lab, hosts, agents, crafter, crafter_role, crafted_port, server, frontend, env, scenario,
                      ruleset, plan, report, clock)
        if report.control_failures():
            return report
        # Pasted twice: the second time must leave the ruleset as the first left it.
        report.dumps.append(dump(server, frontend, env))
        _apply(server, frontend, ruleset, scenario.block, env, report)
        report.dumps.append(dump(server, frontend, env))
        report.timings["again"] = _lap(clock)
    report.timings["teardown"] = _lap(clock)
    return report


def _probe_server(lab, hosts, agents, crafter, crafter_role, crafted_port, server: Sandbox, frontend: Frontend,
                  env, scenario: Scenario, ruleset, plan: planning.Plan, report: Report, clock: float) -> None:
    """The control round, the block applied to the server, the probes compared with the table."""
    report.probes = _probes(ruleset, plan)
    report.crafted = [
        Crafted(crafter_role, family, crafted_port, kind, planning.crafted_verdict(ruleset, kind))
        for family in plan.families for kind in planning.CRAFTED_KINDS
    ] if crafted_port else []
    report.timings["start"] = _lap(clock)

    # Without a firewall every probe answers, and a round ends with its last answer: a longer
    # deadline costs nothing when the lab works, and keeps a loaded machine from failing it.
    _round(agents, crafter, plan, report, "control", max(scenario.timeout, CONTROL_TIMEOUT))
    report.timings["control"] = _lap(clock)
    if report.control_failures():
        return
    if frontend.daemon:  # after the control round: a running firewalld already filters
        start_daemon(server, frontend.daemon)
    _apply(server, frontend, ruleset, scenario.block, env, report, clean=True)
    for ns in (hosts[planning.SERVER_ROLE], hosts[planning.INTERNET_ROLE]):
        lab.batch(ns, ["neigh flush all"])  # both families
    report.timings["apply"] = _lap(clock)
    _round(agents, crafter, plan, report, "observed", scenario.timeout)
    report.timings["probe"] = _lap(clock)


@timing.timed("scenario")
def run_usual_on_docker(scenario: Scenario, published: list[tuple[str, int]],
                        catalogue: Catalogue | None = None, boot: bool = True, restart: bool = False) -> Report:
    """A block written for a server without Docker (or a procedure), on one that runs it, with a
    container publishing `published`: applied while Docker runs, then (`restart`) once dockerd
    restarted, and (`boot`) in place before dockerd starts. The probes' `expected` is the
    table's word for the server's own ports, which published ones do not have: what matters here
    is what is observed (tests/test_docker.py)."""
    catalogue = catalogue or load_catalogue(scenario.snippets)
    frontend = frontend_by_label(scenario.frontend)
    ruleset = catalogue.ruleset(scenario.table)
    plan = planning.make_plan(catalogue, ruleset, frontend.families)
    plan.published = sorted(published)
    plan.inbound_ports = sorted(set(plan.inbound_ports) | set(published))
    return _run_docker(scenario, frontend, ruleset, plan, usual=(boot, restart))


def _run_docker(scenario: Scenario, frontend: Frontend, ruleset, plan: planning.Plan,
                usual: tuple[bool, bool] | None = None) -> Report:
    """A server that runs Docker, with a container publishing the plan's ports: the block applied
    while Docker runs (after the control round), probed; dockerd restarted, probed; the block
    applied again, probed. Then, on a new server, the block in place before dockerd starts (as at
    boot), probed. Each time, a container must still reach the internet and its DNS server.

    `usual` (boot, restart): a block that does not know Docker, as a reader's server runs it:
    a front-end's daemon (firewalld) runs before dockerd starts, whatever the order; after the
    first probes, only a restart of dockerd, and the boot order, if asked for."""
    if scenario.release is None:
        raise LabError(f"{scenario.name}: a server that runs Docker needs a release's root (Scenario.release)")
    root = lab_root(scenario.release, docker=True).path
    report = Report(scenario)
    report.probes = _probes(ruleset, plan)
    base = list(report.probes)
    clock = time.monotonic()
    # What a containerised application does: HTTPS out, and a DNS query (ports the internet
    # namespace listens on; others when the catalogue has no such port).
    outgoing = [(planning.INTERNET[4], proto, port if (proto, port) in plan.outbound_ports else
                 next(n for p, n in plan.outbound_ports if p == proto)) for proto, port in (("tcp", 443), ("udp", 53))]

    def containers(lab: Lab, docker: DockerHost, phase: str) -> None:
        """A container's own connections out, probed by an agent in its network namespace."""
        ns = lab.attach("container", docker.pid())
        agent = lab.agent(ns)
        agent.ready()
        # Every phase expects these connections to get through, so every phase gives them the
        # control's longer deadline: it costs nothing when they are answered, and only slows a
        # failure. The scenario's own timeout is a blocked probe's wait; a UDP answer comes from
        # the internet's agent, a process that a loaded machine may not run within 0.3 s (a CI
        # run once saw "a container cannot reach 192.0.2.80 53/udp" at boot while TCP got
        # through; not reproduced alone or under CPU load).
        timeout = max(scenario.timeout, CONTROL_TIMEOUT)
        reply = agent.call({"op": "probe", "targets": [list(t) for t in outgoing], "timeout": timeout})
        for (address, proto, port), result in zip(outgoing, reply["results"], strict=True):
            report.containers.append(Outgoing(phase, address, proto, port, result == REACHED))
        lab.forget(ns)

    def phase(name: str) -> list[Probe]:
        probes = [replace(p, phase=name, observed="") for p in base]
        report.probes += probes
        return probes

    with Lab() as lab:  # Docker runs first, then the block
        hosts, agents, crafter, crafter_role, crafted_port = _servers(lab, plan, ruleset)
        server = Sandbox(lab, hosts[planning.SERVER_ROLE], root, scenario.backend)
        docker = DockerHost(server, lab.prefix.removeprefix("fwg-"))
        try:
            docker.start()
            docker.run(plan.published, scenario.docker_network)
            report.timings["docker"] = _lap(clock)
            report.crafted = [Crafted(crafter_role, family, crafted_port, kind, planning.crafted_verdict(ruleset, kind))
                              for family in plan.families for kind in planning.CRAFTED_KINDS] if crafted_port else []
            _round(agents, crafter, plan, report, "control", max(scenario.timeout, CONTROL_TIMEOUT))
            containers(lab, docker, "control")
            report.timings["control"] = _lap(clock)
            if report.control_failures():
                return report
            if usual and frontend.daemon:  # the daemon runs first, and Docker sees it at its start
                start_daemon(server, frontend.daemon)
                docker.restart()
            _apply(server, frontend, ruleset, scenario.block, None, report, clean=usual is None)
            _flush_neighbours(lab, hosts)
            _round(agents, crafter, plan, report, "observed", scenario.timeout)
            containers(lab, docker, "")
            report.dumps.append(_tables_sorted(dump(server, frontend, None)))
            report.timings["probe"] = _lap(clock)
            if usual is None or usual[1]:
                docker.restart()
                _round(agents, None, plan, report, "observed", scenario.timeout, phase("restart"))
                containers(lab, docker, "restart")
                report.timings["restart"] = _lap(clock)
            if usual is None:
                _apply(server, frontend, ruleset, scenario.block, None, report)
                _round(agents, None, plan, report, "observed", scenario.timeout, phase("again"))
                containers(lab, docker, "again")
                report.dumps.append(_tables_sorted(dump(server, frontend, None)))
                report.timings["again"] = _lap(clock)
        finally:
            docker.close()
    if usual is not None and not usual[0]:
        report.timings["teardown"] = _lap(clock)
        return report
    return _boot(scenario, frontend, ruleset, plan, root, report, phase, containers, clock, usual is not None)


def _boot(scenario: Scenario, frontend: Frontend, ruleset, plan: planning.Plan, root, report: Report,
          phase, containers, clock: float, usual: bool = True) -> Report:
    """The block in place first, then dockerd starts: how a server boots (after the front-end's
    daemon, when it has one)."""
    with Lab() as lab:
        hosts, agents, _, _, _ = _servers(lab, plan, ruleset, crafted=False)
        server = Sandbox(lab, hosts[planning.SERVER_ROLE], root, scenario.backend)
        docker = DockerHost(server, lab.prefix.removeprefix("fwg-"))
        try:
            if frontend.daemon:
                start_daemon(server, frontend.daemon)
            _apply(server, frontend, ruleset, scenario.block, None, report, clean=not usual)
            docker.start()
            docker.run(plan.published, scenario.docker_network)
            _flush_neighbours(lab, hosts)
            _round(agents, None, plan, report, "observed", scenario.timeout, phase("boot"))
            containers(lab, docker, "boot")
            report.timings["boot"] = _lap(clock)
        finally:
            docker.close()
    report.timings["teardown"] = _lap(clock)
    return report


def _tables_sorted(text: str) -> str:
    """An `nft list ruleset` with its tables, and the chains and sets of each, in name order:
    nftables lists them in the order they were made, and a restart of Docker, or a block that
    deletes and makes its own table again, changes that order without changing a rule (a base
    chain's place is its hook and priority). Other listings are left as they are."""
    if not text.startswith("table "):
        return text
    tables = []
    for table in filter(None, re.split(r"(?m)^(?=table )", text)):
        head, _, body = table.partition("\n")
        body = body.removesuffix("}\n")
        parts = sorted(p.strip("\n") for p in re.split(r"\n\n(?=\t\S)", body) if p.strip())
        tables.append(head + "\n" + "\n\n".join(parts) + "\n}\n")
    return "".join(sorted(tables))


# The chains a Docker block never writes: Docker's own (DOCKER-USER aside) and the ones Docker
# fills in FORWARD and nat's POSTROUTING.
DOCKER_OWNED_RE = re.compile(r"DOCKER(?!-USER$)[\w-]*|FORWARD|POSTROUTING")
NFT_CHAIN_RE = re.compile(r"\s*chain (\S+) \{$")


def _docker_chains_sorted(text: str) -> str:
    """A ruleset dump (nft or iptables-save) with the rules of Docker's own chains in text order,
    to compare the dumps of a block applied once and applied again: with two networks (docker0
    and a br-<id>), a restart of dockerd in between puts each network's rules back in another
    order, and these chains are Docker's, not the block's. The block's own chains keep their
    order (and the golden dumps keep Docker's real one)."""
    out: list[str] = []
    run: list[str] = []
    chain = None

    def flush() -> None:
        out.extend(sorted(run) if chain and DOCKER_OWNED_RE.fullmatch(chain) else run)
        run.clear()

    nft = text.startswith("table ")
    for line in text.splitlines():
        if nft:
            head = NFT_CHAIN_RE.match(line)
            if head or line.strip() == "}":
                flush()
                chain = head.group(1) if head else None
                out.append(line)
            elif chain and line.strip() and not line.strip().startswith("type "):
                run.append(line)
            else:
                out.append(line)
        else:
            rule = re.match(r"-A (\S+) ", line)
            if not rule or rule.group(1) != chain:
                flush()
                chain = rule.group(1) if rule else None
            (run if rule else out).append(line)
    flush()
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _servers(lab: Lab, plan: planning.Plan, ruleset, crafted: bool = True):
    """The namespaces of the plan, linked, with their agents ready and listening: (hosts,
    agents, crafter, crafter's role, crafted port)."""
    hosts = _create(lab, plan)
    crafter_role, crafted_port = _crafted_target(ruleset, plan) if crafted else (planning.ANYONE, None)
    crafter = lab.agent(hosts[crafter_role]) if crafted_port else None
    _link(lab, plan, hosts)
    agents = _ready_agents(lab, hosts, crafter)
    _start_listeners(agents, plan)
    return hosts, agents, crafter, crafter_role, crafted_port


def _flush_neighbours(lab: Lab, hosts: dict[str, Namespace]) -> None:
    for ns in (hosts[planning.SERVER_ROLE], hosts[planning.INTERNET_ROLE]):
        lab.batch(ns, ["neigh flush all"])  # both families


def _lap(start: float) -> float:
    return round(time.monotonic() - start, 4)


def _create(lab: Lab, plan: planning.Plan) -> dict[str, Namespace]:
    """Create the namespaces of the plan; returns them by role."""
    roles = [planning.INTERNET_ROLE, planning.SERVER_ROLE, *(c.role for c in plan.clients)]
    with timing.span("namespaces"):
        return {role: lab.add(role) for role in roles}


@timing.timed("namespaces")
def _link(lab: Lab, plan: planning.Plan, hosts: dict[str, Namespace]) -> None:
    """Wire the namespaces: veth pairs to the internet namespace, addresses, routes."""
    internet, server = hosts[planning.INTERNET_ROLE], hosts[planning.SERVER_ROLE]
    clients = [(hosts[c.role], c) for c in plan.clients]
    hub = ["link set lo up", f"addr add {planning.GATEWAY[4]}/32 dev lo"]
    hub += [f"addr add {a}/{32 if f == 4 else 128} dev lo" for f, a in planning.INTERNET.items()]
    hub += [f"addr add {a}/{32 if f == 4 else 128} dev lo" for f, addrs in plan.extra_internet.items() for a in addrs]
    links = [(server, "srv", [a for f in (4, 6) for a in planning.SERVER[f]])]
    links += [(ns, f"c{i}", list(c.addrs.values())) for i, (ns, c) in enumerate(clients)]
    for ns, port, addrs in links:
        hub += [
            f"link add {port} type veth peer name eth0 netns {ns.name}",
            f"link set {port} addrgenmode none",
            f"addr add {planning.GATEWAY[6]}/64 dev {port} nodad",
            f"link set {port} up",
        ]
        hub += [f"route add {a}/{128 if ':' in a else 32} dev {port}" for a in addrs]
    lab.batch(internet, hub)
    for ns, _, addrs in links:
        lab.batch(ns, [
            "link set lo up",
            "link set eth0 addrgenmode none",
            f"addr add {planning.LINK_LOCAL}/64 dev eth0 nodad",
            *(f"addr add {a}/{128 if ':' in a else 32} dev eth0{' nodad' if ':' in a else ''}" for a in addrs),
            "link set eth0 up",
            f"route add default via {planning.GATEWAY[4]} dev eth0 onlink",
            f"route add ::/0 via {planning.GATEWAY[6]} dev eth0",
        ])
    forwarding = "echo 1 >/proc/sys/net/ipv4/ip_forward; echo 1 >/proc/sys/net/ipv6/conf/all/forwarding"
    lab.run(internet, ["sh", "-c", forwarding])


def _agent_roles(hosts: dict[str, Namespace]) -> dict[str, Namespace]:
    return dict(hosts)


@timing.timed("agents")
def _ready_agents(lab: Lab, hosts: dict[str, Namespace], crafter: Agent | None = None) -> dict[str, Agent]:
    """An agent in each role's namespace (the crafter is started already), once each has sent
    its "ready" line: it checked its namespace."""
    agents = {role: lab.agent(ns) for role, ns in _agent_roles(hosts).items()}
    for agent in [*agents.values(), *([crafter] if crafter else [])]:
        agent.ready()
    return agents


def _crafted_target(ruleset, plan: planning.Plan) -> tuple[str, int | None]:
    """A client and an inbound TCP port the table accepts from it, for crafted packets."""
    for client in plan.clients:
        for proto, port in plan.inbound_ports:
            if proto == "tcp" and (proto, port) not in plan.published and all(
                f in client.addrs and planning.verdict(ruleset, "inbound", f, client.addrs[f], proto, port) == "accept"
                for f in plan.families
            ):
                return client.role, port
    return planning.ANYONE, None


@timing.timed("agents")
def _start_listeners(agents: dict[str, Agent], plan: planning.Plan) -> None:
    own = [p for p in plan.inbound_ports if p not in plan.published]  # Docker's proxy listens on those
    listen = {planning.SERVER_ROLE: ([planning.SERVER[f][0] for f in (4, 6)], own)}
    for target in plan.targets:
        addrs, ports = listen.setdefault(target.role, ([], plan.outbound_ports))
        addrs += [a for a in target.addrs.values() if a not in addrs]
    for role, (addrs, ports) in listen.items():
        agents[role].send({"op": "listen", "addrs": addrs, "ports": ports})
    for role in listen:
        agents[role].receive()


def _probes(ruleset, plan: planning.Plan) -> list[Probe]:
    probes = []
    for family in plan.families:
        for client in plan.clients:
            if family not in client.addrs:
                continue
            for proto, port in plan.inbound_ports:
                v = planning.verdict(ruleset, "inbound", family, client.addrs[family], proto, port, plan.published)
                probes.append(Probe("inbound", client.role, family, proto, port, v))
        for target in plan.targets:
            if family not in target.addrs:
                continue
            for proto, port in plan.outbound_ports:
                v = planning.verdict(ruleset, "outbound", family, target.addrs[family], proto, port)
                probes.append(Probe("outbound", _target_name(target, family), family, proto, port, v))
    return probes


def _client(plan: planning.Plan, role: str) -> planning.Host:
    return next(c for c in plan.clients if c.role == role)


def _target_name(target: planning.Host, family: int) -> str:
    return target.role if target.addrs == planning.INTERNET else f"{target.role}({target.addrs[family]})"


def _round(agents, crafter, plan: planning.Plan, report: Report, attr: str, timeout: float,
           probes: list[Probe] | None = None) -> None:
    """Send every probe at once (each agent probes in parallel), then collect the results;
    `probes`: these rather than the report's. Timed as probes, and as a real-time window for
    the part a blocked probe spends waiting out `timeout`."""
    wall, start = time.time(), time.monotonic()
    by_agent: dict[str, list[tuple[Probe, list]]] = {}
    for probe in report.probes if probes is None else probes:
        if probe.direction == "inbound":
            role, addr = probe.peer, planning.SERVER[probe.family][0]
        else:
            role = planning.SERVER_ROLE
            target = next(t for t in plan.targets if _target_name(t, probe.family) == probe.peer)
            addr = target.addrs[probe.family]
        by_agent.setdefault(role, []).append((probe, [addr, probe.proto, probe.port]))
    for role, items in by_agent.items():
        agents[role].send({"op": "probe", "targets": [t for _, t in items], "timeout": timeout})
    if crafter and report.crafted:
        crafter.send({"op": "craft", "timeout": timeout, "targets": [
            [_client(plan, c.peer).addrs[c.family], planning.SERVER[c.family][1], c.port, c.kind]
            for c in report.crafted
        ]})
    for role, items in by_agent.items():
        for (probe, _), result in zip(items, agents[role].receive()["results"], strict=True):
            setattr(probe, attr, result)
    if crafter and report.crafted:
        for c, result in zip(report.crafted, crafter.receive()["results"], strict=True):
            setattr(c, attr, result)
    seconds = time.monotonic() - start
    waited = any(getattr(p, attr) == "timeout" for items in by_agent.values() for p, _ in items)
    window = min(seconds, timeout) if waited else 0.0
    sent = sum(len(items) for items in by_agent.values()) + (len(report.crafted) if crafter else 0)
    timing.record("probes", f"{attr} {sent}", wall, seconds - window)
    if window:
        timing.record("window", attr, wall + seconds - window, window)


@timing.timed("apply")
def _apply(sandbox: Sandbox, frontend: Frontend, ruleset, block: str, env, report: Report,
           clean: bool = False) -> None:
    """Feed the block to the front-end's tool on standard input, exactly as the page shows it
    (`frontend.applying(ruleset)`: a Docker host's restore file with `--noflush`).

    On a `clean` server (the first application), anything on standard error fails the
    block: a warning the reader would see (a deprecated option, say) is not a pass."""
    argv = list(frontend.applying(ruleset))
    result = sandbox.run(argv, input=block, env=env, check=False)
    if result.returncode != 0:
        report.apply_errors.append(f"{' '.join(argv)} exited {result.returncode}: {result.stderr.strip()}")
    elif clean and result.stderr.strip():
        report.apply_errors.append(f"{' '.join(argv)} printed on a clean server: {result.stderr.strip()}")


@timing.timed("dump")
def dump(sandbox: Sandbox, frontend: Frontend, env) -> str:
    """The ruleset as the front-end's own listing tools print it, normalised."""
    out = []
    for argv in frontend.dump:
        text = sandbox.run(list(argv), env=env).stdout
        # Rules added through iptables-nft show up in nftables listings with their counters.
        out.append(normalise_save(text) if argv[0].endswith("-save")
                   else ELEMENTS_RE.sub("", COUNTER_RE.sub("counter", text)))
    return "".join(out)


# fail2ban as Debian installs it, its actions included; only where its sshd jail reads the log
# changes: the lab's server has no journal (trixie's default backend) and no syslog, and the
# bans are made with `fail2ban-client set sshd banip` rather than from failed logins.
FAIL2BAN_LAB_JAIL = """[sshd]
backend = polling
logpath = /var/log/auth.log
"""


@timing.timed("daemon")
def start_daemon(sandbox: Sandbox, daemon: str, wait: bool = True) -> subprocess.Popen:
    """Start a daemon in a sandbox: firewalld with a private system D-Bus, or fail2ban.
    Returns the daemon's process (its pid is the daemon's own: every wrapper execs)."""
    if daemon == "fail2ban":
        sandbox.write("/etc/fail2ban/jail.d/zz-fwguide-lab.local", FAIL2BAN_LAB_JAIL)
        # As on every Debian system, the host's own name in /etc/hosts: fail2ban looks it up to
        # ignore its own addresses, and the lab has no DNS to wait for.
        sandbox.run(["sh", "-c", 'echo "127.0.1.1 $(uname -n)" >> /etc/hosts && mkdir -p /run/fail2ban /var/log '
                     "&& touch /var/log/auth.log"])
        process = sandbox.popen(["fail2ban-server", "-xf", "start"])
    elif daemon == "firewalld":
        sandbox.run(["mkdir", "-p", "/run/dbus"])
        sandbox.popen(["dbus-daemon", "--system", "--nofork", "--nopidfile"])
        process = sandbox.popen(["sh", "-c", 'for i in $(seq 50); do [ -S /run/dbus/system_bus_socket ] && break; '
                                 'sleep 0.05; done; exec firewalld --nofork --nopid'])
    else:
        raise LabError(f"no way to start {daemon!r}")
    if wait:
        wait_for_daemon(sandbox, daemon, process=process)
    return process


# firewalld's state, asked over D-Bus with dbus-send (a small C program): polling with
# firewall-cmd would start a Python program every time.
FIREWALLD_STATE = ["dbus-send", "--system", "--print-reply", "--dest=org.fedoraproject.FirewallD1",
                   "/org/fedoraproject/FirewallD1", "org.freedesktop.DBus.Properties.Get",
                   "string:org.fedoraproject.FirewallD1", "string:state"]


# How a daemon says it is ready: (command, whether its result means ready).
READY = {
    # firewalld says RUNNING, as `firewall-cmd --state` checks.
    "firewalld": (FIREWALLD_STATE, lambda result: '"RUNNING"' in result.stdout),
    # fail2ban's sshd jail answers.
    "fail2ban": (["fail2ban-client", "status", "sshd"], lambda result: result.returncode == 0),
}


def wait_for_daemon(sandbox: Sandbox, daemon: str, seconds: float = 30,
                    process: subprocess.Popen | None = None) -> None:
    """Wait (bounded) until a daemon says it is ready; stop waiting if its process has ended."""
    argv, ready = READY[daemon]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (process is None or process.poll() is None):
        if ready(sandbox.run(argv, check=False)):
            return
        time.sleep(0.05)
    raise LabError(f"{daemon} did not start within {seconds} s in {sandbox.ns.role}")


def normalise_save(text: str) -> str:
    """iptables-save output without its dated comments, with packet counters zeroed and the
    tables in name order (the legacy backend lists them in the order they were created)."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("*"):
            current = sections.setdefault(line, [])
        current.append(re.sub(r"\[\d+:\d+\]$", "[0:0]", line))
    return "".join("\n".join(sections[name]) + "\n" for name in sorted(sections))
