"""CONTRIBUTING.md's "Add a service" steps, followed on a copy of the project: the YAML
it shows goes where it says, and the strict build and the lab both accept the result."""

from __future__ import annotations

import re
import subprocess
import sys

from support import ROOT, mkdocs_build, project_copy


def section(title: str) -> str:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_adding_a_service_as_contributing_says_gives_a_green_build(tmp_path, lab_mode):
    steps = section("Add a service")
    service, rule = yaml_blocks(steps)
    assert "`snippets/services.yml`" in steps and "`snippets/inbound-optional.yml`" in steps
    project = project_copy(tmp_path)
    with open(project / "snippets/services.yml", "a", encoding="utf-8") as services:
        services.write(service)
    with open(project / "snippets/inbound-optional.yml", "a", encoding="utf-8") as table:
        table.write(rule)

    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stderr
    for lang, prefix in (("en", ""), ("fr", "fr/")):
        page = (project / "site" / prefix / "basics/index.html").read_text(encoding="utf-8")
        assert "<td>ManageSieve</td>\n<td>TCP</td>\n<td>4190</td>" in page, lang
        assert "--dport 4190" in page and "tcp dport 4190 accept" in page, lang
        assert "--add-service=managesieve" in page or "managesieve" in page, lang

    verify = subprocess.run(
        [sys.executable, "-m", "fwguide", "verify", str(project / "snippets/inbound-optional.yml"),
         "--frontend", "nftables", "--mode", lab_mode, "--failures-only"],
        capture_output=True, text=True, timeout=300, cwd=project,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    full = subprocess.run(
        [sys.executable, "-m", "fwguide", "verify", str(project / "snippets/inbound-optional.yml"),
         "--frontend", "rules.v4", "--backend", "nft", "--mode", lab_mode],
        capture_output=True, text=True, timeout=300, cwd=project,
    )
    assert re.search(r"anyone -> server\s+v4\s+4190/tcp\s+connect\s+accept\s+open\s+ok", full.stdout), full.stdout
