"""Fixtures shared by the test files, and the suite-wide guarantee about the host.

At the start of the session the host's firewall, interfaces and routes are recorded; at
the end they are compared, and any difference (or a lab namespace this run left behind)
fails the run, whatever the tests themselves said.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fwguide.lab.netns import list_lab_namespaces, orphaned_namespaces  # noqa: E402

import support  # noqa: E402

HOST_STATE = pytest.StashKey[dict]()
FRESH = Path(__file__).parent / "fresh"


def pytest_addoption(parser):
    parser.addoption(
        "--fresh-debian", action="store_true",
        help="run only the tests on fresh Debian roots (tests/fresh/, slow: ./dev fresh runs them)",
    )


def pytest_ignore_collect(collection_path, config):
    """tests/fresh/ runs with --fresh-debian (./dev fresh), and only then."""
    inside = collection_path.is_relative_to(FRESH)
    if config.getoption("--fresh-debian"):  # tests/fresh/ and the directories on the way to it
        return None if inside or FRESH.is_relative_to(collection_path) else True
    return True if inside else None


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
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for problem in problems:
            if reporter:
                reporter.write_line(f"HOST CHECK FAILED: {problem}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The strict bilingual build of the project, done once for the whole session."""
    out = tmp_path_factory.mktemp("site")
    result = support.mkdocs_build(support.ROOT, out)
    assert result.returncode == 0, result.stderr
    return out


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
