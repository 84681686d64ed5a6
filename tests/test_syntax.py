"""Every rendered form is accepted by the real tool, in a throw-away network namespace.

This checks syntax only (that the text loads); what the rules let through is the job of
the namespace lab. Each command runs under `unshare --net`, so the host's firewall is never
touched, and the script refuses to run if it finds itself in the host's namespace.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess

import pytest

from fwguide.loader import load_catalogue
from fwguide.render.markdown import frontends

from support import ROOT, private_netns_prefix, require

HOST_NETNS = os.readlink("/proc/self/ns/net")
# ufw and firewalld blocks write system files or need their daemon: the namespace lab runs
# them in a sandbox (test_lab_blocks.py), never here.
FRONTENDS = {f.label: f for f in frontends() if not f.sandbox_only}


def cases():
    """(id, form, text) for every table of snippets/ and every golden file."""
    catalogue = load_catalogue(ROOT / "snippets", display_root=ROOT)
    for table_id in catalogue.tables:
        for form, frontend in FRONTENDS.items():
            yield f"snippets/{table_id}/{form}", form, frontend.render(catalogue.ruleset(table_id))
    for path in sorted((ROOT / "tests/golden/expected").glob("*/*")):
        if path.name in FRONTENDS:
            yield f"golden/{path.parent.name}/{path.name}", path.name, path.read_text()


CASES = list(cases())


@pytest.mark.parametrize("form, text", [(f, t) for _, f, t in CASES], ids=[i for i, _, _ in CASES])
def test_form_loads_in_a_private_namespace(form, text):
    prefix = private_netns_prefix()
    for tool in ("iptables", "ip6tables", "nft"):
        require(shutil.which(tool) is not None, f"{tool} is not installed")
    guard = f'[ "$(readlink /proc/self/ns/net)" != "{HOST_NETNS}" ] || {{ echo "in the host namespace" >&2; exit 99; }}'
    script = f"{guard}\n{shlex.join(FRONTENDS[form].apply)}"
    result = subprocess.run([*prefix, "bash", "-c", script], input=text, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("form, text", [
    ("rules.v4", "*filter\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n"),
    ("nftables", "table inet firewall { chain input { tcp dport 99999 accept } }\n"),
    ("iptables", "iptables -A INPUT -p tcp --dport 99999 -j ACCEPT\n"),
])
def test_a_broken_form_is_rejected(form, text):
    """Control: the same harness fails on text the tool refuses, so a pass above means something."""
    prefix = private_netns_prefix()
    result = subprocess.run([*prefix, *FRONTENDS[form].apply], input=text, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0


DUMP = {"rules.v4": "iptables-save", "rules.v6": "ip6tables-save", "nftables": "nft list ruleset"}


@pytest.mark.parametrize("form", DUMP)
def test_copied_file_forms_load_like_the_downloaded_files(form):
    """The copy button drops the final newline; the download keeps it. Both give one ruleset."""
    prefix = private_netns_prefix()
    catalogue = load_catalogue(ROOT / "snippets", display_root=ROOT)
    for table_id in catalogue.tables:
        text = FRONTENDS[form].render(catalogue.ruleset(table_id))
        dumps = []
        for variant in (text, text.removesuffix("\n")):
            script = f"{shlex.join(FRONTENDS[form].apply)} && {DUMP[form]}"
            result = subprocess.run([*prefix, "bash", "-c", script], input=variant, capture_output=True, text=True,
                                    timeout=60)
            assert result.returncode == 0, result.stderr
            dumps.append("\n".join(line for line in result.stdout.splitlines() if not line.startswith("#")))
        assert dumps[0] == dumps[1], table_id
