"""A sandbox: a network namespace's commands run in a private view of the filesystem.

A mount namespace where /etc, /root and /var are overlays on a throw-away copy and /run
and /tmp are empty: commands that write /etc/ufw, /etc/iptables/rules.v4, schedule an
`at` job or start a daemon never touch the host's files.
"""

from __future__ import annotations

import subprocess

from .netns import Lab, LabError, Namespace, ensure_not_forbidden, guarded

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
