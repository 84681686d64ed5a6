"""The lint and the translation gate, as the pre-commit hooks run them."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from support import ROOT


def hooks() -> dict[str, dict]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def run_entry(hook: dict, *args: str) -> subprocess.CompletedProcess:
    """The hook's command, with this interpreter's virtualenv in place of `.venv`."""
    argv = shlex.split(hook["entry"])
    bindir = Path(sys.executable).parent
    argv[0] = str(bindir / Path(argv[0]).name)
    return subprocess.run([*argv, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_pre_commit_runs_ruff_and_the_translation_gate():
    assert set(hooks()) == {"ruff", "translations"}


def test_ruff_finds_nothing():
    result = run_entry(hooks()["ruff"], ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_an_unused_import(tmp_path):
    """Control: the same command on a file with a mistake fails."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n")
    result = run_entry(hooks()["ruff"], "--no-cache", str(bad))
    assert result.returncode == 1 and "F401" in result.stdout


def test_the_translation_gate_passes_on_the_pages():
    result = run_entry(hooks()["translations"])
    assert result.returncode == 0, result.stderr
