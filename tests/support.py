"""Shared test helpers (imported as `support`). Under CI nothing is skipped silently: a test that cannot run fails."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def require(condition: bool, reason: str) -> None:
    """Skip the test when `condition` is false, or fail it with the reason when CI is set."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"cannot run under CI: {reason}", pytrace=False)
        pytest.skip(reason)


def private_netns_prefix() -> list[str]:
    """The command prefix that runs a program in a new, empty network namespace of its own."""
    require(shutil.which("unshare") is not None, "unshare (util-linux) is not installed")
    prefix = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--net"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True)
    require(probe.returncode == 0, f"cannot create a network namespace: {probe.stderr.strip()}")
    return prefix
