"""A sandbox: a network namespace's commands run in a private view of the filesystem.

Two kinds, both in a private mount namespace held by one process in the network namespace:

- with a release's root (`root=`): a fresh overlay on that root filesystem, with /proc,
  /sys, /dev, and empty /run and /tmp; every command runs chrooted into it, with a clean
  environment. Only the tools come from the release: the lab's probes and listeners run
  outside. The iptables backend is chosen the way a reader does, with update-alternatives,
  so every program of the release (ufw too) uses it.
- without: the host's own tools, with /etc, /root and /var as overlays on a throw-away
  copy and /run and /tmp empty.

Either way, commands that write /etc/ufw, /etc/iptables/rules.v4, schedule an `at` job or
start a daemon never touch the host's files, nor the cached root.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from . import timing
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
cd /run/fwguide-overlay # where the holder waits: how a leftover one is recognised
echo ready
exec sleep 3600
"""
# The same with a release's root: $1 is the root, $2 where to mount the overlay, $3 the
# iptables backend to select (or nothing for the release's default).
ROOT_SETUP = """set -e
root=$1 top=$2 backend=$3
mount -t tmpfs fwguide-sandbox "$top"
mkdir "$top/upper" "$top/work" "$top/merged"
mount -t overlay overlay -o "lowerdir=$root,upperdir=$top/upper,workdir=$top/work" "$top/merged"
cd "$top/merged"
mount -t proc proc proc
mount -t sysfs sysfs sys
mount --rbind /dev dev
mount --make-rslave dev
mount -t tmpfs fwguide-run run
mount -t tmpfs fwguide-tmp tmp
if [ -n "$backend" ]; then
    for tool in iptables ip6tables; do
        chroot . update-alternatives --quiet --set $tool /usr/sbin/$tool-$backend
    done
fi
echo ready
exec sleep 3600
"""
# What a chrooted command gets as its environment: nothing of the lab's process.
CHROOT_ENV = ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=/root")


class Sandbox:
    """A private filesystem view for commands run in one network namespace."""

    @timing.timed("overlay")
    def __init__(self, lab: Lab, ns: Namespace, root: Path | None = None, backend: str | None = None) -> None:
        self.lab = lab
        self.ns = ns
        self.merged: Path | None = None
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", SANDBOX_SETUP]
        if root is not None:
            assert lab.tmp is not None
            top = Path(tempfile.mkdtemp(prefix=f"{ns.role}-", dir=lab.tmp))
            self.merged = top / "merged"
            argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", ROOT_SETUP, "sh",
                    str(root), str(top), backend or ""]
        elif backend is not None:
            raise LabError("a backend is chosen in a release's root; on the host, use Lab.backend_path")
        self.holder = subprocess.Popen(lab.command(ns, argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
        lab.processes.append(self.holder)
        line = self.holder.stdout.readline()
        if line.strip() != "ready":
            raise LabError(f"the sandbox in {ns.role} did not start: {self.holder.stderr.read().strip()}")

    def command(self, argv: list[str]) -> list[str]:
        pid = self.holder.pid
        ensure_not_forbidden(f"/proc/{pid}/ns/net")
        if self.merged is not None:
            argv = ["chroot", str(self.merged), "/usr/bin/env", "-i", *CHROOT_ENV, *argv]
        # --root and --wd: entering a mount namespace resets the root directory to that
        # namespace's; keep the holder's instead (the same, unless the lab itself runs
        # chrooted, as in ./dev fresh, where the namespace's root is the outer machine's).
        return ["nsenter", f"--target={pid}", "--mount", "--net", "--root", "--wd", "--", *guarded(argv)]

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
