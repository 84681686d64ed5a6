"""A scripted lab for multi-step checks: the scenario's network, plus a server "sandbox".

`Network` builds the same namespaces, links and listeners as a scenario, then leaves the
steps to the caller: apply this, probe that, run a command, probe again. Its server runs
in a sandbox, a mount namespace where /etc, /root and /var are overlays on a throw-away
copy and /run and /tmp are empty, so commands that write /etc/iptables/rules.v4, schedule
an `at` job or install a stub never touch the host's files.
"""

from __future__ import annotations

import subprocess

from ..model import Catalogue
from . import plan as planning
from .netns import Agent, Lab, LabError, Namespace, ensure_not_forbidden, guarded
from .scenario import _agent_roles, _create, _link, _start_listeners

# Run inside the server namespace by the sandbox's holder process (a private mount namespace).
SANDBOX_SETUP = """set -e
mount -t tmpfs fwguide-run /run
mkdir -p /run/fwguide-overlay
for dir in etc root var; do
    mkdir -p /run/fwguide-overlay/$dir.upper /run/fwguide-overlay/$dir.work
    mount -t overlay overlay \\
        -o lowerdir=/$dir,upperdir=/run/fwguide-overlay/$dir.upper,workdir=/run/fwguide-overlay/$dir.work /$dir
done
mount -t tmpfs fwguide-tmp /tmp
echo ready
exec sleep 3600
"""


class Sandbox:
    """A private filesystem view for commands run in one network namespace."""

    def __init__(self, lab: Lab, ns: Namespace) -> None:
        self.lab = lab
        self.ns = ns
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", SANDBOX_SETUP]
        self.holder = subprocess.Popen(lab.command(ns, argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
        lab.processes.append(self.holder)
        line = self.holder.stdout.readline()
        if line.strip() != "ready":
            raise LabError(f"the sandbox in {ns.role} did not start: {self.holder.stderr.read().strip()}")

    def command(self, argv: list[str]) -> list[str]:
        pid = self.holder.pid
        ensure_not_forbidden(f"/proc/{pid}/ns/net")
        return ["nsenter", f"--target={pid}", "--mount", "--net", "--", *guarded(argv)]

    def run(self, argv: list[str], *, input: str | None = None, env: dict | None = None,
            check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        result = subprocess.run(self.command(argv), input=input, capture_output=True, text=True, env=env,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise LabError(f"sandbox {self.ns.role}: {' '.join(argv)}: exit {result.returncode}: "
                           f"{result.stderr.strip()}")
        return result

    def shell(self, script: str, **kwargs) -> subprocess.CompletedProcess:
        """A block of shell lines, fed to `bash -euo pipefail` as a reader pastes it."""
        return self.run(["bash", "-euo", "pipefail"], input=script, **kwargs)

    def popen(self, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        process = subprocess.Popen(self.command(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=env)
        self.lab.processes.append(process)
        return process

    def read(self, path: str) -> str:
        return self.run(["cat", path]).stdout

    def write(self, path: str, text: str) -> None:
        self.run(["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1"', "sh", path], input=text)


class Network:
    """The scenario's namespaces for one table, with listeners up and the server sandboxed."""

    def __init__(self, lab: Lab, catalogue: Catalogue, table_id: str) -> None:
        self.lab = lab
        self.ruleset = catalogue.ruleset(table_id)
        self.plan = planning.make_plan(catalogue, self.ruleset, (4, 6))
        self.hosts = _create(lab, self.plan)
        _link(lab, self.plan, self.hosts)
        self.agents: dict[str, Agent] = {role: lab.agent(ns) for role, ns in _agent_roles(self.hosts).items()}
        for agent in self.agents.values():
            agent.receive()
        _start_listeners(self.agents, self.plan)
        self.server = Sandbox(lab, self.hosts[planning.SERVER_ROLE])

    def address(self, role: str, family: int) -> str:
        if role == planning.SERVER_ROLE:
            return planning.SERVER[family][0]
        return next(c for c in self.plan.clients if c.role == role).addrs[family]

    def probe(self, client: str, family: int, port: int, proto: str = "tcp", timeout: float = 0.3) -> str:
        """One connection from a client to the server: open, timeout, refused..."""
        target = [planning.SERVER[family][0], proto, port]
        return self.agents[client].call({"op": "probe", "targets": [target], "timeout": timeout})["results"][0]

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
