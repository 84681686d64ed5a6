"""Shared test helpers (imported as `support`). Under CI nothing is skipped silently: a test that cannot run fails."""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fwguide.markers import MARKER_RE

ROOT = Path(__file__).resolve().parent.parent
LANGS = {"en": "", "fr": "fr/"}  # language -> path prefix in the built site
PAGES = sorted(p.relative_to(ROOT / "docs/en").as_posix() for p in (ROOT / "docs/en").rglob("*.md"))


def require(condition: bool, reason: str) -> None:
    """Skip the test when `condition` is false, or fail it with the reason when CI is set."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"cannot run under CI: {reason}", pytrace=False)
        pytest.skip(reason)


BUILDER_SEED = "FWGUIDE_BUILDER_SEED"  # the builder page's random configurations


def builder_seed() -> int:
    """The run's seed for the builder page's random configurations: $FWGUIDE_BUILDER_SEED, or
    one drawn now and kept in the environment (conftest.py draws it in the controller, so
    every xdist worker inherits it and draws the same configurations)."""
    os.environ.setdefault(BUILDER_SEED, str(int(time.time() * 1000) % 10**9))
    return int(os.environ[BUILDER_SEED])


def release_root(release: str, docker: bool = False):
    """A Debian release's root filesystem for the lab (built and cached on first use), with
    Docker for a server that runs it; the test cannot run without it."""
    from fwguide.lab.netns import LabError
    from fwguide.lab.roots import lab_root

    try:
        return lab_root(release, docker)
    except LabError as exc:
        require(False, f"no Debian {release} root{' with Docker' if docker else ''} for the lab: {exc}")


def private_netns_prefix() -> list[str]:
    """The command prefix that runs a program in a new, empty network namespace of its own."""
    require(shutil.which("unshare") is not None, "unshare (util-linux) is not installed")
    prefix = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--net"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True)
    require(probe.returncode == 0, f"cannot create a network namespace: {probe.stderr.strip()}")
    return prefix


# The built site


def mkdocs_build(project: Path, site: Path, proof_dir: Path | None = None,
                 require_proof: bool = False) -> subprocess.CompletedProcess:
    """The strict build of `project` into `site`. The proof records come from `proof_dir`
    only: by default a directory that does not exist, so no leftover of an earlier test run
    reaches the pages; `require_proof` sets FWGUIDE_REQUIRE_PROOF=1, as the publishing build."""
    env = {"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1",
           "FWGUIDE_PROOF_DIR": str(proof_dir or site.parent / f"{site.name}.no-proof-records")}
    if require_proof:
        env["FWGUIDE_REQUIRE_PROOF"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project, capture_output=True, text=True, timeout=300, env=env,
    )


SHORT = 0.1  # seconds: what a test that durations.json does not list counts as (it is shorter than LONG there)


def balanced_order(items: list, known: dict[str, list[float]]) -> list:
    """The tests in the order to hand them out, so that the CPUs neither idle nor are fought
    over: the suite runs four workers on two CPUs. A browser test keeps a CPU busy; a proof
    shares one with its tools; a test that mostly waits out real-time windows (a rate limit's)
    hardly uses one. So the three kinds go out side by side, each at the same share of its own
    work handed out so far, and each longest first: the workers start on the long tests, and
    short ones fill the end. `known` is benchmarks/results/durations.json: each test's seconds
    and, of them, the seconds it waited, from the last breakdown.

    Issue 24, measured: longest first alone ran nearly every proof before the browser tests,
    and both 35 s rate-limit tests at the same time."""

    def seconds(item) -> float:
        return known.get(item.nodeid, [SHORT, 0.0])[0]

    def kind(item) -> int:
        if "browser" in item.fixturenames and "lab_mode" not in item.fixturenames:
            return 0  # a browser test (not a proof that takes its block from the page)
        waiting = known.get(item.nodeid, [SHORT, 0.0])[1]
        return 1 if 0 < seconds(item) <= 2 * waiting else 2

    kinds: list[list] = [[], [], []]
    for item in items:
        kinds[kind(item)].append(item)
    for each in kinds:
        each.sort(key=lambda i: -seconds(i))  # stable: the unlisted ones keep their order
    totals = [sum(map(seconds, each)) or 1.0 for each in kinds]
    done, taken, order = [0.0] * 3, [0] * 3, []
    while len(order) < len(items):
        # the kind that is behind, in the share of its own work handed out so far
        k = min((k for k in range(3) if taken[k] < len(kinds[k])), key=lambda k: done[k] / totals[k])
        item = kinds[k][taken[k]]
        taken[k] += 1
        done[k] += seconds(item)
        order.append(item)
    return order


def made_once(tmp_path_factory, name: str, make) -> Path:
    """`name` in the run's shared temporary directory, made by `make(path)` once for the whole
    run: the first worker to ask makes it while the others wait on the lock, then all of them
    read it. A module's fixture runs once in each worker that runs one of its tests: up to four
    times, each a site build of about 2.5 CPU-seconds (the suite is CPU-bound: issue 24).
    What is made once is never written afterwards."""
    root = tmp_path_factory.getbasetemp()
    root = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root  # the workers share the parent
    out, made = root / name, root / f"{name}.made"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not made.exists():
            shutil.rmtree(out, ignore_errors=True)  # what a worker that failed left
            make(out)
            made.touch()
    return out


def project_copy(tmp_path: Path) -> Path:
    """A copy of what the build reads (config, pages, hooks, theme overrides, data, core)."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("mkdocs.yml", "docs", "hooks", "overrides", "snippets", "fwguide"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, copy / name)
    return copy


def page_url(page: str) -> str:
    url = page.removesuffix(".md")
    return "" if url == "index" else url + "/"


def built(site: Path, lang: str, page: str) -> str:
    return (site / LANGS[lang] / page_url(page) / "index.html").read_text(encoding="utf-8")


class _Blocks(HTMLParser):
    """The fw-table / fw-commands divs of a page: their tab labels and code, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []
        self.depth = 0  # div nesting inside the current block; 0 outside
        self.where: str | None = None  # "label" or "code" while inside one
        self.in_pre = False  # only <pre><code> is a block; inline <code> in prose is not

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div" and self.depth == 0 and {"fw-table", "fw-commands"} & set(classes):
            kind = "table" if "fw-table" in classes else "commands"
            self.found.append({"kind": kind, "id": attrs.get(f"data-{kind}"), "labels": [], "codes": [],
                               "proofs": []})
            self.depth = 1
        elif tag == "div" and self.depth:
            self.depth += 1
        elif self.depth and tag == "label" and (attrs.get("for") or "").startswith("__tabbed_"):
            self.where = "label"
            self.found[-1]["labels"].append("")
        elif self.depth and tag == "pre":
            self.in_pre = True
        elif self.depth and tag == "code" and self.in_pre:
            self.where = "code"
            self.found[-1]["codes"].append("")
        elif self.depth and tag == "p" and "fw-proof" in classes:
            self.where = "proof"
            self.found[-1]["proofs"].append({"text": "", "hrefs": []})
        elif self.where == "proof" and tag == "a":
            self.found[-1]["proofs"][-1]["hrefs"].append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1
        elif tag in ("label", "code") or (tag == "p" and self.where == "proof"):
            self.where = None
        elif tag == "pre":
            self.in_pre = False

    def handle_data(self, data):
        if self.where == "label":
            self.found[-1]["labels"][-1] += data
        elif self.where == "code":
            self.found[-1]["codes"][-1] += data
        elif self.where == "proof":
            self.found[-1]["proofs"][-1]["text"] += data


def _blocks(page_html: str, kind: str) -> list[tuple[str, str, str]]:
    parser = _Blocks()
    parser.feed(page_html)
    out = []
    for block in parser.found:
        if block["kind"] != kind:
            continue
        labels = block["labels"] or [""] * len(block["codes"])
        assert len(labels) == len(block["codes"]), f"{block['id']}: {len(labels)} tabs, {len(block['codes'])} blocks"
        out += [(block["id"], label, code) for label, code in zip(labels, block["codes"], strict=True)]
    return out


def copied(code: str) -> str:
    """What the copy button puts on the clipboard for a code block: its text without the
    final newline (test_browser.py clicks every button and checks this)."""
    return code.removesuffix("\n")


def command_blocks(page_html: str) -> list[tuple[str, str, str]]:
    """(table id, tab label, text a reader copies) for every rule-table block of a built page."""
    return _blocks(page_html, "table")


def proof_lines(page_html: str) -> list[tuple[str, str, str, list[str]]]:
    """(table id, tab label, text, link addresses) of the proof line in every tab of every
    rule table of a built page; a tab with no proof line, or two, fails."""
    parser = _Blocks()
    parser.feed(page_html)
    out = []
    for block in parser.found:
        if block["kind"] == "table":
            pairs = zip(block["labels"], block["proofs"], strict=True)  # as many lines as tabs
            out += [(block["id"], label, p["text"], p["hrefs"]) for label, p in pairs]
    return out


def command_snippets(page_html: str) -> list[tuple[str, str, str]]:
    """(command id, tab label or "", text a reader copies) for every other command block."""
    return _blocks(page_html, "commands")


def source_markers(lang: str, page: str) -> list[str]:
    text = (ROOT / "docs" / lang / page).read_text(encoding="utf-8")
    return [m.group("id") for m in MARKER_RE.finditer(text) if m.group("kind") == "table"]


def source_command_markers(lang: str, page: str) -> list[str]:
    text = (ROOT / "docs" / lang / page).read_text(encoding="utf-8")
    return [m.group("id") for m in MARKER_RE.finditer(text) if m.group("kind") == "commands"]


# The host, as the namespace lab must leave it


def host_state() -> dict[str, str]:
    """The host's firewall, interfaces, addresses, routes and policy rules, normalised.

    Legacy iptables tables are listed from /proc (reading them with iptables-legacy-save
    would create them); lifetimes and counters, which change on their own, are removed.
    """
    def run(*argv: str) -> str:
        if shutil.which(argv[0]) is None:
            return f"({argv[0]} not installed)"
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return result.stdout + result.stderr

    state = {
        "nft list ruleset": run("nft", "list", "ruleset"),
        "ip link": run("ip", "-o", "link", "show"),
        "ip addr": re.sub(r"valid_lft \S+ preferred_lft \S+", "", run("ip", "-o", "addr", "show")),
        "ip route": re.sub(r"expires \S+", "", run("ip", "route", "show", "table", "all")),
        "ip -6 route": re.sub(r"expires \S+", "", run("ip", "-6", "route", "show", "table", "all")),
        "ip rule": run("ip", "rule") + run("ip", "-6", "rule"),
    }
    for top in ("/etc/ufw", "/lib/ufw", "/etc/default/ufw", "/etc/firewalld", "/etc/iptables", "/etc/nftables.conf"):
        state[top] = _files_digest(Path(top))
    for name in ("ip_tables_names", "ip6_tables_names"):
        proc = Path("/proc/net") / name
        state[str(proc)] = proc.read_text() if proc.exists() else "(absent)"
    for tool, names in (("iptables-legacy-save", "ip_tables_names"), ("ip6tables-legacy-save", "ip6_tables_names")):
        if state[f"/proc/net/{names}"].strip() not in ("", "(absent)"):
            saved = run(tool)
            state[tool] = "\n".join(re.sub(r"\[\d+:\d+\]$", "", line) for line in saved.splitlines()
                                    if not line.startswith("#"))
    return state


def _files_digest(top: Path) -> str:
    """Each file under `top` with the SHA-256 of its content (ufw's and firewalld's state)."""
    if not top.exists():
        return "(absent)"
    files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
    return "\n".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p}" for p in files)


def state_diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [key for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key)]
