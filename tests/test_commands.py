"""The commands of the pages that are not rule tables (snippets/commands.yml), run for real.

Each test builds the lab's network for the tutorial's table, sandboxes the server (its
/etc, /root and /var are throw-away overlays), runs the exact text of a command block and
probes what a reader would see: SSH closed after a flush alone and open after the
recovery, a rollback that brings SSH back when nobody confirms, saved files that restore
the same ruleset, a passive FTP transfer that needs the conntrack helper.
"""

from __future__ import annotations

import re
import sys
import textwrap
import time

import pytest

from fwguide.lab.network import Network
from fwguide.lab.scenario import normalise_save, start_daemon
from fwguide.loader import load_catalogue
from fwguide.render.markdown import frontends

from support import ROOT, copied

CATALOGUE = load_catalogue(ROOT / "snippets", display_root=ROOT)
FRONTENDS = {f.label: f for f in frontends()}
TABLE = "web-mail-server"
BACKENDS = ("nft", "legacy")
# (command, tab) pairs the tests below run; each test gets its text through command().
COVERED = {
    ("list-rules", "iptables"), ("list-rules", "ip6tables"), ("list-rules", "nftables"),
    ("flush-only", "iptables"), ("flush-only", "nftables"),
    ("recover", "iptables"), ("recover", "nftables"),
    ("safe-apply", "iptables"), ("safe-apply", "ip6tables"), ("safe-apply", "nftables"),
    ("safe-apply-confirm", ""),
    ("save", "Debian / Ubuntu"), ("save", "RHEL / Fedora"), ("save", "nftables"),
    ("firewalld-permanent", ""), ("firewalld-undo", ""),
}


def command(command_id: str, label: str = "") -> str:
    assert (command_id, label) in COVERED, (command_id, label)
    return copied(CATALOGUE.commands[command_id].variant(label).text)


def block(label: str, table: str = TABLE) -> str:
    return FRONTENDS[label].render(CATALOGUE.ruleset(table))


def without(text: str, pattern: str) -> str:
    """A block with the lines matching a pattern removed (checking there were some)."""
    kept = [line for line in text.splitlines(keepends=True) if not re.search(pattern, line)]
    assert len(kept) < len(text.splitlines()), pattern
    return "".join(kept)


def wait_for(check, seconds: float = 5.0) -> bool:
    """Poll `check` until it is true, for a bounded time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.fixture
def net(lab) -> Network:
    return Network(lab, CATALOGUE, TABLE)


def env_for(net: Network, backend: str) -> dict:
    return {"PATH": net.lab.backend_path(backend)}


def apply_iptables(net: Network, backend: str, table: str = TABLE) -> dict:
    env = env_for(net, backend)
    for label in ("iptables", "ip6tables"):
        net.server.shell(block(label, table), env=env)
    return env


def ssh(net: Network) -> dict[tuple[str, int], str]:
    return net.reachable(22)


ADMIN_ONLY = {("anyone", 4): "timeout", ("anyone", 6): "timeout",
              ("client-admin", 4): "open", ("client-admin", 6): "open"}
NOBODY = {key: "timeout" for key in ADMIN_ONLY}
EVERYONE = {key: "open" for key in ADMIN_ONLY}


# Listing the rules


@pytest.mark.parametrize("backend", BACKENDS)
def test_listing_shows_every_rule_of_the_table(net, backend):
    env = apply_iptables(net, backend)
    for label, family in (("iptables", 4), ("ip6tables", 6)):
        out = net.server.shell(command("list-rules", label), env=env).stdout
        assert "Chain INPUT (policy DROP" in out
        for rule in net.ruleset.rules:
            assert f"dpt:{rule.ports[0].first}" in out, (label, rule.name)
        assert net.address("client-admin", family) in out
        assert "NULL packets" in out and "new TCP without SYN" in out


def test_listing_shows_the_nftables_ruleset(net):
    net.server.run(["nft", "-f", "-"], input=block("nftables"))
    out = net.server.shell(command("list-rules", "nftables")).stdout
    for rule in net.ruleset.rules:
        assert f"tcp dport {rule.ports[0].first} accept" in out, rule.name
    assert "policy drop" in out


# Locked out: a flush alone is not enough, the recovery is


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_flush_alone_keeps_the_server_closed_and_the_recovery_opens_it(net, backend):
    env = apply_iptables(net, backend)
    assert ssh(net) == ADMIN_ONLY
    net.server.shell(command("flush-only", "iptables"), env=env)
    assert ssh(net) == NOBODY
    assert set(net.reachable(443).values()) == {"timeout"}
    net.server.shell(command("recover", "iptables"), env=env)
    assert ssh(net) == EVERYONE
    assert set(net.reachable(443).values()) == {"open"}


def test_a_flush_of_the_nftables_table_keeps_it_closed_and_deleting_it_opens_it(net):
    net.server.run(["nft", "-f", "-"], input=block("nftables"))
    assert ssh(net) == ADMIN_ONLY
    net.server.shell(command("flush-only", "nftables"))
    assert ssh(net) == NOBODY
    net.server.shell(command("recover", "nftables"))
    assert ssh(net) == EVERYONE


# Applying safely, with an automatic rollback


SHORT = 2  # seconds: the tests' stand-in for the page's 60


def iptables_apply(net: Network, label: str, env: dict):
    """Start the page's iptables-apply line, the delay shortened and nothing else changed."""
    text = command("safe-apply", label)
    short = text.replace("-t 60 ", f"-t {SHORT} ")
    assert short != text and short.replace(f"-t {SHORT} ", "-t 60 ") == text
    net.server.run(["mkdir", "-p", "/etc/iptables"])  # what the iptables-persistent package creates
    # The reader types the line into an interactive shell; iptables-apply reads the answer from it.
    return net.server.popen(["bash", "-euo", "pipefail", "-c", short], env=env)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("label, family", [("iptables", 4), ("ip6tables", 6)])
def test_iptables_apply_brings_the_old_rules_back_without_an_answer(net, backend, label, family):
    env = apply_iptables(net, backend)
    restore = "rules.v4" if family == 4 else "rules.v6"
    net.server.write(f"/root/{restore}", without(block(restore), r"--dport 22 "))
    process = iptables_apply(net, label, env)
    assert wait_for(lambda: net.probe("client-admin", family, 22) == "timeout"), "the new rules never applied"
    out, _ = process.communicate(timeout=SHORT + 10)  # nobody answers
    assert process.returncode == 255, out
    assert "Timeout!" in out
    assert net.probe("client-admin", family, 22) == "open"
    assert net.server.run(["test", "-e", f"/etc/iptables/{restore}"], check=False).returncode != 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_iptables_apply_keeps_the_new_rules_once_confirmed(net, backend):
    env = apply_iptables(net, backend)
    net.server.write("/root/rules.v4", block("rules.v4", "web-mail-legacy"))
    assert net.probe("anyone", 4, 143) == "timeout"
    process = iptables_apply(net, "iptables", env)
    assert wait_for(lambda: net.probe("anyone", 4, 143) == "open"), "the new rules never applied"
    out, _ = process.communicate("y", timeout=SHORT + 10)
    assert process.returncode == 0, out
    time.sleep(SHORT + 0.5)  # past the delay: nothing comes back
    assert net.probe("anyone", 4, 143) == "open"
    saved = net.server.read("/etc/iptables/rules.v4")
    assert normalise_save(saved) == normalise_save(net.server.run(["iptables-save"], env=env).stdout)


def nft_safe_apply(net: Network, new_ruleset: str) -> None:
    net.server.run(["nft", "-f", "-"], input=block("nftables"))
    net.server.write("/root/firewall.nft", new_ruleset)
    net.server.shell(command("safe-apply", "nftables"))
    assert re.search(r" f \S+$", net.server.run(["atq", "-q", "f"]).stdout.strip())  # the rollback is scheduled


def minutes_pass(net: Network) -> None:
    """Three minutes pass for atd: it runs, once, every job that is due by then."""
    net.server.run(["faketime", "-f", "+3m", "atd", "-s"])


def test_the_nftables_rollback_brings_the_old_rules_back_without_a_confirmation(net):
    nft_safe_apply(net, without(block("nftables"), r"tcp dport 22 "))
    assert ssh(net) == NOBODY
    minutes_pass(net)
    assert wait_for(lambda: ssh(net) == ADMIN_ONLY), "the rollback did not run"


def test_the_nftables_rollback_is_cancelled_by_the_confirmation(net):
    nft_safe_apply(net, block("nftables", "web-mail-legacy"))
    assert net.probe("anyone", 4, 143) == "open"
    net.server.shell(command("safe-apply-confirm"))
    assert net.server.run(["atq", "-q", "f"]).stdout == ""
    minutes_pass(net)
    time.sleep(1)
    assert net.probe("anyone", 4, 143) == "open"
    assert ssh(net) == ADMIN_ONLY


# Saving across reboots


STUB = '#!/bin/sh\necho "$(basename "$0") $*" >> /run/stubs.log\n'
SAVED = {
    "Debian / Ubuntu": ("/etc/iptables", {4: "/etc/iptables/rules.v4", 6: "/etc/iptables/rules.v6"},
                        ["apt install iptables-persistent"]),
    "RHEL / Fedora": ("/etc/sysconfig", {4: "/etc/sysconfig/iptables", 6: "/etc/sysconfig/ip6tables"},
                      ["dnf install iptables-services", "systemctl disable --now firewalld",
                       "systemctl enable --now iptables ip6tables"]),
}


def with_stubs(net: Network, env: dict | None = None) -> dict:
    """Package managers and systemctl replaced by stubs that log their arguments: the lab has
    neither a package archive nor systemd. Everything else in the block runs for real."""
    for name in ("apt", "dnf", "systemctl"):
        net.server.write(f"/run/stubs/{name}", STUB)
        net.server.run(["chmod", "+x", f"/run/stubs/{name}"])
    path = (env or {}).get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    return {"PATH": f"/run/stubs:{path}"}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("system", SAVED)
def test_the_saved_files_restore_the_same_ruleset(net, backend, system):
    directory, files, calls = SAVED[system]
    env = with_stubs(net, apply_iptables(net, backend))
    net.server.run(["mkdir", "-p", directory])  # what the package creates
    net.server.shell(command("save", system), env=env)
    assert net.server.read("/run/stubs.log").splitlines() == calls
    fresh = net.lab.add("fresh")
    for family, path in files.items():
        tool = "iptables" if family == 4 else "ip6tables"
        net.lab.run(fresh, [f"{tool}-restore"], input=net.server.read(path), env=env_for(net, backend))
        restored = net.lab.run(fresh, [f"{tool}-save"], env=env_for(net, backend)).stdout
        current = net.server.run([f"{tool}-save"], env=env_for(net, backend)).stdout
        assert normalise_save(restored) == normalise_save(current), (system, family)


def test_the_saved_nftables_file_restores_the_same_ruleset(net):
    net.server.write("/root/firewall.nft", block("nftables"))  # the reader saved the block there
    net.server.run(["nft", "-f", "/root/firewall.nft"])
    env = with_stubs(net)
    net.server.shell(command("save", "nftables"), env=env)
    assert net.server.read("/run/stubs.log").splitlines() == ["systemctl enable nftables"]
    fresh = net.lab.add("fresh")
    net.lab.run(fresh, ["nft", "-f", "-"], input=net.server.read("/etc/nftables.conf"))
    assert net.lab.run(fresh, ["nft", "list", "ruleset"]).stdout == net.server.run(["nft", "list", "ruleset"]).stdout


# firewalld: runtime first, permanent once tested


def test_firewalld_runtime_rules_are_undone_by_a_reload_and_kept_once_permanent(lab):
    net = Network(lab, CATALOGUE, "inbound-ssh-admin")
    start_daemon(net.server, "firewalld")
    assert ssh(net)[("anyone", 4)] == "open"  # firewalld's own default: SSH open to all
    net.server.shell(block("firewalld", "inbound-ssh-admin"))
    assert ssh(net) == ADMIN_ONLY
    net.server.shell(command("firewalld-undo"))  # not permanent yet: the reload undoes it
    assert ssh(net)[("anyone", 4)] == "open"
    net.server.shell(block("firewalld", "inbound-ssh-admin"))
    net.server.shell(command("firewalld-permanent"))
    net.server.shell(command("firewalld-undo"))  # now the reload keeps it
    assert ssh(net) == ADMIN_ONLY
    assert set(net.reachable(443).values()) == {"open"}


# FTP through the conntrack helper


FTP_SERVER = textwrap.dedent("""
    import sys, tempfile, pathlib
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer
    root = tempfile.mkdtemp()
    pathlib.Path(root, "hello.txt").write_text("hello through the helper\\n")
    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(root)
    FTPHandler.authorizer = authorizer
    server = FTPServer((sys.argv[1], 21), FTPHandler)
    print("ready", flush=True)
    server.serve_forever(timeout=0.1)
""")
FTP_CLIENT = textwrap.dedent("""
    import ftplib, io, sys
    ftp = ftplib.FTP(timeout=2)
    ftp.connect(sys.argv[1], 21)
    ftp.login()
    data = io.BytesIO()
    try:
        ftp.retrbinary("RETR hello.txt", data.write)  # passive mode: PASV, or EPSV over IPv6
    except OSError as exc:
        print("data connection failed:", type(exc).__name__)
    else:
        print(data.getvalue().decode().strip())
""")
FTP_FORMS = [("rules.v4", "legacy", 4), ("rules.v6", "nft", 6), ("nftables", None, 4), ("nftables", None, 6)]


@pytest.mark.parametrize("label, backend, family", FTP_FORMS,
                         ids=[f"{label}-{backend or 'nft'}-v{family}" for label, backend, family in FTP_FORMS])
@pytest.mark.parametrize("helper", [True, False], ids=["with-helper", "without-helper"])
def test_a_passive_ftp_transfer_needs_the_helper(lab, label, backend, family, helper):
    net = Network(lab, CATALOGUE, "web-mail-ftp")
    text = block(label, "web-mail-ftp")
    if not helper:  # the control: the same block without the lines that attach the helper
        text = without(text, r"CT --helper|ct helper set")
    env = env_for(net, backend) if backend else None
    net.server.run(list(FRONTENDS[label].apply), input=text, env=env)
    address = "198.51.100.2" if family == 4 else "2001:db8:5::2"  # the address nothing else listens on
    server = lab.spawn(net.hosts["server"], [sys.executable, "-c", FTP_SERVER, address])
    assert server.stdout.readline().strip() == "ready"
    result = lab.run(net.hosts["client-admin"], [sys.executable, "-c", FTP_CLIENT, address], timeout=30)
    expected = "hello through the helper" if helper else "data connection failed: TimeoutError"
    assert result.stdout.strip() == expected, result.stderr


def test_every_command_and_variant_has_a_test_here():
    """A command added to snippets/commands.yml fails this until a test above runs it."""
    wanted = {(c.id, v.label) for c in CATALOGUE.commands.values() for v in c.variants}
    assert wanted == COVERED
