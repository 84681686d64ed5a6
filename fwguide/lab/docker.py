"""A server that runs Docker, in the lab: the release's own docker.io, containerd and runc.

Docker runs in the server's sandbox (an overlay of the release's Docker root, see roots.py),
with its defaults as readers have them: iptables management, the userland proxy, the
default bridge. What differs is only where it keeps things: `/var/lib/docker` and
`/var/lib/containerd` are tmpfs mounts of the sandbox's private mount namespace,
`--storage-driver=vfs` (an overlay cannot hold Docker's own overlays), and the containers'
cgroups go under a parent named after the lab (`--cgroup-parent`), removed at the end.
`ip netns exec` gives the sandbox a /sys of its own, so the cgroup hierarchies are mounted
again inside it, the same as the host's.

No registry is reached: the image is made in the sandbox from busybox-static's single
binary (`docker import`). One container publishes every port of the plan with `-p`, a
busybox web server on each; it restarts with dockerd (`--restart=always`).

Everything Docker starts is ended: the containers removed, dockerd and containerd stopped
by their own pid (each wrapper execs, so the process the lab started is the daemon), and
whatever is left in the lab's cgroups ended by pid before they are removed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from . import timing
from .netns import LabError
from .sandbox import Sandbox

IMAGE = "fwguide/web"
CONTAINER = "web"
START_TIMEOUT = 30.0  # seconds containerd, then dockerd, may take to answer
STOP_TIMEOUT = 30.0
READY_TIMEOUT = 20.0  # seconds the container's web servers may take to listen
CGROUP_ROOT = Path("/sys/fs/cgroup")

# Run once in the sandbox, chrooted: the cgroup hierarchies ($@: dir:type:options, as the
# host mounts them), Docker's own state on tmpfs, and the image made from busybox alone.
SETUP = """set -e
mount -t tmpfs -o mode=755 fwguide-cgroup /sys/fs/cgroup
for spec in "$@"; do
    dir=${spec%%:*} rest=${spec#*:}; type=${rest%%:*} opts=${rest#*:}
    mkdir -p "/sys/fs/cgroup/$dir"
    if [ "$type" = cgroup2 ]; then mount -t cgroup2 cgroup2 "/sys/fs/cgroup/$dir"
    else mount -t cgroup -o "$opts" cgroup "/sys/fs/cgroup/$dir"; fi
done
for dir in /var/lib/docker /var/lib/containerd; do
    mkdir -p $dir
    mount -t tmpfs fwguide-docker $dir
done
mkdir -p /tmp/image/bin /tmp/image/www
cp /bin/busybox /tmp/image/bin/busybox
ln -s busybox /tmp/image/bin/sh
echo fwguide > /tmp/image/www/index.html
"""
# Whether the container ($1) serves each port ($2): bounded, 200 tries. Asked from inside the
# container's network namespace, so that the server's firewall, whatever state it is in, has
# no say in the answer.
READY = """pid=0
for i in $(seq 200); do
    [ "$pid" != 0 ] || pid=$(docker inspect -f '{{.State.Pid}}' "$1" 2>/dev/null) || pid=0
    [ "${pid:-0}" != 0 ] && ok=yes || { pid=0; ok=; }
    for p in $2; do
        [ -n "$ok" ] && printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nsenter -t "$pid" -n busybox nc -w 1 127.0.0.1 $p \\
            | busybox grep -q fwguide || ok=
    done
    [ -n "$ok" ] && exit 0
    sleep 0.05
done
exit 1
"""
# The container's command: a web server on each published port, then a shell that waits and
# exits on SIGTERM (a PID 1 has no default handler).
SERVE = """for p in $PORTS; do busybox httpd -p $p -h /www; done
trap 'exit 0' TERM
busybox sleep 2147483647 & wait $!
"""


class DockerHost:
    """containerd and dockerd running in a server's sandbox, with one publishing container."""

    def __init__(self, sandbox: Sandbox, tag: str):
        self.sandbox = sandbox
        self.cgroup_parent = f"/fwguide-docker-{tag}"
        self.containerd: subprocess.Popen | None = None
        self.dockerd: subprocess.Popen | None = None
        self.published: list[tuple[str, int]] = []
        sandbox.run(["sh", "-c", SETUP, "sh", *_cgroup_mounts()])

    # The daemons

    @timing.timed("daemon")
    def start(self) -> None:
        """Start containerd, then dockerd, as Debian's units do; wait until both answer."""
        self.containerd = self.sandbox.popen(["containerd"])
        self._wait("containerd", ["sh", "-c", "[ -S /run/containerd/containerd.sock ]"], self.containerd)
        self._start_dockerd()

    def _start_dockerd(self) -> None:
        """dockerd on the running containerd, as Debian's unit starts it; wait until it answers."""
        self.dockerd = self.sandbox.popen(["dockerd", "--containerd=/run/containerd/containerd.sock",
                                           "--storage-driver=vfs", f"--cgroup-parent={self.cgroup_parent}"])
        # The socket appears once dockerd has finished starting ("API listen on"); one `docker`
        # call then checks that it answers (each call is a Go program: polling with it costs).
        self._wait("dockerd", ["sh", "-c", "[ -S /run/docker.sock ] && docker version --format '{{.Server.Version}}'"],
                   self.dockerd)

    def stop_dockerd(self) -> None:
        """Stop dockerd as `systemctl stop docker` does (SIGTERM); it stops the containers."""
        _terminate(self.dockerd, "dockerd")
        self.dockerd = None

    @timing.timed("daemon")
    def restart(self) -> None:
        """`systemctl restart docker`: dockerd stopped and started again; the container comes
        back by its restart policy, and the lab waits until it serves again."""
        self.stop_dockerd()
        self._start_dockerd()
        self.wait_ready()

    # The container

    def run(self, published: list[tuple[str, int]], network: str | None = None) -> None:
        """Make the image (each server's Docker starts empty), then one container publishing
        every port with `-p`: on Docker's default bridge (docker0), or on a network of its own
        (`docker network create`, as compose makes one), whose bridge is named br-<id>."""
        if any(proto != "tcp" for proto, _ in published):
            raise LabError(f"the lab's container serves TCP ports only, not {published}")
        self.published = list(published)
        self.sandbox.run(["sh", "-c", f"tar -C /tmp/image -c . | docker import - {IMAGE}"])
        attach = []
        if network is not None:
            self.sandbox.run(["docker", "network", "create", network])
            links = self.sandbox.run(["ls", "/sys/class/net"]).stdout.split()
            if not any(link.startswith("br-") for link in links):
                raise LabError(f"docker network create {network} made no br-<id> bridge: {links}")
            attach = [f"--network={network}"]
        ports = " ".join(str(n) for _, n in published)
        publish = [f"--publish={n}:{n}" for _, n in published]
        self.sandbox.run(["docker", "run", "--detach", f"--name={CONTAINER}", "--restart=always", *attach, *publish,
                          "--env", f"PORTS={ports}", IMAGE, "/bin/busybox", "sh", "-c", SERVE])
        self.wait_ready()

    def wait_ready(self) -> None:
        """Wait (bounded) until the container runs and its web servers answer."""
        ports = " ".join(str(n) for _, n in self.published)
        result = self.sandbox.run(["sh", "-c", READY, "sh", CONTAINER, ports], check=False, timeout=READY_TIMEOUT + 10)
        if result.returncode != 0:
            logs = self.sandbox.run(["docker", "logs", CONTAINER], check=False)
            raise LabError(f"the container did not serve its ports {ports}: {logs.stdout}{logs.stderr}".strip())

    def pid(self) -> int:
        """The pid of the container's first process (in the host's view): its network
        namespace is the container's."""
        out = self.sandbox.run(["docker", "inspect", "-f", "{{.State.Pid}}", CONTAINER]).stdout.strip()
        if not out.isdigit() or out == "0":
            raise LabError(f"the container is not running (pid {out!r})")
        return int(out)

    # Teardown

    def close(self) -> None:
        """Remove the container, stop dockerd and containerd, end what is left in the lab's
        cgroups (by pid), and remove those cgroups. Safe to call twice."""
        try:
            if self.dockerd is not None and self.dockerd.poll() is None:
                self.sandbox.run(["docker", "rm", "--force", CONTAINER], check=False, timeout=STOP_TIMEOUT)
            _terminate(self.dockerd, "dockerd")
            _terminate(self.containerd, "containerd")
        finally:
            self.dockerd = self.containerd = None
            _remove_cgroups(self.cgroup_parent)

    def _wait(self, name: str, argv: list[str], process: subprocess.Popen) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise LabError(f"{name} exited with {process.returncode}: {process.stderr.read().strip()[-2000:]}")
            if self.sandbox.run(argv, check=False).returncode == 0:
                return
            time.sleep(0.05)
        process.kill()
        process.wait()
        raise LabError(f"{name} did not answer within {START_TIMEOUT:g} s: {process.stderr.read().strip()[-2000:]}")


def _terminate(process: subprocess.Popen | None, name: str) -> None:
    """SIGTERM a daemon the lab started, by its pid; SIGKILL if it does not exit in time."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise LabError(f"{name} did not stop within {STOP_TIMEOUT:g} s of SIGTERM") from None


def _cgroup_mounts() -> list[str]:
    """The host's cgroup hierarchies as dir:type:options (cpu:cgroup:cpu, unified:cgroup2:)."""
    specs = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        before, _, after = line.partition(" - ")
        point, (fstype, _, options) = before.split()[4], after.split()[:3]
        if fstype not in ("cgroup", "cgroup2") or not point.startswith(f"{CGROUP_ROOT}"):
            continue
        directory = os.path.relpath(point, CGROUP_ROOT)
        controllers = ",".join(o for o in options.split(",") if o not in ("rw", "ro"))
        specs.append(f"{'' if directory == '.' else directory}:{fstype}:{controllers}")
    return specs


def _remove_cgroups(parent: str) -> None:
    """End every process left in the lab's cgroups (they are the lab's own), then remove them,
    deepest first."""
    for hierarchy in CGROUP_ROOT.iterdir() if CGROUP_ROOT.is_dir() else ():
        top = hierarchy / parent.lstrip("/")
        if not top.is_dir():
            continue
        groups = sorted((p for p in [top, *top.rglob("*")] if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
        for group in groups:
            for pid in (group / "cgroup.procs").read_text().split() if (group / "cgroup.procs").exists() else ():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for group in groups:
            for _ in range(50):  # a killed process leaves its cgroup when it is reaped
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
