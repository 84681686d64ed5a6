"""Golden files: each renderer, from the fixture tables in golden/snippets/, gives exactly the
text kept in golden/expected/.

The expected files were written once and read line by line by a person; `test_syntax.py`
also feeds every one of them to the real tools. After a deliberate change to a renderer, run
`FWGUIDE_UPDATE_GOLDEN=1 ./dev test tests/test_golden.py` and review the diff before committing.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import pytest

from fwguide import LANGUAGES
from fwguide.loader import load_catalogue
from fwguide.render import markdown

GOLDEN = Path(__file__).parent / "golden"


def rules_table_file(ruleset, lang: str) -> str:
    return markdown.rules_table(ruleset, lang) + "\n"


CATALOGUE = load_catalogue(GOLDEN / "snippets", display_root=GOLDEN)

RENDERERS = {
    **{f.label: f.render for f in markdown.frontends()},
    **{f"table.{lang}.md": partial(rules_table_file, lang=lang) for lang in LANGUAGES},
}
FRONTENDS = {f.label: f for f in markdown.frontends()}
# Every renderer on every fixture table, except a front-end on a table it cannot express.
CASES = [(t, name) for t in CATALOGUE.tables for name in RENDERERS
         if name not in FRONTENDS or FRONTENDS[name].supports(CATALOGUE.ruleset(t))]


def check(path: Path, actual: str) -> None:
    if os.environ.get("FWGUIDE_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with FWGUIDE_UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("table_id, output", CASES, ids=[f"{t}/{n}" for t, n in CASES])
def test_renderer_output_matches_golden(table_id, output):
    check(GOLDEN / "expected" / table_id / output, RENDERERS[output](CATALOGUE.ruleset(table_id)))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_services_table_matches_golden(lang):
    check(GOLDEN / "expected" / f"services.{lang}.md", markdown.services_table(CATALOGUE, lang) + "\n")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rules_block_matches_golden(lang):
    """The whole marker expansion: table, tabs, notes and code, for a table with a placeholder."""
    check(GOLDEN / "expected" / f"block.{lang}.md", markdown.rules_block(CATALOGUE, "base", lang))


def test_firewalld_refuses_what_its_zones_cannot_express():
    """The strict fixture filters outgoing traffic, the served one drops malformed TCP
    explicitly: no firewalld tab, and none in their blocks, but the reason under the tabs."""
    firewalld = FRONTENDS["firewalld"]
    assert firewalld.supports(CATALOGUE.ruleset("mixed"))  # the control
    for table, reason in (("strict", "filters outgoing traffic"), ("served", "match no TCP flags")):
        assert not firewalld.supports(CATALOGUE.ruleset(table))
        block = markdown.rules_block(CATALOGUE, table, "en")
        assert '=== "firewalld"' not in block and '=== "ufw"' in block
        assert reason in block


def test_no_firewalld_block_uses_its_deprecated_direct_interface():
    """firewalld's documentation marks `--direct` deprecated: no block of any table uses it."""
    for table in CATALOGUE.tables:
        ruleset = CATALOGUE.ruleset(table)
        if FRONTENDS["firewalld"].supports(ruleset):
            assert "--direct" not in FRONTENDS["firewalld"].render(ruleset), table


def test_every_fixture_table_has_its_golden_directory():
    assert sorted(p.name for p in (GOLDEN / "expected").iterdir() if p.is_dir()) == sorted(CATALOGUE.tables)
