"""The commands of the pages that are not rule tables (snippets/commands.yml), run for real.

Each test builds the lab's network for the tutorial's table, sandboxes the server (its
/etc, /root and /var are throw-away overlays), runs the exact text of a command block and
probes what a reader would see: SSH closed after a flush alone and open after the
recovery, a rollback that brings SSH back when nobody confirms, saved files that restore
the same ruleset, a passive FTP transfer that needs the conntrack helper. The ufw and
firewalld procedures run with each Debian release's own tools (fwguide/releases.toml),
in a fresh overlay of its root; what they keep comes back in a fresh one, the machine
after a reboot.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import textwrap
import time

import pytest

from fwguide.lab import timing
from fwguide.lab.network import Network
from fwguide.lab.sandbox import Sandbox
from fwguide.lab.scenario import dump, normalise_save, start_daemon
from fwguide.loader import load_catalogue
from fwguide.releases import releases
from fwguide.render import fail2ban
from fwguide.render.markdown import frontends

from support import ROOT, copied

CATALOGUE = load_catalogue(ROOT / "snippets", display_root=ROOT)
FRONTENDS = {f.label: f for f in frontends()}
TABLE = "web-mail-server"
# The tutorial's table drops malformed TCP explicitly, which firewalld cannot: its procedures
# are proven with the basics page's table that the tutorial sends firewalld readers to.
FIREWALLD_TABLE = "inbound-ssh-admin"
BACKENDS = ("nft", "legacy")
# (command, tab) pairs the tests below run; each test gets its text through command().
COVERED = {
    ("list-rules", "iptables"), ("list-rules", "ip6tables"), ("list-rules", "nftables"),
    ("list-rules", "ufw"), ("list-rules", "firewalld"),
    ("flush-only", "iptables"), ("flush-only", "nftables"),
    ("recover", "iptables"), ("recover", "nftables"), ("recover", "ufw"), ("recover", "firewalld"),
    ("safe-apply", "iptables"), ("safe-apply", "ip6tables"), ("safe-apply", "nftables"),
    ("safe-apply", "ufw"), ("safe-apply", "firewalld"),
    ("safe-apply-confirm", "nftables"), ("safe-apply-confirm", "ufw"), ("safe-apply-confirm", "firewalld"),
    ("save", "Debian / Ubuntu"), ("save", "RHEL / Fedora"), ("save", "nftables"),
    ("save", "ufw"), ("save", "firewalld"),
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
    with timing.span("window", "wait_for"):  # real time: a scheduled job, a delay
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
    with timing.span("window", "past the delay"):
        time.sleep(SHORT + 0.5)  # past the delay: nothing comes back
    assert net.probe("anyone", 4, 143) == "open"
    saved = net.server.read("/etc/iptables/rules.v4")
    assert normalise_save(saved) == normalise_save(net.server.run(["iptables-save"], env=env).stdout)


def rollback_scheduled(net: Network) -> bool:
    """One job waits in at's queue f, as the safe-apply blocks schedule it."""
    return re.search(r" f \S+$", net.server.run(["atq", "-q", "f"]).stdout.strip()) is not None


def nft_safe_apply(net: Network, new_ruleset: str) -> None:
    net.server.run(["nft", "-f", "-"], input=block("nftables"))
    net.server.write("/root/firewall.nft", new_ruleset)
    net.server.shell(command("safe-apply", "nftables"))
    assert rollback_scheduled(net)


def minutes_pass(net: Network) -> None:
    """Three minutes pass for atd: it runs, once, every job that is due by then. Returns once
    they have ended: atq lists a running job until it ends."""
    net.server.run(["faketime", "-f", "+3m", "atd", "-s"])
    assert wait_for(lambda: net.server.run(["atq"]).stdout == "", seconds=30), "an at job did not end"


def test_the_nftables_rollback_brings_the_old_rules_back_without_a_confirmation(net):
    nft_safe_apply(net, without(block("nftables"), r"tcp dport 22 "))
    assert ssh(net) == NOBODY
    minutes_pass(net)
    assert wait_for(lambda: ssh(net) == ADMIN_ONLY), "the rollback did not run"


def test_the_nftables_rollback_is_cancelled_by_the_confirmation(net):
    nft_safe_apply(net, block("nftables", "web-mail-legacy"))
    assert net.probe("anyone", 4, 143) == "open"
    net.server.shell(command("safe-apply-confirm", "nftables"))
    assert net.server.run(["atq", "-q", "f"]).stdout == ""
    minutes_pass(net)
    time.sleep(1)
    assert net.probe("anyone", 4, 143) == "open"
    assert ssh(net) == ADMIN_ONLY


# Saving across reboots


STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> /run/stubs.log
# systemctl stop UNIT: SIGTERM to the unit's main process, as systemd sends it, when the test
# wrote that process's pid (never found by name: other tests run the same daemons on this host).
if [ "$(basename "$0") $1" = "systemctl stop" ] && [ -f "/run/stubs/$2.pid" ]; then
    kill -TERM "$(cat "/run/stubs/$2.pid")"
fi
"""
SAVED = {
    "Debian / Ubuntu": ("/etc/iptables", {4: "/etc/iptables/rules.v4", 6: "/etc/iptables/rules.v6"},
                        ["apt install iptables-persistent"]),
    "RHEL / Fedora": ("/etc/sysconfig", {4: "/etc/sysconfig/iptables", 6: "/etc/sysconfig/ip6tables"},
                      ["dnf install iptables-services", "systemctl disable --now firewalld",
                       "systemctl enable --now iptables ip6tables"]),
}


def with_stubs(net: Network, env: dict | None = None) -> dict | None:
    """Package managers and systemctl replaced by stubs that log their arguments: the lab has
    neither a package archive nor systemd. Everything else in the block runs for real.

    In a release's root the stubs go to /usr/local/sbin, first on the PATH of every chrooted
    command (the overlay is thrown away with the sandbox); with the host's tools, to /run/stubs,
    put first on the PATH this returns."""
    directory = "/usr/local/sbin" if net.release else "/run/stubs"
    for name in ("apt", "dnf", "systemctl"):
        net.server.write(f"{directory}/{name}", STUB)
        net.server.run(["chmod", "+x", f"{directory}/{name}"])
    if net.release:
        return env
    path = (env or {}).get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    return {"PATH": f"/run/stubs:{path}"}


def stub_calls(net: Network) -> list[str]:
    return net.server.read("/run/stubs.log").splitlines()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("system", SAVED)
def test_the_saved_files_restore_the_same_ruleset(net, backend, system):
    directory, files, calls = SAVED[system]
    env = with_stubs(net, apply_iptables(net, backend))
    net.server.run(["mkdir", "-p", directory])  # what the package creates
    net.server.shell(command("save", system), env=env)
    assert stub_calls(net) == calls
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
    assert stub_calls(net) == ["systemctl enable nftables"]
    fresh = net.lab.add("fresh")
    net.lab.run(fresh, ["nft", "-f", "-"], input=net.server.read("/etc/nftables.conf"))
    assert net.lab.run(fresh, ["nft", "list", "ruleset"]).stdout == net.server.run(["nft", "list", "ruleset"]).stdout


# firewalld: runtime first, permanent once tested


def test_firewalld_runtime_rules_are_undone_by_a_reload_and_kept_once_permanent(lab):
    net = Network(lab, CATALOGUE, FIREWALLD_TABLE)
    start_daemon(net.server, "firewalld")
    assert ssh(net)[("anyone", 4)] == "open"  # firewalld's own default: SSH open to all
    net.server.shell(block("firewalld", FIREWALLD_TABLE))
    assert ssh(net) == ADMIN_ONLY
    net.server.shell(command("firewalld-undo"))  # not permanent yet: the reload undoes it
    assert ssh(net)[("anyone", 4)] == "open"
    net.server.shell(block("firewalld", FIREWALLD_TABLE))
    net.server.shell(command("firewalld-permanent"))
    net.server.shell(command("firewalld-undo"))  # now the reload keeps it
    assert ssh(net) == ADMIN_ONLY
    assert set(net.reachable(443).values()) == {"open"}


# ufw and firewalld, with each Debian release's own tools


RELEASES = [r.codename for r in releases()]
# What each front-end keeps on disk for the next boot: ufw's rule files and its default
# policies (/etc/default/ufw), firewalld's permanent configuration.
KEPT = {"ufw": ("etc/ufw", "etc/default/ufw"), "firewalld": ("etc/firewalld",)}
NOT_IN_THE_TABLE = 143  # a catalogue port (a listener answers) that the tutorial's table never opens


def release_net(lab, release: str) -> Network:
    return Network(lab, CATALOGUE, TABLE, release=release)


def copy_kept(net: Network, target: Sandbox, frontend: str) -> None:
    """The files the front-end keeps, copied with their modes from the server to `target`."""
    archive = net.server.run(["sh", "-c", 'tar -C / -cz "$@" | base64 -w0', "sh", *KEPT[frontend]]).stdout
    target.run(["sh", "-c", "base64 -d | tar -C / -xz"], input=archive)


def boot_ufw(sandbox: Sandbox) -> None:
    """What boot runs for ufw: the ExecStart line of the release's own ufw.service."""
    unit = sandbox.read("/lib/systemd/system/ufw.service")
    sandbox.shell(re.search(r"^ExecStart=(.+)$", unit, re.M).group(1) + "\n")


def ufw_ruleset(sandbox: Sandbox) -> str:
    return dump(sandbox, FRONTENDS["ufw"], None)


def firewalld_ruleset(sandbox: Sandbox) -> dict[tuple[str, ...], list[str]]:
    """`nft list ruleset` as each table's and chain's lines, every run of adjacent accept rules
    sorted: firewalld keeps rich rules in a set, so after a restart two of them may swap places
    in their chain (bookworm's does), which changes no verdict. Any other order counts."""
    blocks: dict[tuple[str, ...], list[str]] = {}
    nesting: list[str] = []
    for line in map(str.strip, dump(sandbox, FRONTENDS["firewalld"], None).splitlines()):
        if re.search(r"\{( # .*)?$", line):  # trixie's nft names a table's owner: `{ # progname firewalld`
            nesting.append(line)
            blocks.setdefault(tuple(nesting), [])
        elif line == "}":
            nesting.pop()
        elif line:  # a rule, or a comment outside any table (trixie's nft warns about iptables-nft's)
            blocks.setdefault(tuple(nesting), []).append(line)
    return {where: [rule for accept, run in itertools.groupby(lines, lambda r: r.endswith(" accept"))
                    for rule in (sorted(run) if accept else run)]
            for where, lines in blocks.items()}


def closed(net: Network, port: int) -> bool:
    """A firewall keeps every client from the port, over both families: dropped, or rejected
    with an ICMP error (firewalld's default zone rejects)."""
    return set(net.reachable(port).values()) <= {"timeout", "unreachable", "denied"}


def opened(net: Network, port: int) -> bool:
    return set(net.reachable(port).values()) == {"open"}


def safe_apply(net: Network, label: str, text: str) -> None:
    """The page's safe apply for a front-end: the rollback scheduled first, then its block pasted."""
    net.server.shell(command("safe-apply", label))
    assert rollback_scheduled(net)
    net.server.shell(text)


def confirmed_safe_apply(net: Network, label: str) -> None:
    """The table's block applied safely and confirmed: time passes, and nothing comes back."""
    safe_apply(net, label, block(label, FIREWALLD_TABLE if label == "firewalld" else TABLE))
    assert ssh(net) == ADMIN_ONLY
    net.server.shell(command("safe-apply-confirm", label))
    assert net.server.run(["atq"]).stdout == ""
    minutes_pass(net)
    assert ssh(net) == ADMIN_ONLY


# Each front-end in the page's order: applied safely and confirmed, listed, kept, and back
# after a reboot; then locked out, the rollback; then locked out, the recovery from the console.


@pytest.mark.parametrize("release", RELEASES)
def test_ufw_applied_safely_confirmed_listed_and_loaded_again_at_boot(lab, release):
    net = release_net(lab, release)
    with_stubs(net)
    assert ssh(net) == EVERYONE  # the control: no firewall yet
    confirmed_safe_apply(net, "ufw")

    listing = net.server.shell(command("list-rules", "ufw")).stdout
    assert "Status: active" in listing
    assert "Default: deny (incoming), allow (outgoing)" in listing
    for rule in net.ruleset.rules:
        assert f"{rule.ports[0].first}/tcp " in listing, rule.name
    assert net.address("client-admin", 4) in listing and net.address("client-admin", 6) in listing
    assert re.search(r"^\[ 1\] ", listing, re.M)  # numbered: what `ufw delete NUMBER` takes

    net.server.shell(command("save", "ufw"))
    assert stub_calls(net) == ["systemctl enable ufw"]
    # What the page says: the package already enabled the service when it was installed.
    net.server.run(["test", "-L", "/etc/systemd/system/multi-user.target.wants/ufw.service"])
    rebooted = net.fresh_server()
    assert ufw_ruleset(rebooted) != ufw_ruleset(net.server)  # the control: nothing loaded yet
    copy_kept(net, rebooted, "ufw")
    boot_ufw(rebooted)
    assert ufw_ruleset(rebooted) == ufw_ruleset(net.server)


@pytest.mark.parametrize("release", RELEASES)
def test_the_ufw_rollback_turns_ufw_off_without_a_confirmation(lab, release):
    net = release_net(lab, release)
    assert ssh(net) == EVERYONE  # the control: no firewall yet
    safe_apply(net, "ufw", without(block("ufw"), r" port 22 "))
    assert ssh(net) == NOBODY
    minutes_pass(net)
    assert ssh(net) == EVERYONE
    assert opened(net, NOT_IN_THE_TABLE)  # no firewall at all, not the rules from before
    assert "Status: inactive" in net.server.run(["ufw", "status"]).stdout


@pytest.mark.parametrize("release", RELEASES)
def test_ufw_disable_opens_a_locked_out_server_and_it_stays_open_at_boot(lab, release):
    net = release_net(lab, release)
    assert ssh(net) == EVERYONE  # the control: no firewall yet
    net.server.shell(without(block("ufw"), r" port 22 "))
    assert ssh(net) == NOBODY
    net.server.shell(command("recover", "ufw"))
    assert ssh(net) == EVERYONE
    assert opened(net, NOT_IN_THE_TABLE)  # no firewall at all
    rebooted = net.fresh_server()
    copy_kept(net, rebooted, "ufw")
    boot_ufw(rebooted)  # the same boot loads the kept rules while ufw is enabled (above)
    assert ufw_ruleset(rebooted) == ""


def firewalld_server(lab, release: str) -> tuple[Network, subprocess.Popen]:
    """The network with firewalld running on the server as installed (its default zone lets SSH
    in, nothing else of the table), the stubs in place, and `systemctl stop firewalld` able to
    stop it."""
    net = Network(lab, CATALOGUE, FIREWALLD_TABLE, release=release)
    with_stubs(net)
    daemon = start_daemon(net.server, "firewalld")
    net.server.write("/run/stubs/firewalld.pid", f"{daemon.pid}\n")
    assert ssh(net) == EVERYONE and closed(net, 443)  # the controls: one port answers, one does not
    return net, daemon


@pytest.mark.parametrize("release", RELEASES)
def test_firewalld_applied_safely_confirmed_listed_and_loaded_again_at_boot(lab, release):
    net, _ = firewalld_server(lab, release)
    as_installed = firewalld_ruleset(net.server)
    confirmed_safe_apply(net, "firewalld")
    net.server.shell(command("firewalld-undo"))  # back to the permanent rules: now the same
    assert ssh(net) == ADMIN_ONLY

    listing = net.server.shell(command("list-rules", "firewalld")).stdout
    assert re.search(r"^drop\n  sources: 0\.0\.0\.0/0 ::/0$", listing, re.M)  # the zone in use, for all
    services = re.search(r"^  services: (.*)$", listing, re.M).group(1).split()
    assert sorted(services) == sorted(r.firewalld for r in net.ruleset.rules if r.peer.is_any)
    for family in (4, 6):
        assert re.search(rf'source address="{net.address("client-admin", family)}" service name="ssh" accept',
                         listing)

    net.server.shell(command("save", "firewalld"))
    assert stub_calls(net) == ["systemctl enable firewalld"]
    kept = firewalld_ruleset(net.server)
    assert kept != as_installed  # the control: firewalld's default ruleset differs
    rebooted = net.fresh_server()
    copy_kept(net, rebooted, "firewalld")
    start_daemon(rebooted, "firewalld")
    assert firewalld_ruleset(rebooted) == kept


@pytest.mark.parametrize("release", RELEASES)
def test_the_firewalld_rollback_returns_to_the_permanent_rules_without_a_confirmation(lab, release):
    net, _ = firewalld_server(lab, release)
    safe_apply(net, "firewalld", without(block("firewalld", FIREWALLD_TABLE), r"service name=ssh"))
    assert ssh(net) == NOBODY and opened(net, 443)
    minutes_pass(net)
    assert ssh(net) == EVERYONE
    assert closed(net, 443)  # still protected: the permanent rules are in force


@pytest.mark.parametrize("release", RELEASES)
def test_firewalld_reload_lets_you_in_protected_and_stopping_it_leaves_no_firewall(lab, release):
    net, daemon = firewalld_server(lab, release)
    net.server.shell(without(block("firewalld", FIREWALLD_TABLE), r"service name=ssh"))
    assert ssh(net) == NOBODY and opened(net, 443)
    net.server.shell(command("firewalld-undo"))
    assert ssh(net) == EVERYONE  # back in...
    assert closed(net, 443)  # ...and protected: the permanent rules are in force
    net.server.shell(command("recover", "firewalld"))
    assert stub_calls(net) == ["systemctl stop firewalld"]
    assert daemon.wait(timeout=30) == 0  # what systemctl waits for before it returns
    assert ssh(net) == EVERYONE
    assert opened(net, 443) and opened(net, NOT_IN_THE_TABLE)  # no firewall at all
    assert "firewalld" not in net.server.run(["nft", "list", "ruleset"]).stdout


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


# Commands another test file runs, with its own lab: fail2ban's (tests/test_fail2ban.py runs
# fail2ban.RELOAD after every form).
ELSEWHERE = {(fail2ban.RELOAD, "")}


def test_every_command_and_variant_has_a_test_here():
    """A command added to snippets/commands.yml fails this until a test above (or the file
    ELSEWHERE names) runs it."""
    wanted = {(c.id, v.label) for c in CATALOGUE.commands.values() for v in c.variants}
    assert wanted == COVERED | ELSEWHERE
