"""The root filesystem of each Debian release the blocks are proven with (releases.toml).

mmdebstrap builds it from Debian's archive: the minbase variant plus the release's `lab`
packages (both iptables backends, nftables, ufw, firewalld, its D-Bus daemon, and what the
procedures of the pages use: sysctl, at, faketime for the tests' clock). It is
cached outside the work tree, under a name that hashes the mmdebstrap command line, so a
changed package list gives a new root. A build goes to a temporary name and is renamed
once mmdebstrap succeeded and the tool versions were read; a directory without its
versions file is a half-built one, removed and rebuilt. A lock file per release keeps
parallel test workers from building the same root twice.

The lab never changes a cached root: each block gets a fresh overlay on top of it
(see `sandbox.py`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..releases import Release, release as release_named, tool_packages
from . import timing
from .netns import LabError

MMDEBSTRAP = ["--variant=minbase", "--mode=unshare", "--format=directory", "--quiet"]
BUILD_TIMEOUT = 900  # seconds; 30-45 s with a reachable archive


def cache_dir() -> Path:
    """Where roots and downloads are kept between runs: never inside the work tree."""
    if os.environ.get("FWGUIDE_CACHE"):
        return Path(os.environ["FWGUIDE_CACHE"])
    return Path("/var/cache/fwguide") if os.geteuid() == 0 else Path.home() / ".cache" / "fwguide"


@dataclass(frozen=True)
class Root:
    """A built root: where it is, and the versions of what it holds."""

    release: Release
    path: Path
    packages: dict[str, str]  # Debian package -> exact version (1.8.9-2)
    tools: dict[str, str]  # tool -> upstream version (iptables -> 1.8.9)


# The tools a Docker host's proof names besides the firewall's: tool -> Debian package.
DOCKER_TOOLS = {"docker": "docker.io", "containerd": "containerd", "runc": "runc"}


def mmdebstrap_argv(release: Release, docker: bool = False) -> list[str]:
    return ["mmdebstrap", *MMDEBSTRAP, f"--include={','.join(release.packages(docker))}", release.codename]


def upstream(version: str) -> str:
    """A Debian package version's upstream part: 1:2.3.1-1+deb13u1 -> 2.3.1."""
    version = version.split(":", 1)[-1]
    return re.sub(r"[+~].*$", "", version.rsplit("-", 1)[0])


@timing.timed("root")
def lab_root(codename: str, docker: bool = False) -> Root:
    """The release's root, built first if it is not cached (or only half-built); with `docker`,
    the root of a server that runs Docker (the release's `docker` packages added)."""
    release = release_named(codename)
    argv = mmdebstrap_argv(release, docker)
    key = hashlib.sha256(json.dumps(argv).encode()).hexdigest()[:12]
    top = cache_dir() / "lab"
    top.mkdir(parents=True, exist_ok=True)
    name = f"{release.codename}-docker" if docker else release.codename
    path = top / f"{name}-{key}"
    versions = path.with_suffix(".json")
    with open(top / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (path.is_dir() and versions.is_file()):
            _build(argv, path, versions, release, docker)
    data = json.loads(versions.read_text())
    return Root(release, path, data["packages"], data["tools"])


def _build(argv: list[str], path: Path, versions: Path, release: Release, docker: bool) -> None:
    if shutil.which("mmdebstrap") is None:
        raise LabError("mmdebstrap is not installed (./dev test installs it)")
    for stale in [path, versions, *path.parent.glob(f"{path.name}.part-*")]:
        remove(stale)  # a half-built root, or a build killed half-way
    part = path.with_name(f"{path.name}.part-{os.getpid()}")
    try:
        try:
            result = subprocess.run([*argv, str(part)], capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise LabError(f"mmdebstrap {release.codename} did not finish in {BUILD_TIMEOUT} s") from None
        if result.returncode != 0:
            tail = "\n".join(result.stderr.strip().splitlines()[-5:])
            raise LabError(f"cannot build the Debian {release.version} root with mmdebstrap "
                           f"(is Debian's archive reachable?):\n{tail}")
        wanted = {**tool_packages(), **(DOCKER_TOOLS if docker else {})}
        packages = _package_versions(part, release, docker, wanted)
        tools = {tool: upstream(packages[package]) for tool, package in wanted.items()}
        part.rename(path)
        versions.write_text(json.dumps({"argv": argv, "packages": packages, "tools": tools}, indent=2) + "\n")
    finally:
        remove(part)


def _package_versions(root: Path, release: Release, docker: bool, tools: dict[str, str]) -> dict[str, str]:
    wanted = sorted(set(release.packages(docker)) | set(tools.values()))
    out = subprocess.run(["chroot", str(root), "dpkg-query", "-W", "-f", "${Package}\t${Version}\n", *wanted],
                         capture_output=True, text=True)
    packages = dict(line.split("\t") for line in out.stdout.splitlines() if "\t" in line)
    missing = [p for p in wanted if not packages.get(p)]
    if out.returncode != 0 or missing:
        raise LabError(f"the Debian {release.version} root lacks {', '.join(missing)}: {out.stderr.strip()}")
    return packages


def remove(path: Path) -> None:
    """Remove a cached root or tarball, or a half-built one (never crossing into a mount)."""
    if path.is_dir() and not path.is_symlink():
        # Nothing is mounted under a root in the cache: the lab's mounts live in namespaces.
        subprocess.run(["rm", "-rf", "--one-file-system", str(path)], check=False)
    else:
        path.unlink(missing_ok=True)
