"""Throw-away network namespaces, with a guard that keeps every command out of the host's.

A `Lab` names its namespaces `fwg-<pid>-<random>-<role>`, so two runs never collide and a
later run can tell which leftovers belong to a process that died without cleaning up
(SIGKILL): it removes those before it starts. Everything a lab created is removed when it
closes, whether the code inside raised, was interrupted (Ctrl-C) or terminated (SIGTERM).

Root uses `ip netns` directly. Without root, the whole lab runs inside
`unshare --user --map-root-user --net --mount` (see `runner.py`), where a private /run makes
`ip netns` work the same way.
"""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import timing

NETNS_DIR = Path("/run/netns")
AGENT = Path(__file__).with_name("agent.py")
NAME_RE = re.compile(r"fwg-(\d+)-[0-9a-f]+-")
# Namespaces the lab must never enter: its own, plus any an outer runner passes down.
FORBIDDEN_ENV = "FWGUIDE_FORBIDDEN_NETNS"
GUARD_EXIT = 97
REPLY_TIMEOUT = 30.0  # seconds an agent may take to answer one request
# Runs first in every command the lab starts in a namespace: `$0` is the forbidden list.
GUARD = (
    'here=$(readlink /proc/self/ns/net); case " $0 " in *" $here "*) '
    'echo "fwguide lab: refusing to run in a forbidden network namespace ($here)" >&2; '
    f'exit {GUARD_EXIT};; esac; exec "$@"'
)
IPTABLES_TOOLS = ("iptables", "ip6tables")
IPTABLES_SUFFIXES = ("", "-save", "-restore")
BACKENDS = ("nft", "legacy")


class LabError(RuntimeError):
    """The lab itself could not do its job (as opposed to a firewall that misbehaves)."""


class HostNamespaceError(LabError):
    """A command was about to run in the host's network namespace; nothing was run."""


def netns_id(path: str | Path) -> str:
    """The kernel's name for the network namespace at `path`, e.g. `net:[4026531840]`."""
    return f"net:[{os.stat(path).st_ino}]"


def forbidden_namespaces() -> list[str]:
    """The lab process's own network namespace and those listed by an outer runner."""
    inherited = os.environ.get(FORBIDDEN_ENV, "").split()
    return sorted({netns_id("/proc/self/ns/net"), *inherited})


def ensure_not_forbidden(path: str | Path) -> None:
    """Raise HostNamespaceError when `path` is the host's (or another forbidden) namespace."""
    ns = netns_id(path)
    if ns in forbidden_namespaces():
        raise HostNamespaceError(f"{path} is a forbidden network namespace ({ns}); refusing to use it")


def guarded(argv: list[str]) -> list[str]:
    """`argv` behind the shell guard: it exits 97 without running argv in a forbidden namespace."""
    return ["sh", "-c", GUARD, " ".join(forbidden_namespaces()), *argv]


def list_lab_namespaces() -> list[str]:
    """Names of the namespaces any lab run created and that still exist."""
    if not NETNS_DIR.is_dir():
        return []
    return sorted(p.name for p in NETNS_DIR.iterdir() if NAME_RE.match(p.name))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def orphaned_namespaces() -> list[str]:
    """Lab namespaces whose creating process no longer exists."""
    return [name for name in list_lab_namespaces() if not _alive(int(NAME_RE.match(name).group(1)))]


# Where a lab's processes live: a sandbox's holder works in its overlay, a chrooted command
# has it as its root; both paths name the lab's temporary directory or the host sandbox's.
PROCESS_MARKERS = ("/fwguide-lab-", "/fwguide-overlay")
MOUNT_MARKERS = ("fwguide-", "/fwguide-lab-")


def lab_processes() -> list[tuple[int, str]]:
    """(pid, where) of every process, of any run, working in or chrooted into a lab sandbox."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        for link in ("root", "cwd"):
            try:
                target = os.readlink(entry / link)
            except OSError:
                continue  # gone meanwhile, or not ours to read
            if any(m in target for m in PROCESS_MARKERS):
                found.append((int(entry.name), target))
                break
    return found


def lab_mounts() -> list[str]:
    """Mounts of the lab visible in this mount namespace (there must be none: a sandbox's
    mounts live in its own mount namespace and vanish with it)."""
    lines = Path("/proc/self/mountinfo").read_text().splitlines()
    return [line for line in lines if any(m in field for field in line.split() for m in MOUNT_MARKERS)]


def reap_stale() -> list[str]:
    """Delete namespaces left by lab processes that no longer exist; returns their names."""
    removed = orphaned_namespaces()
    for name in removed:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True)
    return removed


@dataclass
class Namespace:
    role: str
    name: str

    @property
    def path(self) -> Path:
        return NETNS_DIR / self.name


class AgentProcess:
    """The lab's one `fwguide.lab.agent` process, which serves an agent per namespace: it sends
    their requests, and a thread of its own hands each reply to the agent it is for."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.lock = threading.Lock()  # the replies' queues
        self.writing = threading.Lock()  # standard input, one whole request at a time
        # Agent 0's queue exists before the reader starts: its "ready" line may come at once.
        self.replies: dict[int, queue.SimpleQueue] = {0: queue.SimpleQueue()}
        self.ended = False
        self.stderr = ""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def add(self) -> int:
        """A number for a new agent, its replies awaited from now on (before it is asked for)."""
        with self.lock:
            number = len(self.replies)
            self.replies[number] = queue.SimpleQueue()
            if self.ended:
                self.replies[number].put(None)
            return number

    def send(self, request: dict) -> None:
        assert self.process.stdin is not None
        with self.writing:
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
            except (OSError, ValueError) as exc:  # a pipe closed: the process has ended
                raise LabError(f"the agent process has ended: {exc}") from None

    def _read(self) -> None:
        assert self.process.stdout is not None
        try:
            for line in self.process.stdout:
                reply = json.loads(line)
                with self.lock:
                    replies = self.replies.get(reply.pop("agent", 0))
                if replies is not None:
                    replies.put(reply)
            self.stderr = self.process.stderr.read() if self.process.stderr else ""
        finally:
            with self.lock:
                self.ended = True
                for replies in self.replies.values():
                    replies.put(None)

    def stop(self) -> None:
        """Kill the process (by its pid: the lab started it), then reap it and close its pipes,
        once its replies are all read."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.reader.join(timeout=10)
        _stop(self.process)


@dataclass
class Agent:
    """One namespace's agent, served by the lab's agent process."""

    ns: Namespace
    host: AgentProcess
    number: int

    def ready(self) -> dict:
        """The agent's "ready" line, once it checked where it is: in its own namespace, the one
        the lab named, and no other."""
        reply = self.receive()
        if reply.get("ready") != netns_id(self.ns.path):
            raise LabError(f"agent in {self.ns.role} is in {reply.get('ready')}, not {netns_id(self.ns.path)}")
        return reply

    @property
    def process(self) -> subprocess.Popen:
        return self.host.process

    def send(self, request: dict) -> None:
        self.host.send({**request, "agent": self.number})

    def receive(self, timeout: float = REPLY_TIMEOUT) -> dict:
        """The agent's next reply; when it does not come in time, the agent process is killed."""
        try:
            reply = self.host.replies[self.number].get(timeout=timeout)
        except queue.Empty:
            self.host.process.kill()
            raise LabError(f"agent in {self.ns.role} did not answer in {timeout} s") from None
        if reply is None:
            self.host.reader.join()
            raise LabError(f"agent in {self.ns.role} exited: {self.host.stderr.strip()}")
        if "error" in reply:
            raise LabError(f"agent in {self.ns.role}: {reply['error']}")
        return reply

    def call(self, request: dict) -> dict:
        self.send(request)
        return self.receive()


@dataclass
class Lab:
    """A set of namespaces and agents with one lifetime; use it as a context manager."""

    prefix: str = field(default_factory=lambda: f"fwg-{os.getpid()}-{secrets.token_hex(3)}")
    namespaces: list[Namespace] = field(default_factory=list)
    agents: list[Agent] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)  # other helpers to stop
    agent_process: AgentProcess | None = None
    tmp: Path | None = None
    _old_handlers: dict = field(default_factory=dict)

    def __enter__(self) -> Lab:
        if shutil.which("ip") is None:
            raise LabError("the `ip` command (iproute2) is not installed")
        reap_stale()
        self.tmp = Path(tempfile.mkdtemp(prefix="fwguide-lab-"))
        self._trap_signals()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Namespaces and commands

    def add(self, role: str) -> Namespace:
        ns = Namespace(role, f"{self.prefix}-{role}")
        self.namespaces.append(ns)  # before creating it, so close() removes a half-made one
        subprocess.run(["ip", "netns", "add", ns.name], check=True, capture_output=True, text=True)
        ensure_not_forbidden(ns.path)
        return ns

    def attach(self, role: str, pid: int) -> Namespace:
        """Name the network namespace of a process the lab started (a container's first
        process), so agents can run in it; closing the lab removes the name only."""
        ensure_not_forbidden(f"/proc/{pid}/ns/net")
        ns = Namespace(role, f"{self.prefix}-{role}")
        self.namespaces.append(ns)
        subprocess.run(["ip", "netns", "attach", ns.name, str(pid)], check=True, capture_output=True, text=True)
        ensure_not_forbidden(ns.path)
        return ns

    def forget(self, ns: Namespace) -> None:
        """Remove a namespace (or an attached name) before the lab closes, and its agents."""
        for agent in [a for a in self.agents if a.ns == ns]:
            if agent.number == 0:  # the process started in ns: it ends, and every agent with it
                self._end_agents(agent.host)
            else:
                if agent.process.poll() is None:
                    agent.send({"op": "quit"})  # its thread closes its sockets and ends
                self.agents.remove(agent)
        subprocess.run(["ip", "netns", "delete", ns.name], capture_output=True)
        self.namespaces.remove(ns)

    def command(self, ns: Namespace, argv: list[str]) -> list[str]:
        """The full command line that runs argv in `ns`, guard included."""
        if ns not in self.namespaces:
            raise LabError(f"{ns.name} was not created by this lab")
        ensure_not_forbidden(ns.path)
        return ["ip", "netns", "exec", ns.name, *guarded(argv)]

    def run(self, ns: Namespace, argv: list[str], *, input: str | None = None, env: dict | None = None,
            check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        result = subprocess.run(self.command(ns, argv), input=input, capture_output=True, text=True,
                                env=env, timeout=timeout)
        if result.returncode == GUARD_EXIT:
            raise HostNamespaceError(result.stderr.strip())
        if check and result.returncode != 0:
            raise LabError(f"in {ns.role}: {' '.join(argv)}: exit {result.returncode}: {result.stderr.strip()}")
        return result

    def batch(self, ns: Namespace, commands: list[str]) -> None:
        """Several `ip` commands in one process, inside `ns` (via `ip -n`)."""
        ensure_not_forbidden(ns.path)
        result = subprocess.run(["ip", "-n", ns.name, "-batch", "-"], input="\n".join(commands) + "\n",
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise LabError(f"ip -batch in {ns.role}: {result.stderr.strip()}")

    def agent(self, ns: Namespace) -> Agent:
        """An agent in `ns`; take its "ready" line (`ready()`) before use: it checked its namespace.

        The first one starts the lab's agent process in `ns`, a standard-library script started
        with `-I -S` (no site packages, no environment); the others are threads of that process,
        each of which enters its namespace (see agent.py)."""
        if self.agent_process is None or self.agent_process.process.poll() is not None:
            if self.agent_process is not None:  # one that ended: reaped, its pipes closed
                self._end_agents(self.agent_process)
            argv = [sys.executable, "-I", "-S", str(AGENT), *forbidden_namespaces()]
            process = subprocess.Popen(self.command(ns, argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
            self.agent_process = AgentProcess(process)
            agent = Agent(ns, self.agent_process, 0)
        else:
            self.command(ns, [])  # the checks: a namespace of this lab, not a forbidden one
            agent = Agent(ns, self.agent_process, self.agent_process.add())
            self.agent_process.send({"op": "enter", "agent": agent.number, "netns": str(ns.path)})
        self.agents.append(agent)
        return agent

    def _end_agents(self, host: AgentProcess) -> None:
        """Stop an agent process and forget every agent it served."""
        host.stop()
        self.agents = [a for a in self.agents if a.host is not host]
        if self.agent_process is host:
            self.agent_process = None

    def spawn(self, ns: Namespace, argv: list[str]) -> subprocess.Popen:
        """Start a long-running program in `ns` (stopped when the lab closes); its stdout is a pipe."""
        process = subprocess.Popen(self.command(ns, argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        self.processes.append(process)
        return process

    def backend_path(self, backend: str) -> str:
        """A PATH whose iptables* commands are those of one backend (nft or legacy)."""
        if backend not in BACKENDS:
            raise LabError(f"unknown iptables backend {backend!r} (known: {', '.join(BACKENDS)})")
        assert self.tmp is not None
        bindir = self.tmp / f"iptables-{backend}"
        if not bindir.exists():
            bindir.mkdir()
            for tool in IPTABLES_TOOLS:
                for suffix in IPTABLES_SUFFIXES:
                    target = shutil.which(f"{tool}-{backend}{suffix}")
                    if target is None:
                        raise LabError(f"{tool}-{backend}{suffix} is not installed")
                    (bindir / f"{tool}{suffix}").symlink_to(target)
        return f"{bindir}:/usr/sbin:/usr/bin:/sbin:/bin"

    # Cleanup

    @timing.timed("teardown")
    def close(self) -> None:
        try:
            if self.agent_process is not None:
                self._end_agents(self.agent_process)
            for process in self.processes:
                _stop(process)
            self.agents.clear()
            self.processes.clear()
            failed = []
            for ns in reversed(self.namespaces):
                if ns.path.exists():
                    result = subprocess.run(["ip", "netns", "delete", ns.name], capture_output=True, text=True)
                    if result.returncode != 0:
                        failed.append(f"{ns.name}: {result.stderr.strip()}")
            self.namespaces.clear()
            if self.tmp is not None:
                shutil.rmtree(self.tmp, ignore_errors=True)
                self.tmp = None
            if failed:
                raise LabError("could not remove: " + "; ".join(failed))
        finally:
            self._restore_signals()

    def _trap_signals(self) -> None:
        """SIGTERM and SIGHUP unwind like Ctrl-C, so `close()` still runs."""
        if not _in_main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGHUP):
            self._old_handlers[sig] = signal.signal(sig, _interrupt)

    def _restore_signals(self) -> None:
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        self._old_handlers.clear()


def _stop(process: subprocess.Popen) -> None:
    """Kill a process the lab started (by its pid), reap it, close its pipes."""
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream:
            stream.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
