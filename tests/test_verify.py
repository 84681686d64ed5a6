"""`python -m fwguide verify`: the lab on a table a user edited, expected versus observed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT


def verify(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fwguide", "verify", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def row(output: str, peer: str, family: int, port: str, kind: str = "connect") -> list[str]:
    """The (expected, observed, verdict) of one line of the report."""
    for line in output.splitlines():
        fields = line.split()
        if fields[1:3] == [peer, "->"] and fields[4:7] == [f"v{family}", port, kind]:
            return fields[7:]
    raise AssertionError(f"no line for {peer} v{family} {port} {kind} in:\n{output}")


@pytest.fixture
def snippets(tmp_path) -> Path:
    copy = tmp_path / "snippets"
    shutil.copytree(ROOT / "snippets", copy)
    return copy


def test_verify_prints_expected_and_observed_per_port_and_client(lab_mode):
    result = verify("snippets/inbound-ssh-admin.yml", "--frontend", "nftables", "--mode", lab_mode)
    assert result.returncode == 0, result.stdout + result.stderr
    assert row(result.stdout, "client-admin", 4, "22/tcp") == ["accept", "open", "ok"]
    assert row(result.stdout, "anyone", 6, "22/tcp") == ["drop", "timeout", "ok"]
    assert row(result.stdout, "anyone", 4, "80/tcp", "null") == ["none", "none", "ok"]
    assert result.stdout.rstrip().endswith("OK: 0 mismatch(es)")


def test_verify_runs_the_lab_on_the_edited_table(lab_mode, snippets):
    table = snippets / "inbound-minimum.yml"
    table.write_text(table.read_text() + "  - service: imaps\n    source: any\n    action: accept\n")
    # inbound-optional extends this table and accepts IMAPS too: its own rule would never apply.
    (snippets / "inbound-optional.yml").unlink()
    result = verify(str(table), "--frontend", "rules.v4", "--backend", "legacy", "--mode", lab_mode)
    assert result.returncode == 0, result.stdout + result.stderr
    assert row(result.stdout, "anyone", 4, "993/tcp") == ["accept", "open", "ok"]
    assert row(result.stdout, "anyone", 4, "995/tcp") == ["drop", "timeout", "ok"]


def test_verify_exits_non_zero_on_a_mismatch(lab_mode, tmp_path):
    """A hand-edited rules.v4 that moved HTTPS to another port, checked against the table."""
    rendered = verify("snippets/inbound-minimum.yml", "--frontend", "rules.v4", "--backend", "nft",
                      "--mode", lab_mode)
    assert rendered.returncode == 0  # control: the file as generated passes
    edited = tmp_path / "rules.v4"
    from fwguide.loader import load_catalogue
    from fwguide.render.iptables import render_restore

    text = render_restore(load_catalogue(ROOT / "snippets").ruleset("inbound-minimum"), 4)
    edited.write_text(text.replace("--dport 443 ", "--dport 8443 "))
    result = verify("snippets/inbound-minimum.yml", "--frontend", "rules.v4", "--backend", "nft",
                    "--block", str(edited), "--mode", lab_mode)
    assert result.returncode == 1
    assert row(result.stdout, "anyone", 4, "443/tcp") == ["accept", "timeout", "MISMATCH"]
    assert result.stdout.rstrip().endswith("MISMATCH: 2 mismatch(es)")


def test_verify_reports_a_broken_table_with_its_place(snippets):
    table = snippets / "inbound-minimum.yml"
    text = table.read_text()
    line = text.split("\n").index("    action: accept") + 1
    table.write_text(text.replace("action: accept", "action: allow", 1))
    result = verify(str(table))
    assert result.returncode == 2
    assert f"{table}:{line}: unknown action 'allow' (allowed: accept, drop)" in result.stderr, result.stderr


def test_verify_refuses_a_file_that_is_not_a_table():
    result = verify("snippets/services.yml")
    assert result.returncode == 2
    assert "not a table file" in result.stderr
