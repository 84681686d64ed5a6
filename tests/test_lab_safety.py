"""The namespace lab's own guarantees: it never touches the host, it cleans up after
itself whatever happens, it runs without root, and its checks can fail.

Each "can fail" test feeds the lab a block with one deliberate defect and asserts the lab
reports exactly that defect: a lab that passes everything would fail these.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fwguide.lab import netns
from fwguide.lab.netns import (HostNamespaceError, Lab, LabError, Namespace, lab_mounts, lab_processes,
                               list_lab_namespaces)
from fwguide.lab.roots import lab_root
from fwguide.lab.runner import USERNS, USERNS_SETUP, run
from fwguide.lab.scenario import Scenario
from fwguide.loader import load_catalogue
from fwguide.releases import releases
from fwguide.render.markdown import frontends

from support import ROOT, host_state, require, state_diff

CATALOGUE = load_catalogue(ROOT / "snippets", display_root=ROOT)
FRONTENDS = {f.label: f for f in frontends()}
RELEASES = [r.codename for r in releases()]


def rendered(table: str, label: str) -> str:
    return FRONTENDS[label].render(CATALOGUE.ruleset(table))


def scenario(table: str, label: str, block: str | None = None, backend: str | None = None) -> Scenario:
    if backend is None and FRONTENDS[label].uses_iptables:
        backend = "nft"
    return Scenario(table, label, block if block is not None else rendered(table, label), backend,
                    str(ROOT / "snippets"))


def without(block: str, *fragments: str) -> str:
    """The block with every line containing one of the fragments removed (asserting each was there)."""
    lines = block.splitlines(keepends=True)
    for fragment in fragments:
        assert any(fragment in line for line in lines), fragment
    return "".join(line for line in lines if not any(f in line for f in fragments))


# Never the host


def test_the_guard_refuses_the_host_namespace(tmp_path):
    with pytest.raises(HostNamespaceError):
        netns.ensure_not_forbidden("/proc/self/ns/net")
    marker = tmp_path / "ran"
    result = subprocess.run(netns.guarded(["touch", str(marker)]), capture_output=True, text=True)
    assert result.returncode == netns.GUARD_EXIT
    assert "refusing" in result.stderr
    assert not marker.exists()
    # Control: the same guard lets the command run in a namespace of its own.
    require(shutil.which("unshare") is not None, "unshare is not installed")
    inner = subprocess.run(["unshare", "--net", *netns.guarded(["touch", str(marker)])], capture_output=True, text=True)
    assert inner.returncode == 0, inner.stderr
    assert marker.exists()


def test_the_agent_refuses_to_start_in_the_host_namespace():
    result = subprocess.run([sys.executable, "-m", "fwguide.lab.agent", *netns.forbidden_namespaces()],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == netns.GUARD_EXIT
    assert "refusing" in json.loads(result.stdout)["error"]


def test_an_agent_refuses_to_work_in_the_host_namespace(lab):
    """The lab's agent process serves each namespace from a thread that enters it: one sent to
    the host's namespace (a wrong path) checks where it is, refuses, and ends with nothing
    made there. The control: the same request with a lab namespace's path gives a working
    agent, there."""
    one, two = lab.add("one"), lab.add("two")
    first = lab.agent(one)
    assert first.receive()["ready"] == netns.netns_id(one.path)
    host = lab.agent_process
    stray = netns.Agent(two, host, host.add())
    host.send({"op": "enter", "agent": stray.number, "netns": f"/proc/{os.getpid()}/ns/net"})
    with pytest.raises(LabError, match="refusing to run in a forbidden network namespace"):
        stray.receive()
    with pytest.raises(LabError, match=f"no agent {stray.number}"):  # it takes no request afterwards
        stray.call({"op": "listen", "addrs": ["127.0.0.1"], "ports": [["tcp", 8022]]})
    control = netns.Agent(two, host, host.add())
    host.send({"op": "enter", "agent": control.number, "netns": str(two.path)})
    assert control.ready()["ready"] == netns.netns_id(two.path)
    assert control.call({"op": "listen", "addrs": ["127.0.0.1"], "ports": [["tcp", 8022]]})["ok"] == 1


def test_each_agent_works_in_its_own_namespace(lab):
    """One process, one thread per namespace: a socket is made in its agent's namespace, not in
    the process's first one. A listener on 127.0.0.1 in one namespace answers there, and is
    not there in the other, whose own listener answers it."""
    one, two = lab.add("one"), lab.add("two")
    for ns in (one, two):
        lab.batch(ns, ["link set lo up"])
    agents = {ns.role: lab.agent(ns) for ns in (one, two)}
    assert len({a.process.pid for a in agents.values()}) == 1
    for ns in (one, two):
        assert agents[ns.role].ready()["ready"] == netns.netns_id(ns.path)
    assert agents["one"].call({"op": "listen", "addrs": ["127.0.0.1"], "ports": [["tcp", 8001]]})["ok"] == 1
    assert agents["two"].call({"op": "listen", "addrs": ["127.0.0.1"], "ports": [["tcp", 8002]]})["ok"] == 1

    def probe(role: str) -> list[str]:
        targets = [["127.0.0.1", "tcp", 8001], ["127.0.0.1", "tcp", 8002]]
        return agents[role].call({"op": "probe", "targets": targets, "timeout": 1})["results"]

    assert probe("one") == ["open", "refused"]
    assert probe("two") == ["refused", "open"]
    lab.forget(two)  # its agent ends; the other one still answers
    assert probe("one") == ["open", "refused"]
    # The process started in the first namespace: forgetting that one ends the process, and
    # every agent with it; a new agent gets a new process.
    three = lab.add("three")
    third = lab.agent(three)
    third.ready()
    lab.forget(one)
    assert third not in lab.agents and third.process.poll() is not None
    with pytest.raises(LabError, match="has ended|exited"):
        third.call({"op": "probe", "targets": [], "timeout": 1})
    again = lab.agent(three)
    assert again.process.pid != third.process.pid
    assert again.ready()["ready"] == netns.netns_id(three.path)


def test_a_name_that_points_at_the_host_namespace_is_refused(lab, tmp_path):
    """Even under a lab-looking name, the host's namespace is never entered."""
    name = f"fwguide-guard-test-{id(lab)}"
    subprocess.run(["ip", "netns", "attach", name, str(os.getpid())], check=True, capture_output=True)
    try:
        alias = Namespace("alias", name)
        lab.namespaces.append(alias)
        marker = tmp_path / "ran"
        with pytest.raises(HostNamespaceError):
            lab.run(alias, ["touch", str(marker)])
        assert not marker.exists()
    finally:
        lab.namespaces.remove(alias)
        subprocess.run(["ip", "netns", "delete", name], capture_output=True)


def test_a_namespace_the_lab_did_not_create_is_refused(lab):
    with pytest.raises(LabError, match="not created by this lab"):
        lab.command(Namespace("stranger", "somebody-elses"), ["true"])


def test_a_scenario_leaves_the_host_as_it_was(lab_mode):
    require(lab_mode == "netns", "comparing the host needs root")
    before = host_state()
    # ufw writes /etc/ufw and firewalld runs a daemon: both only inside the lab's sandbox.
    for label, backend in (("rules.v4", "legacy"), ("ip6tables", "nft"), ("nftables", None), ("ufw", None),
                           ("firewalld", None)):
        report = run(scenario("inbound-optional", label, backend=backend), lab_mode)
        assert not report.failures(), report.failures()
    assert state_diff(before, host_state()) == []


# Always cleaned up

# A lab with two namespaces, an agent, and in the first namespace a sandbox on a release's
# root (its overlay and mounts in their own mount namespace) running a daemon-like process.
LAB_SCRIPT = textwrap.dedent("""
    import signal, sys, time
    from pathlib import Path
    # Ctrl-C raises KeyboardInterrupt as in a terminal, even under a runner started in the
    # background, whose children inherit SIGINT ignored (Python then keeps it ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from fwguide.lab.netns import Lab
    from fwguide.lab.sandbox import Sandbox
    with Lab() as lab:
        for role in ("one", "two"):
            lab.add(role)
        agent = lab.agent(lab.namespaces[0])
        agent.receive()
        sandbox = Sandbox(lab, lab.namespaces[0], Path(sys.argv[2]), "legacy")
        sandbox.popen(["sleep", "600"])
        print(lab.prefix, lab.tmp, flush=True)
        sys.stdin.readline()  # the test has seen it all running
        if sys.argv[1] == "fail":
            raise RuntimeError("a failing test")
        time.sleep(60)
""")


def start_lab_process(how: str) -> tuple[subprocess.Popen, str]:
    root = lab_root(RELEASES[-1]).path
    process = subprocess.Popen([sys.executable, "-c", LAB_SCRIPT, how, str(root)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    prefix, tmp = (process.stdout.readline().split() + ["", ""])[:2]
    assert prefix.startswith("fwg-"), process.stderr.read()
    # Control: the namespaces, the sandbox's processes and the lab's files exist while it runs.
    assert sorted(n for n in list_lab_namespaces() if n.startswith(prefix + "-")) == [f"{prefix}-one", f"{prefix}-two"]
    assert wait_until(lambda: len(processes_of(tmp)) >= 2), processes_of(tmp)  # the holder and `sleep`
    assert Path(tmp).is_dir()
    process.stdin.write("go\n")
    process.stdin.flush()
    return process, prefix + " " + tmp


def processes_of(tmp: str) -> list[tuple[int, str]]:
    return [(pid, where) for pid, where in lab_processes() if where.startswith(tmp + "/")]


def wait_until(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not check():
        time.sleep(0.05)
    return check()


def leftovers(lab: str) -> list[str]:
    """The lab's namespaces, processes, mounts and files still there."""
    prefix, tmp = lab.split()
    left = [n for n in list_lab_namespaces() if n.startswith(prefix + "-")]
    left += [f"process {pid} in {where}" for pid, where in processes_of(tmp)]
    left += [f"mount {m}" for m in lab_mounts() if tmp in m]
    left += [f"directory {tmp}"] if Path(tmp).exists() else []
    return left


@pytest.fixture
def release_lab(lab_mode):
    require(lab_mode == "netns", "named namespaces and a release's root exist only in the netns mode")
    try:
        lab_root(RELEASES[-1])
    except LabError as exc:
        require(False, f"no Debian root for the lab: {exc}")


def test_nothing_is_left_after_a_failure(release_lab):
    process, prefix = start_lab_process("fail")
    assert process.wait(timeout=30) != 0
    assert "a failing test" in process.stderr.read()
    assert leftovers(prefix) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_nothing_is_left_after_an_interrupt(release_lab, sig):
    process, prefix = start_lab_process("sleep")
    process.send_signal(sig)
    process.wait(timeout=30)
    assert leftovers(prefix) == []


def test_a_killed_run_leaves_namespaces_the_next_run_removes(release_lab):
    process, lab = start_lab_process("sleep")
    process.kill()  # SIGKILL: no cleanup can run (another test worker's lab may reap first)
    process.wait(timeout=30)
    with Lab():
        pass
    # The namespaces are reaped; the sandbox's holder and its process, parked in a namespace
    # that no longer has a name, are the kill's casualties: end them by their id, as the
    # lab's own processes, then nothing is left but the killed run's directory.
    for pid, _ in processes_of(lab.split()[1]):
        os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: not processes_of(lab.split()[1]))
    shutil.rmtree(lab.split()[1], ignore_errors=True)
    assert leftovers(lab) == []


# Without root


def test_the_userns_mode_runs_the_same_scenario():
    """The rootless path (user + network + mount namespace, private /run), run here as is."""
    require(shutil.which("unshare") is not None, "unshare is not installed")
    report = run(scenario("inbound-ssh-admin", "nftables"), "userns")
    assert not report.failures(), report.failures()
    assert {p.observed for p in report.probes} == {"open", "timeout"}


def test_an_unprivileged_user_can_build_lab_namespaces():
    """What the userns mode relies on, done as `nobody`: namespaces, a veth pair, a firewall."""
    require(shutil.which("setpriv") is not None, "setpriv (util-linux) is not installed")
    script = "; ".join([
        "set -e", "ip netns add a", "ip netns add b",
        "ip -n a link add eth0 type veth peer name eth0 netns b",
        "ip netns exec a nft add table inet probe", "ip netns exec b iptables-legacy -P INPUT DROP",
        "ip netns list",
    ])
    result = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *USERNS, "sh", "-c", USERNS_SETUP,
         "sh", "sh", "-c", script],
        capture_output=True, text=True, timeout=60,
    )
    require("uid_map" not in result.stderr, f"unprivileged user namespaces are disabled here: {result.stderr}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["b", "a"]


# The checks can fail


def test_a_block_without_neighbour_discovery_loses_ipv6(lab_mode):
    block = without(rendered("inbound-minimum", "rules.v6"), "neighbour-solicitation", "neighbour-advertisement")
    report = run(scenario("inbound-minimum", "rules.v6", block), lab_mode)
    failing = {(p.direction, p.observed) for p in report.probes if not p.ok}
    assert ("inbound", "timeout") in failing
    assert all(p.control == "open" for p in report.probes)


def test_a_block_without_the_invalid_rule_answers_null_and_xmas(lab_mode):
    block = without(rendered("inbound-minimum", "nftables"), "ct state invalid drop")
    report = run(scenario("inbound-minimum", "nftables", block), lab_mode)
    wrong = {(c.kind, c.observed) for c in report.crafted if c.observed != c.expected}
    assert wrong == {("null", "rst"), ("xmas", "rst")}


def test_a_block_without_established_loses_outbound_replies(lab_mode):
    block = without(rendered("outbound-default", "iptables"), "ESTABLISHED")
    report = run(scenario("outbound-default", "iptables", block), lab_mode)
    outbound = [p for p in report.probes if p.direction == "outbound"]
    assert outbound and all(p.expected == "accept" and p.observed == "timeout" for p in outbound)


def test_a_block_opening_one_port_too_many_is_caught(lab_mode):
    block = rendered("inbound-minimum", "rules.v4").replace(
        "COMMIT", "-A INPUT -p tcp --dport 3306 -j ACCEPT\nCOMMIT", 1)
    report = run(scenario("inbound-minimum", "rules.v4", block), lab_mode)
    assert {(p.peer, p.port, p.observed) for p in report.probes if not p.ok} == {
        ("anyone", 3306, "open"), ("client-admin", 3306, "open")}


def test_a_block_that_fails_to_apply_is_reported(lab_mode):
    block = rendered("inbound-minimum", "iptables").replace("--dport 443", "--dport 99999")
    report = run(scenario("inbound-minimum", "iptables", block), lab_mode)
    assert any("apply" in f and "99999" in f for f in report.failures()), report.failures()


def test_a_block_that_is_not_idempotent_is_caught(lab_mode):
    """Without its flush lines, a command list applied twice doubles every rule."""
    block = without(rendered("inbound-minimum", "iptables"), "iptables -F", "iptables -X")
    report = run(scenario("inbound-minimum", "iptables", block), lab_mode)
    assert "applying the block twice does not give the same ruleset as applying it once" in report.failures()


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_the_suite_fails_when_a_run_leaves_a_namespace(lab_mode, tmp_path, workers):
    """The session-wide check in conftest.py: a leftover namespace fails a run whose tests all pass."""
    require(lab_mode == "netns", "named namespaces exist only in the netns mode")
    tests = tmp_path / "tests"  # a project of its own: the tests' helpers find its root, and mkdocs.yml there
    tests.mkdir()
    for name in ("conftest.py", "support.py", "browser_support.py"):
        shutil.copy(ROOT / "tests" / name, tests / name)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    # Named after the run's main process (an xdist worker's parent), which is alive when the
    # check runs: a name of the worker's own would be an orphan once it exits, and any lab of
    # the outer run, starting meanwhile, may reap orphans before the check sees it. The tag
    # keeps the other variant of this test, maybe running alongside, from removing it.
    tag = f"leak{'x' if workers else 's'}{os.getpid()}"
    (tests / "test_leak.py").write_text(textwrap.dedent(f"""
        import os, subprocess
        def test_leaks_a_namespace():
            owner = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()
            subprocess.run(["ip", "netns", "add", f"fwg-{{owner}}-0-{tag}"], check=True)
    """))
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers,
                                 str(tests)],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120,
                                env={k: v for k, v in os.environ.items()
                                     if not k.startswith("PYTEST_XDIST") and k != "FWGUIDE_TIMING"})
        assert "1 passed" in result.stdout
        assert result.returncode == 1, result.stdout
        assert re.search(rf"HOST CHECK FAILED: lab namespaces left behind: (\S+, )*fwg-\d+-0-{tag}\b",
                         result.stdout), result.stdout
    finally:
        for name in list_lab_namespaces():
            if name.endswith(f"-0-{tag}"):
                subprocess.run(["ip", "netns", "delete", name], capture_output=True)


def test_a_broken_lab_is_reported_as_such_not_as_a_blocked_port(lab_mode, monkeypatch):
    """The positive control: with one listener missing, the scenario stops before applying
    anything and says the lab failed, instead of calling that port blocked."""
    require(lab_mode == "netns", "the in-process run needs root")
    from fwguide.lab import scenario as scenario_module

    start = scenario_module._start_listeners

    def start_without_https(agents, plan):
        plan.inbound_ports = [p for p in plan.inbound_ports if p != ("tcp", 443)]
        start(agents, plan)
        plan.inbound_ports.append(("tcp", 443))

    monkeypatch.setattr(scenario_module, "_start_listeners", start_without_https)
    report = scenario_module.run_scenario(scenario("inbound-minimum", "nftables"))
    failures = report.failures()
    assert failures and all(f.startswith("control:") for f in failures), failures
    assert {f.split(" got ")[1] for f in failures} == {"refused, not open"}
    assert report.dumps == []  # nothing was applied


def test_two_labs_at_once_do_not_collide(lab_mode):
    """Unique names per run: two scenarios in parallel, each with its own namespaces."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [scenario("inbound-ssh-admin", "nftables"), scenario("inbound-ssh-admin", "rules.v4", backend="legacy")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda s: run(s, lab_mode), jobs))
    for report in reports:
        assert not report.failures(), report.failures()


# The tutorial's malformed-packet rules drop what the page says they drop


def crafted_results(block: str, lab_mode: str, label: str = "rules.v4") -> dict[str, str]:
    report = run(scenario("web-mail-server", label, block), lab_mode)
    return {c.kind: c.observed for c in report.crafted if c.family == FRONTENDS[label].families[0]}


def test_the_malformed_tcp_rules_drop_null_xmas_and_a_lone_ack(lab_mode):
    results = crafted_results(rendered("web-mail-server", "rules.v4"), lab_mode)
    assert results == {"null": "none", "xmas": "none", "ack": "none"}


def test_without_the_new_without_syn_rule_a_lone_ack_is_answered(lab_mode):
    block = without(rendered("web-mail-server", "rules.v4"), "new TCP without SYN")
    assert crafted_results(block, lab_mode)["ack"] == "rst"


def test_null_and_xmas_are_still_dropped_by_the_invalid_rule_alone(lab_mode):
    """What the page says: connection tracking classes them INVALID, the explicit rules only add clarity."""
    block = without(rendered("web-mail-server", "nftables"), "NULL packets", "XMAS packets", "all TCP flags set")
    assert crafted_results(block, lab_mode, "nftables") == {"null": "none", "xmas": "none", "ack": "none"}


def test_without_the_explicit_rules_and_the_invalid_rule_null_and_xmas_are_answered(lab_mode):
    block = without(rendered("web-mail-server", "rules.v4"), "NULL packets", "XMAS packets", "all TCP flags set",
                    "INVALID")
    assert crafted_results(block, lab_mode) == {"null": "rst", "xmas": "rst", "ack": "none"}


def test_firewalld_is_refused_in_the_rootless_mode_with_the_reason():
    from fwguide.lab.runner import unsupported

    firewalld = scenario("inbound-minimum", "firewalld")
    assert "messagebus" in unsupported(firewalld, "userns")
    assert unsupported(firewalld, "netns") is None
    assert unsupported(scenario("inbound-minimum", "ufw"), "userns") is None
    with pytest.raises(LabError, match="needs root"):
        run(firewalld, "userns")


def test_a_udp_probe_never_reuses_the_flow_of_an_earlier_one(lab):
    """A server's conntrack keeps a UDP flow it answered (the control round answers every
    port); a later probe the kernel gave the same source port would be ESTABLISHED there, let
    in by the block, and seen open where the table drops it (a suite run saw it once, issue 24).
    With one source port left, the agent refuses a second probe of the same port rather than
    reuse the flow; given a second port, it takes that one."""
    ns = lab.add("client")
    lab.batch(ns, ["link set lo up"])

    def ports(low: int, high: int) -> None:
        lab.run(ns, ["sh", "-c", f"echo '{low} {high}' > /proc/sys/net/ipv4/ip_local_port_range"])

    agent = lab.agent(ns)
    agent.receive()
    assert agent.call({"op": "listen", "addrs": ["127.0.0.1"], "ports": [["udp", 5140], ["udp", 5141]]})["ok"] == 2

    def probe(port: int) -> str:
        return agent.call({"op": "probe", "targets": [["127.0.0.1", "udp", port]], "timeout": 1})["results"][0]

    ports(40000, 40000)
    assert probe(5140) == "open"  # the control: a flow from 40000
    assert probe(5140).startswith("error:no new source port to 127.0.0.1 5140/udp")
    assert probe(5141) == "open"  # another destination, another flow: 40000 again is new there
    ports(40000, 40001)
    assert probe(5140) == "open"  # from 40001
    assert probe(5140).startswith("error:no new source port")  # both flows used
