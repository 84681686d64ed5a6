"""The README's two commands on a really fresh Debian machine, one per supported release.

Each test builds (or takes from its cache, outside the work tree) a minimal Debian root
filesystem with mmdebstrap, from Debian's archive: `--variant=minbase` plus
`ca-certificates`, nothing else. It unpacks a new copy of it, puts the project's files in
(those a fresh clone has: tracked, or new and not ignored), and runs, under chroot, as root:

1. `./dev site`: it must install what the build needs (Debian's own python3 and venv, the
   site lock) and build both languages;
2. `./dev test` on a fast part of the suite (the unit, golden, syntax and site tests and
   one namespace scenario): it must install everything the tests need, and they must pass.

The chroot runs in its own mount and PID namespaces: its mounts vanish with it, and every
process it started ends with it. The host's network is shared (apt, pip and npm download
from their registries); the host's firewall, interfaces and packages are left alone,
which the suite's host check verifies. Downloaded packages are cached (apt, pip, npm) to
keep a run short; every install step still runs, from a root that has none of them.

`./dev fresh` runs these tests (`pytest --fresh-debian`); `./dev test` leaves them out.
Times and sizes go to test-artifacts/fresh-debian/RELEASE.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from fwguide.lab.roots import cache_dir, lab_root, remove
from fwguide.releases import releases

from support import ROOT, require

# Debian releases the README supports (fwguide/releases.toml): codename -> (version, its python3).
RELEASES = {r.codename: (r.version, r.python) for r in releases()}
MMDEBSTRAP = ["--variant=minbase", "--include=ca-certificates", "--mode=unshare", "--format=tar"]
# The fast part of ./dev test: unit, golden, syntax and site tests, and one lab scenario.
FAST_TESTS = [
    "tests/test_data_errors.py",
    "tests/test_data_fuzz.py",
    "tests/test_golden.py",
    "tests/test_locks.py",
    "tests/test_markers.py",
    "tests/test_syntax.py",
    "tests/test_site.py",
    "tests/test_translations.py",
    # The browser the suite drives: Debian's headless shell, as ./dev test installs it here.
    "tests/test_browser.py::test_chromium_is_debians_not_a_downloaded_one",
]
# ...and one lab scenario, with the tools of the same release as the fresh machine.
LAB_TEST = "tests/test_lab_blocks.py::test_block_behaves_as_its_table_says[basics/inbound-optional/nftables/{}]"
ARTIFACTS = ROOT / "test-artifacts" / "fresh-debian"
BUILD_TIMEOUT = 600  # mmdebstrap: 30-45 s with a reachable archive
STEP_TIMEOUT = {"site": 900, "test": 1800}


def debian_root(release: str) -> Path:
    """The minimal root of a release as a tarball, built once per mmdebstrap command line.

    Built under a temporary name and renamed only once mmdebstrap has succeeded, so a run
    killed half-way leaves no tarball that a later run would take for a whole one: its
    part is removed by the next build."""
    require(shutil.which("mmdebstrap") is not None, "mmdebstrap is not installed (./dev fresh installs it)")
    argv = ["mmdebstrap", *MMDEBSTRAP, release]
    key = hashlib.sha256(json.dumps(argv).encode()).hexdigest()[:12]
    top = cache_dir() / "roots"
    top.mkdir(parents=True, exist_ok=True)
    tarball = top / f"{release}-{key}.tar"
    if not tarball.exists():
        for stale in top.glob(f"{release}-{key}.part-*.tar"):
            remove(stale)
        part = top / f"{release}-{key}.part-{os.getpid()}.tar"
        try:
            result = subprocess.run([*argv, str(part)], capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            remove(part)
            require(False, f"mmdebstrap {release} did not finish in {BUILD_TIMEOUT} s")
        if result.returncode != 0:
            remove(part)
            tail = "\n".join(result.stderr.strip().splitlines()[-5:])
            require(False, f"cannot build a Debian {release} root with mmdebstrap (is Debian's archive "
                           f"reachable?):\n{tail}")
        part.rename(tarball)
    return tarball


def clone_files() -> list[str]:
    """The files a fresh clone of the work tree has: tracked, or new and not ignored."""
    require(shutil.which("git") is not None and (ROOT / ".git").exists(), "not a git work tree")
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode()
    return [name for name in out.split("\0") if name and (ROOT / name).exists()]


# The fresh machine is on this machine's network: its DNS (resolv.conf), its proxies, the
# certificates it trusts beyond Debian's, and the variables that point tools at them. Nothing
# else of the host's environment reaches the chroot.
NETWORK_VARIABLES = {
    "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "PIP_CERT", "NODE_EXTRA_CA_CERTS", "CURL_CA_BUNDLE",
}

# Inside the new mount and PID namespaces: mount what a booted machine has, then chroot.
# The mounts are private to the namespace, and vanish with it.
CHROOT = r"""
set -eu
root=$1 cache=$2 lab=$3 steps=$4
shift 4
NETWORK=("$@")
mount --bind "$root" "$root" # a mount point, as / is on a machine (ip netns exec needs it)
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
touch "$root/etc/resolv.conf"
mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
# The certificates this machine trusts beyond Debian's (a TLS-inspecting proxy's, say).
if [ -n "$(ls /usr/local/share/ca-certificates 2>/dev/null)" ]; then
    cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1
fi
mkdir -p "$root/root/.cache/pip" "$root/root/.npm"
mount --bind "$cache/apt" "$root/var/cache/apt/archives"
mount --bind "$cache/pip" "$root/root/.cache/pip"
mount --bind "$cache/npm" "$root/root/.npm"
# The lab's root filesystems, built on this machine already: the fresh machine's lab uses
# them (never writing them: each block gets an overlay) instead of running mmdebstrap again.
mkdir -p "$root/var/cache/fwguide/lab"
mount --bind "$lab" "$root/var/cache/fwguide/lab"
exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" "${NETWORK[@]}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c "cd /root/fwguide && $steps"
"""


def run_in_chroot(root: Path, cache: Path, steps: str, log: Path, timeout: int) -> tuple[int, float]:
    """Run shell `steps` in the project's copy inside the chroot; (exit status, seconds)."""
    for name in ("apt", "pip", "npm"):
        (cache / name).mkdir(parents=True, exist_ok=True)
    network = [f"{k}={v}" for k, v in os.environ.items() if k in NETWORK_VARIABLES]
    argv = ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
            "bash", "-c", CHROOT, "chroot", str(root), str(cache), str(cache_dir() / "lab"), steps, *network]
    start = time.monotonic()
    with log.open("a") as out:
        out.write(f"\n$ {steps}\n")
        out.flush()
        try:
            status = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            status = f"timeout after {timeout} s"
    return status, time.monotonic() - start


def size_mb(root: Path) -> dict[str, float]:
    """Disk use of the root and of its main parts, in MB. The download caches were bind
    mounts, gone with the namespace: what is counted is what was installed."""
    parts = {"all": ".", "apt lists": "var/lib/apt/lists", "venv": "root/fwguide/.venv",
             "node_modules": "root/fwguide/tests/node/node_modules", "site": "root/fwguide/site"}
    sizes = {}
    for name, path in parts.items():
        if (root / path).exists():
            out = subprocess.run(["du", "-s", "--block-size=1M", str(root / path)],
                                 capture_output=True, text=True, check=True)
            sizes[name] = float(out.stdout.split()[0])
    return sizes


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture
def fresh_root(tmp_path_factory, request):
    """A new unpacked copy of the release's minimal root, removed afterwards."""
    require(os.geteuid() == 0, "chroot and the namespace lab need root")
    for tool in ("unshare", "chroot", "tar", "du"):
        require(shutil.which(tool) is not None, f"{tool} is not installed")
    tarball = debian_root(request.param)
    root = Path(tmp_path_factory.mktemp(f"debian-{request.param}", numbered=True)) / "root"
    root.mkdir()
    subprocess.run(["tar", "-xf", str(tarball), "-C", str(root)], check=True)
    try:
        yield request.param, root
    finally:
        # Nothing is mounted here any more: the mounts lived in the chroot's namespace.
        subprocess.run(["rm", "-rf", "--one-file-system", str(root)], check=False)


@pytest.mark.parametrize("fresh_root", list(RELEASES), indirect=True, ids=list(RELEASES))
def test_the_readme_commands_work_on_a_fresh_debian(fresh_root):
    release, root = fresh_root
    version, python = RELEASES[release]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / f"{release}.log"
    log.write_text(f"Debian {version} ({release}), minimal root from mmdebstrap {' '.join(MMDEBSTRAP)}\n")
    cache = cache_dir() / "downloads" / release

    # The project, as a fresh clone has it: no .venv, no node_modules, no built site.
    project = root / "root" / "fwguide"
    for name in clone_files():
        target = project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)
    assert not (root / "usr/bin/python3").exists(), "the minimal root already has python3"
    record = {"release": release, "version": version, "base_mb": size_mb(root)}

    # 1. ./dev site, on a machine with no Python at all.
    status, seconds = run_in_chroot(root, cache, "./dev site", log, STEP_TIMEOUT["site"])
    assert status == 0, f"./dev site failed on Debian {version} ({status}):\n{tail(log)}"
    assert (project / "site/index.html").is_file() and (project / "site/fr/basics/index.html").is_file()
    python_version = subprocess.run(
        ["chroot", str(root), "/usr/bin/python3", "--version"], capture_output=True, text=True, check=True,
    ).stdout.split()[1]
    assert python_version.startswith(python), f"Debian {version}'s python3 is {python_version}"
    for absent in ("usr/bin/chromium-headless-shell", "usr/sbin/iptables", "usr/sbin/nft", "usr/sbin/ufw",
                   "usr/bin/npm"):
        assert not (root / absent).exists(), f"./dev site installed {absent}, which the build does not need"
    assert not (project / ".venv/bin/pytest").exists(), "./dev site installed the test packages"
    record |= {"python": python_version, "site_s": round(seconds, 1), "after_site_mb": size_mb(root)}

    # 2. ./dev test, on the fast part of the suite; it installs the rest first.
    lab_root(release)  # built here first: the chroot shares this cache
    steps = "./dev test " + " ".join(shlex.quote(t) for t in [*FAST_TESTS, LAB_TEST.format(release)])
    status, seconds = run_in_chroot(root, cache, steps, log, STEP_TIMEOUT["test"])
    record |= {"test_s": round(seconds, 1), "after_test_mb": size_mb(root), "test_status": status}
    (ARTIFACTS / f"{release}.json").write_text(json.dumps(record, indent=2) + "\n")
    assert status == 0, f"./dev test failed on Debian {version} ({status}):\n{tail(log)}"
    assert not (root / "usr/bin/chromium").exists(), "./dev test installed chromium; its headless shell is enough"
    summary = log.read_text(errors="replace").strip().splitlines()[-1]
    assert " passed" in summary and "skipped" not in summary and "failed" not in summary, summary
