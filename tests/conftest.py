"""Fixtures shared by the test files, and the suite-wide guarantee about the host.

At the start of the session the host's firewall, interfaces and routes are recorded; at
the end they are compared, and any difference (or a lab namespace this run left behind)
fails the run, whatever the tests themselves said.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fwguide.lab import timing  # noqa: E402
from fwguide.lab.netns import lab_mounts, lab_processes, list_lab_namespaces, orphaned_namespaces  # noqa: E402

import support  # noqa: E402
from browser_support import browser, origin, page, shared_context  # noqa: E402,F401 (the browser tests' fixtures)

HOST_STATE = pytest.StashKey[dict]()
FRESH = Path(__file__).parent / "fresh"


def pytest_addoption(parser):
    parser.addoption(
        "--fresh-debian", action="store_true",
        help="run only the tests on fresh Debian roots (tests/fresh/, slow: ./dev fresh runs them)",
    )
    parser.addoption(
        "--release", action="append", default=[], metavar="CODENAME",
        help="prove the blocks with this Debian release's tools only (repeatable; default: every "
             "release of fwguide/releases.toml). CI runs one job per release.",
    )


DURATIONS = support.ROOT / "benchmarks" / "results" / "durations.json"


def pytest_collection_modifyitems(config, items):
    """The tests in the order to hand them out (support.balanced_order, by the last breakdown's
    durations.json). Then, with --release, the tests parametrized by another release are
    deselected."""
    try:
        known = json.loads(DURATIONS.read_text())
    except (OSError, ValueError):
        known = {}  # no breakdown yet: every test counts as short
    items[:] = support.balanced_order(items, known)
    wanted = config.getoption("--release")
    if not wanted:
        return
    from fwguide.releases import release

    for codename in wanted:
        try:
            release(codename)
        except KeyError as exc:
            raise pytest.UsageError(str(exc.args[0])) from None
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        (drop if params.get("release", wanted[0]) not in wanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """With FWGUIDE_TIMING (./dev bench --suite --breakdown): each test as a span, its setup and
    teardown included, with its file, its worker and the kind of work it is (browser, fuzzing,
    or the lab's and others', whose own steps fwguide.lab.timing records)."""
    if not timing.enabled():
        yield
        return
    wall, start = time.time(), time.monotonic()
    yield
    kind = ("browser" if "browser" in item.fixturenames  # the page fixture needs it; a "page" parameter does not
            else "fuzzing" if getattr(getattr(item, "obj", None), "is_hypothesis_test", False) else "test")
    timing.record(f"test:{kind}", item.nodeid, wall, time.monotonic() - start)


def pytest_ignore_collect(collection_path, config):
    """tests/fresh/ runs with --fresh-debian (./dev fresh), and only then."""
    inside = collection_path.is_relative_to(FRESH)
    if config.getoption("--fresh-debian"):  # tests/fresh/ and the directories on the way to it
        return None if inside or FRESH.is_relative_to(collection_path) else True
    return True if inside else None


def pytest_configure(config):
    support.builder_seed()  # drawn once, in the controller: the xdist workers inherit it


def pytest_report_header(config):
    return f"builder page configurations: {support.BUILDER_SEED}={support.builder_seed()} replays them"


def pytest_sessionstart(session):
    if os.geteuid() == 0:
        session.config.stash[HOST_STATE] = support.host_state()


def pytest_sessionfinish(session, exitstatus):
    problems = []
    before = session.config.stash.get(HOST_STATE, None)
    if before is not None:
        changed = support.state_diff(before, support.host_state())
        if changed:
            problems.append("the host changed during the test run: " + ", ".join(changed))
    # This process's labs, and (when it ran test workers, which have exited by now) every
    # lab whose process is gone.
    orphans = orphaned_namespaces()
    left = [name for name in list_lab_namespaces() if name.startswith(f"fwg-{os.getpid()}-") or name in orphans]
    if left:
        problems.append("lab namespaces left behind: " + ", ".join(left))
    # Every lab of this run has closed by now (the workers have exited): none of their
    # processes (sandbox holders, daemons, chrooted commands) and none of their mounts remain.
    if os.geteuid() == 0:
        processes = lab_processes()
        if processes:
            problems.append("lab processes left behind: " + ", ".join(f"{pid} in {where}" for pid, where in processes))
        mounts = lab_mounts()
        if mounts:
            problems.append("lab mounts left behind: " + "; ".join(mounts))
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for problem in problems:
            if reporter:
                reporter.write_line(f"HOST CHECK FAILED: {problem}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The strict bilingual build of the project, done once for the whole run (support.made_once).
    No test writes into it; the tests that change the project build a copy of their own."""
    def build(out: Path) -> None:
        result = support.mkdocs_build(support.ROOT, out)
        assert result.returncode == 0, result.stderr

    return support.made_once(tmp_path_factory, "site", build)


@pytest.fixture(scope="session")
def lab_mode() -> str:
    """How this run creates namespaces: `netns` as root, `userns` without root."""
    from fwguide.lab.runner import default_mode, unavailable

    mode = default_mode()
    reason = unavailable(mode)
    support.require(reason is None, f"the namespace lab cannot run ({mode}): {reason}")
    return mode


@pytest.fixture
def lab(lab_mode):
    """An empty namespace lab in this process (root only), removed after the test."""
    from fwguide.lab.netns import Lab

    support.require(lab_mode == "netns", "an in-process lab needs root; the userns mode runs whole scenarios")
    with Lab() as created:
        yield created
