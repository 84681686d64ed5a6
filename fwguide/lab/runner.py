"""Run a scenario as root (`ip netns` in this process) or rootless (inside a user namespace).

Rootless, the scenario runs in a child started with
`unshare --user --map-root-user --net --mount`: root inside its own user namespace, with a
private /run so `ip netns` works, and nothing it creates outlives it. The child gets the
scenario as JSON on standard input and prints the report as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .netns import FORBIDDEN_ENV, LabError, forbidden_namespaces
from .scenario import Report, Scenario, frontend_by_label, run_scenario

MODES = ("netns", "userns")
USERNS = ["unshare", "--user", "--map-root-user", "--net", "--mount"]
# In the child: a private /run (so /run/netns is ours), then the scenario.
USERNS_SETUP = "mount -t tmpfs -o mode=0755 fwguide-run /run && mkdir /run/netns && exec \"$@\""


CAP_NET_ADMIN, CAP_SYS_ADMIN = 12, 21


def privileged() -> bool:
    """Whether this process may create namespaces and mount (root with its capabilities)."""
    status = Path("/proc/self/status").read_text()
    effective = int(next(line.split()[1] for line in status.splitlines() if line.startswith("CapEff:")), 16)
    return all(effective >> cap & 1 for cap in (CAP_NET_ADMIN, CAP_SYS_ADMIN))


def default_mode() -> str:
    return "netns" if privileged() else "userns"


def unavailable(mode: str) -> str | None:
    """Why the lab cannot run in `mode` on this machine, or None when it can."""
    for tool in ("ip", "unshare", "nft", "iptables-nft", "iptables-legacy"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (run ./dev test, which installs it)"
    if mode == "netns":
        if not privileged():
            return "the netns mode needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)"
        return None
    probe = subprocess.run([*USERNS, "sh", "-c", USERNS_SETUP, "sh", "ip", "netns", "add", "probe"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return f"cannot create a user + network namespace here: {probe.stderr.strip()}"
    return None


def unsupported(scenario: Scenario, mode: str) -> str | None:
    """Why this scenario cannot run in `mode`, or None."""
    frontend = frontend_by_label(scenario.frontend)
    if mode == "userns" and scenario.release:
        return (f"a Debian release's root needs root: its files belong to root, whom a rootless user "
                f"namespace does not map (the overlay cannot copy them up); run as root for {scenario.release}")
    if mode == "userns" and frontend.daemon:
        return (f"{frontend.daemon} needs root: its D-Bus daemon switches to the messagebus user, "
                "which a rootless user namespace (one mapped uid) does not have")
    return None


def run(scenario: Scenario, mode: str | None = None) -> Report:
    """Run one scenario in the given mode (default: netns as root, userns otherwise)."""
    mode = mode or default_mode()
    reason = unsupported(scenario, mode)
    if reason:
        raise LabError(reason)
    if mode == "netns":
        return run_scenario(scenario)
    if mode != "userns":
        raise LabError(f"unknown lab mode {mode!r} (known: {', '.join(MODES)})")
    scenario = Scenario(**{**scenario.__dict__, "snippets": str(Path(scenario.snippets).resolve())})
    env = {**os.environ, FORBIDDEN_ENV: " ".join(forbidden_namespaces())}
    child = subprocess.run(
        [*USERNS, "sh", "-c", USERNS_SETUP, "sh", sys.executable, "-m", "fwguide.lab.runner"],
        input=json.dumps(scenario.__dict__), capture_output=True, text=True, env=env, timeout=300,
    )
    if child.returncode != 0:
        raise LabError(f"the rootless lab failed (exit {child.returncode}): {child.stderr.strip()}")
    return Report.from_dict(json.loads(child.stdout))


def main() -> int:
    """The child's side: a scenario on standard input, its report on standard output."""
    scenario = Scenario(**json.load(sys.stdin))
    print(json.dumps(run_scenario(scenario).to_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
