"""The translation gate (`python -m fwguide check-translations`), on the real pages and on
drifted page pairs: each drift is caught, and the message names both files and the first
difference."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fwguide.translation import check

from support import ROOT

EN = """# Title

Some words that make this page plainly English, with the usual words of the language in it,
so that it reads as English to the gate and to anyone who opens it.

## First section

!!! warning "Careful"
    This is a warning for the reader of the page, and it is in English as well.

<!-- fw:table inbound-minimum -->

## Second section

``` bash
echo same
```

<!-- fw:commands recover -->
"""
FR = """# Titre

Quelques mots qui rendent cette page clairement française, avec les mots courants de la langue,
pour que le contrôle la lise comme du français, tout comme le lecteur qui l'ouvre.

## Première section

!!! warning "Attention"
    Ceci est un avertissement pour le lecteur de la page, et il est aussi en français.

<!-- fw:table inbound-minimum -->

## Deuxième section

``` bash
echo same
```

<!-- fw:commands recover -->
"""


def pages(tmp_path: Path, fr: str = FR, en: str = EN, name: str = "page.md") -> Path:
    docs = tmp_path / "docs"
    for lang, text in (("en", en), ("fr", fr)):
        (docs / lang).mkdir(parents=True, exist_ok=True)
        (docs / lang / name).write_text(text, encoding="utf-8")
    return docs


def test_the_site_pages_are_translated_in_step():
    assert check(ROOT / "docs", ROOT) == []


def test_a_faithful_pair_passes(tmp_path):
    """Control: the pair every drift below starts from."""
    assert check(pages(tmp_path), tmp_path) == []


DRIFTS = {
    "missing page": (
        lambda docs: (docs / "fr" / "page.md").unlink(),
        "docs/fr/page.md: missing (translates docs/en/page.md)",
    ),
    "page only in French": (
        lambda docs: (docs / "fr" / "extra.md").write_text(FR),
        "docs/fr/extra.md: has no English page (docs/en/extra.md is missing)",
    ),
    "heading level changed": (
        lambda docs: edit(docs, "## Deuxième section", "### Deuxième section"),
        "docs/en/page.md:13 vs docs/fr/page.md:13: heading 3: level 2 in English, level 3 in French",
    ),
    "heading missing": (
        lambda docs: edit(docs, "## Première section\n", ""),
        "docs/en/page.md:13 vs docs/fr/page.md:end: heading 3: level 2 in English, missing in French",
    ),
    "markers swapped": (
        lambda docs: edit(docs, "<!-- fw:table inbound-minimum -->", "<!-- fw:table inbound-optional -->"),
        "docs/en/page.md:11 vs docs/fr/page.md:11: marker 1: 'table inbound-minimum' in English, "
        "'table inbound-optional' in French",
    ),
    "marker missing": (
        lambda docs: edit(docs, "<!-- fw:commands recover -->\n", ""),
        "docs/en/page.md:19 vs docs/fr/page.md:end: marker 2: 'commands recover' in English, missing in French",
    ),
    "admonition kind changed": (
        lambda docs: edit(docs, '!!! warning "Attention"', '!!! note "Attention"'),
        "docs/en/page.md:8 vs docs/fr/page.md:8: admonition 1: 'warning' in English, 'note' in French",
    ),
    "admonition missing": (
        lambda docs: edit(docs, '!!! warning "Attention"\n', "Attention\n"),
        "docs/en/page.md:8 vs docs/fr/page.md:end: admonition 1: 'warning' in English, missing in French",
    ),
    "code block changed": (
        lambda docs: edit(docs, "echo same", "echo pareil"),
        "docs/en/page.md:15 vs docs/fr/page.md:15: code block 1: 'echo same' in English, 'echo pareil' in French",
    ),
    "French page left in English": (
        lambda docs: (docs / "fr" / "page.md").write_text(EN),
        "docs/fr/page.md: reads as English, not French (compare with docs/en/page.md)",
    ),
}


def edit(docs: Path, old: str, new: str) -> None:
    path = docs / "fr" / "page.md"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("drift, expected", DRIFTS.values(), ids=DRIFTS.keys())
def test_a_drifted_pair_is_caught_with_both_files_and_the_first_difference(tmp_path, drift, expected):
    docs = pages(tmp_path)
    drift(docs)
    problems = check(docs, tmp_path)
    assert problems and problems[0] == expected, problems


def test_the_command_line_fails_on_drift_and_names_it(tmp_path):
    docs = pages(tmp_path)
    edit(docs, "echo same", "echo pareil")
    result = subprocess.run([sys.executable, "-m", "fwguide", "check-translations", str(docs)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "code block 1: 'echo same' in English, 'echo pareil' in French" in result.stderr
    ok = subprocess.run([sys.executable, "-m", "fwguide", "check-translations", str(ROOT / "docs")],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
