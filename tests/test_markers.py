"""Markers: each valid one expands in every language; a bad one fails naming page and line."""

from __future__ import annotations

import re

import pytest

from fwguide import LANGUAGES, proof
from fwguide.errors import DataError
from fwguide.loader import load_catalogue
from fwguide.markers import check_pages, expand
from fwguide.render.markdown import frontends

from support import ROOT

CATALOGUE = load_catalogue(ROOT / "tests/golden/snippets", display_root=ROOT)
PAGE = "# Title\n\nText.\n\n<!-- fw:table {id} -->\n\nMore text.\n"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_marker_is_replaced_and_text_around_it_kept(lang):
    out = expand(PAGE.format(id="base"), CATALOGUE, lang, "docs/x.md")
    assert "fw:table" not in out
    assert out.startswith("# Title\n\nText.\n\n")
    assert out.endswith("\n\nMore text.\n")
    assert 'data-table="base"' in out
    assert "ADMIN_IPV4=192.0.2.10" in out


def code_blocks(markdown: str) -> list[str]:
    """The text of every fenced block of expanded Markdown."""
    return re.findall(r"``` \w+\n(.*?)^ *```$", markdown, re.DOTALL | re.MULTILINE)


def test_the_code_is_the_same_in_every_language_and_the_words_are_not():
    en, fr = (expand(PAGE.format(id="base"), CATALOGUE, lang, "x.md") for lang in ("en", "fr"))
    assert len(code_blocks(en)) == len([f for f in frontends() if f.supports(CATALOGUE.ruleset("base"))]) == 7
    assert code_blocks(en) == code_blocks(fr)
    assert "Protocol" in en and "Protocole" in fr and "Protocole" not in en


def test_services_marker_renders_the_catalogue():
    out = expand(PAGE.format(id="services"), CATALOGUE, "fr", "x.md")
    assert "| FTP | TCP | 21 | `ftp` | Transfert de fichiers |" in out


SYNTAX = ("(expected <!-- fw:table TABLE-ID -->, <!-- fw:commands COMMAND-ID -->, <!-- fw:proof lab|matrix -->, "
          "<!-- fw:builder form|output|results -->, <!-- fw:docker warning|usual --> or <!-- fw:fail2ban kept -->, "
          "alone on its line)")


@pytest.mark.parametrize("line, message", [
    ("<!-- fw:table nowhere -->",
     "docs/fr/page.md:5: unknown table 'nowhere' in marker "
     "(known: services, base, containers, limited, mixed, served, strict)"),
    ("<!-- fw:tabel base -->",
     f"docs/fr/page.md:5: malformed marker '<!-- fw:tabel base -->' {SYNTAX}"),
    ("<!-- fw:table base",
     f"docs/fr/page.md:5: malformed marker '<!-- fw:table base' {SYNTAX}"),
    ("See <!-- fw:table base --> here",
     f"docs/fr/page.md:5: malformed marker '<!-- fw:table base -->' {SYNTAX}"),
    ("<!-- fw:commands nowhere -->",
     "docs/fr/page.md:5: unknown commands 'nowhere' in marker (known: none defined)"),
    ("<!-- fw:proof diagram -->",
     "docs/fr/page.md:5: unknown proof part 'diagram' in marker (known: lab, matrix)"),
    ("<!-- fw:proof  lab -->",
     f"docs/fr/page.md:5: malformed marker '<!-- fw:proof  lab -->' {SYNTAX}"),
    ("<!-- fw:docker notice -->",
     "docs/fr/page.md:5: unknown docker part 'notice' in marker (known: warning, usual)"),
    ("<!-- fw:fail2ban lost -->",
     "docs/fr/page.md:5: unknown fail2ban part 'lost' in marker (known: kept)"),
])
def test_bad_marker_names_the_page_and_line(line, message):
    with pytest.raises(DataError) as caught:
        expand(PAGE.replace("<!-- fw:table {id} -->", line), CATALOGUE, "fr", "docs/fr/page.md")
    assert str(caught.value) == message


def test_check_pages_reads_every_page_before_the_build(tmp_path):
    (tmp_path / "docs/en").mkdir(parents=True)
    (tmp_path / "docs/en/ok.md").write_text(PAGE.format(id="base"))
    assert check_pages(tmp_path / "docs", CATALOGUE, tmp_path) == 1
    (tmp_path / "docs/en/bad.md").write_text("x\n<!-- fw:table gone -->\n")
    with pytest.raises(DataError, match=r"^docs/en/bad.md:2: unknown table 'gone'"):
        check_pages(tmp_path / "docs", CATALOGUE, tmp_path)


def test_other_html_comments_are_left_alone():
    text = "<!-- a note for editors -->\n<!-- fwd: not ours -->\n"
    assert expand(text, CATALOGUE, "en", "x.md") == text


@pytest.mark.parametrize("lang, words", [("en", ("server", "internet")), ("fr", ("serveur", "internet"))])
def test_the_lab_marker_draws_the_namespaces_in_the_language(lang, words):
    out = expand("<!-- fw:proof lab -->\n", CATALOGUE, lang, "x.md")
    assert out.startswith('<figure class="fw-lab"><svg ')
    assert all(f">{word}<" in out for word in words)
    # The example addresses come from the data: the golden catalogue's admin placeholder.
    admin = CATALOGUE.placeholders["admin"]
    assert f">{admin.ipv4}<" in out and f">{admin.ipv6}<" in out


def test_the_matrix_marker_without_records_says_there_are_none():
    assert expand("<!-- fw:proof matrix -->", CATALOGUE, "en", "x.md") == (
        "No test run's records were available to this build: every block of the site says it is not proven.\n")


def test_without_proof_records_a_table_gets_no_proof_line_and_with_them_one_per_tab():
    site = proof.Site(proof.Evidence([]), (), {})
    bare = expand(PAGE.format(id="base"), CATALOGUE, "en", "x.md")
    lined = expand(PAGE.format(id="base"), CATALOGUE, "en", "x.md", root="../", site=site, key="x.md")
    assert "fw-proof" not in bare
    tabs = lined.count('=== "')
    assert tabs == 7
    assert lined.count('<a href="../proof/">Not proven in this build</a>: no test record for this block') == tabs
