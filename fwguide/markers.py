"""Markers in pages, each on a line of its own: `<!-- fw:table ID -->` places a rule table
(or `services`, the catalogue), `<!-- fw:commands ID -->` a block of other commands.

A marker is an HTML comment, so a page still reads cleanly where the hook does not run.
Anything that looks like a marker but is not a valid one fails, naming the page.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import DataError
from .model import Catalogue
from .render import markdown

# Anything that starts like one of our markers, valid or not, on any line.
CANDIDATE_RE = re.compile(r"<!--\s*fw\b.*?(?:-->|$)", re.MULTILINE)
MARKER_RE = re.compile(r"<!-- fw:(?P<kind>table|commands) (?P<id>[a-z][a-z0-9-]*) -->")
SYNTAX = "<!-- fw:table TABLE-ID --> or <!-- fw:commands COMMAND-ID -->, alone on its line"


def expand(text: str, catalogue: Catalogue, lang: str, page: str, root: str | None = None) -> str:
    """The page's Markdown with every marker replaced by its rendering in `lang`; `root` is
    the relative path from the page to the site root, for the links to downloadable files."""
    lines = text.split("\n")
    out = []
    for number, line in enumerate(lines, start=1):
        marker = marker_on(line, catalogue, page, number)
        if marker is None:
            out.append(line)
        elif marker == ("table", "services"):
            out.append(markdown.services_table(catalogue, lang))
        elif marker[0] == "table":
            out.append(markdown.rules_block(catalogue, marker[1], lang, root))
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
    if kind == "commands" and ident not in catalogue.commands:
        known = ", ".join(catalogue.commands) or "none defined"
        raise DataError(page, number, f"unknown commands '{ident}' in marker (known: {known})")
    return kind, ident


def check_pages(docs_dir: str | Path, catalogue: Catalogue, display_root: str | Path) -> int:
    """Check every marker of every page before anything is built; returns how many there are."""
    count = 0
    root = Path(display_root).resolve()
    for path in sorted(Path(docs_dir).rglob("*.md")):
        shown = str(path.resolve().relative_to(root)) if path.resolve().is_relative_to(root) else str(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
            if marker_on(line, catalogue, shown, number) is not None:
                count += 1
    return count
