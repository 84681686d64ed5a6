"""Markers in pages, each on a line of its own: `<!-- fw:table ID -->` places a rule table
(or `services`, the catalogue), `<!-- fw:commands ID -->` a block of other commands,
`<!-- fw:proof lab -->` and `<!-- fw:proof matrix -->` the drawing of the test lab and the
matrix of the last test run, `<!-- fw:builder form|output|results -->` the parts of the builder
page, `<!-- fw:docker warning -->` the warning before complete rulesets that do not know Docker,
`<!-- fw:docker usual -->` what those do on a server that runs it, and `<!-- fw:fail2ban kept -->`
what each form does to the addresses fail2ban has banned.

A marker is an HTML comment, so a page still reads cleanly where the hook does not run.
Anything that looks like a marker but is not a valid one fails, naming the page.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import LANGUAGES, proof
from .errors import DataError
from .model import Catalogue
from .render import builder, docker, fail2ban, markdown, proven

# Anything that starts like one of our markers, valid or not, on any line.
CANDIDATE_RE = re.compile(r"<!--\s*fw\b.*?(?:-->|$)", re.MULTILINE)
MARKER_RE = re.compile(r"<!-- fw:(?P<kind>table|commands|proof|builder|docker|fail2ban) (?P<id>[a-z][a-z0-9-]*) -->")
# The parts a marker of each kind may place (a table's or a command's id is checked on its own).
PARTS = {"proof": ("lab", "matrix"), "builder": ("form", "output", "results"), "docker": ("warning", "usual"),
         "fail2ban": ("kept",)}
SYNTAX = ("<!-- fw:table TABLE-ID -->, <!-- fw:commands COMMAND-ID -->, <!-- fw:proof lab|matrix -->, "
          "<!-- fw:builder form|output|results -->, <!-- fw:docker warning|usual --> or <!-- fw:fail2ban kept -->, "
          "alone on its line")
TITLE_RE = re.compile(r"^# (.+)$", re.MULTILINE)


def expand(text: str, catalogue: Catalogue, lang: str, page: str, root: str | None = None,
           site: proof.Site | None = None, key: str | None = None) -> str:
    """The page's Markdown with every marker replaced by its rendering in `lang`; `root` is
    the relative path from the page to the site root, for the links to downloadable files.

    With `site` (the proof records and the blocks the site shows), each block of a rule table
    gets its proof line; `key` is the page as records name it (basics.md)."""
    lines = text.split("\n")
    out = []
    key = key or Path(page).name
    for number, line in enumerate(lines, start=1):
        marker = marker_on(line, catalogue, page, number)
        if marker is None:
            out.append(line)
        elif marker == ("table", "services"):
            out.append(markdown.services_table(catalogue, lang))
        elif marker[0] == "table":
            lines_of = _proof_lines(site, key, marker[1], lang, root or "") if site is not None else None
            out.append(markdown.rules_block(catalogue, marker[1], lang, root, lines_of))
        elif marker[0] == "proof":
            out.append(_proof_part(marker[1], catalogue, lang, root or "", site))
        elif marker == ("builder", "form"):
            out.append(builder.form(catalogue, lang, root or ""))
        elif marker == ("builder", "output"):
            out.append(builder.output(catalogue, lang, root or ""))
        elif marker[0] == "builder":
            out.append(builder.results(site.evidence if site else None, lang, root or ""))
        elif marker == ("docker", "warning"):
            out.append(docker.warning(lang, root or ""))
        elif marker == ("docker", "usual"):
            out.append(docker.usual_table(lang))
        elif marker == ("fail2ban", "kept"):
            out.append(fail2ban.kept_table(lang))
        else:
            out.append(markdown.commands_block(catalogue.commands[marker[1]]))
    return "\n".join(out)


def marker_on(line: str, catalogue: Catalogue, page: str, number: int) -> tuple[str, str] | None:
    """(kind, id) of the marker on this line, None if there is none; errors name the page."""
    candidate = CANDIDATE_RE.search(line)
    if candidate is None:
        return None
    match = MARKER_RE.fullmatch(line.strip())
    if match is None:
        raise DataError(page, number, f"malformed marker '{candidate.group(0)}' (expected {SYNTAX})")
    kind, ident = match.group("kind"), match.group("id")
    if kind == "table" and ident != "services" and ident not in catalogue.tables:
        known = ", ".join(["services", *catalogue.tables])
        raise DataError(page, number, f"unknown table '{ident}' in marker (known: {known})")
    if kind in PARTS and ident not in PARTS[kind]:
        raise DataError(page, number, f"unknown {kind} part '{ident}' in marker (known: {', '.join(PARTS[kind])})")
    if kind == "commands" and ident not in catalogue.commands:
        known = ", ".join(catalogue.commands) or "none defined"
        raise DataError(page, number, f"unknown commands '{ident}' in marker (known: {known})")
    return kind, ident


def check_pages(docs_dir: str | Path, catalogue: Catalogue, display_root: str | Path) -> int:
    """Check every marker of every page before anything is built; returns how many there are."""
    count = 0
    root = Path(display_root).resolve()
    for path in sorted(Path(docs_dir).rglob("*.md")):
        shown = _display(path, root)
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            if marker_on(line, catalogue, shown, number) is not None:
                count += 1
    return count


def site_blocks(docs_dir: str | Path, catalogue: Catalogue, display_root: str | Path) -> list[tuple[str, proof.Block]]:
    """Every block of a rule table that the site shows, once, with the first page that shows
    it (as messages name it), in page order: English pages first, then the other languages'."""
    shown: dict[proof.Block, str] = {}
    root, docs = Path(display_root).resolve(), Path(docs_dir)
    for lang in LANGUAGES:
        for path in sorted((docs / lang).rglob("*.md")):
            key = path.relative_to(docs / lang).as_posix()
            for line in path.read_text(encoding="utf-8").split("\n"):
                match = MARKER_RE.fullmatch(line.strip())
                if match is None or match.group("kind") != "table" or match.group("id") == "services":
                    continue
                ruleset = catalogue.ruleset(match.group("id"))
                for frontend in markdown.frontends():
                    if frontend.supports(ruleset):
                        block = proof.block(key, match.group("id"), frontend.label, frontend.render(ruleset))
                        shown.setdefault(block, _display(path, root))
    return [(page, block) for block, page in shown.items()]


def page_titles(docs_dir: str | Path) -> dict[tuple[str, str], str]:
    """(language, page as records name it) -> the page's title, its first `# ` heading."""
    titles = {}
    for lang in LANGUAGES:
        for path in sorted((Path(docs_dir) / lang).rglob("*.md")):
            title = TITLE_RE.search(path.read_text(encoding="utf-8"))
            if title:
                titles[(lang, path.relative_to(Path(docs_dir) / lang).as_posix())] = title.group(1).strip()
    return titles


def _proof_lines(site: proof.Site, key: str, table: str, lang: str, root: str):
    """The function that writes the proof line of a tab of `table`, from its label and code."""
    link = proven.site_link(root, lang, proof.PAGE)

    def line(label: str, code: str) -> str:
        return proven.proof_line(site.evidence.status(proof.block(key, table, label, code)), lang, link)

    return line


def _proof_part(part: str, catalogue: Catalogue, lang: str, root: str, site: proof.Site | None) -> str:
    """The drawing of the lab, or the matrix of the last run (empty without records)."""
    if part == "lab":
        return proven.lab_figure(catalogue, lang)
    site = site or proof.Site(proof.Evidence(), (), {})
    titles = {page: title for (language, page), title in site.titles.items() if language == lang}
    return proven.matrix(site.evidence, list(site.blocks), titles, lang, root)


def _display(path: Path, root: Path) -> str:
    """A page's path as messages show it: relative to the project root when it lies inside."""
    return str(path.resolve().relative_to(root)) if path.resolve().is_relative_to(root) else str(path)
