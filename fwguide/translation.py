"""The translation gate: every page exists in every language, with the same skeleton.

For each page pair it compares, in order: the headings (level by level), the markers
(tables and command blocks), the admonitions (their kinds) and the fenced code blocks
(byte for byte), and checks that each page reads as its own language (a French page left
in English is caught by counting common words of each language). A problem names both
files and the first difference:

    docs/en/basics.md:23 vs docs/fr/basics.md:25: heading 3 is level 2 in English, level 3 in French
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import LANGUAGES
from .markers import MARKER_RE

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
ADMONITION_RE = re.compile(r'^(?:!!!|\?\?\?\+?)\s+([a-z]+)\b')
FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
WORD_RE = re.compile(r"[a-zàâäçéèêëîïôöûùüÿœæ']+", re.I)
NAMES = {"en": "English", "fr": "French"}
# Frequent words that are not also frequent in the other language.
COMMON = {
    "en": set("the and of to is are that this with for from your you it be not by on as or which when "
              "all only one what there can its".split()),
    "fr": set("le la les des du de et est sont que qui une un pour dans avec sur pas par ce cette vous "
              "votre au aux ou plus son ses tout".split()),
}


@dataclass(frozen=True)
class Item:
    line: int
    value: str


@dataclass
class Skeleton:
    headings: list[Item]
    markers: list[Item]
    admonitions: list[Item]
    code: list[Item]
    words: list[str]


def skeleton(text: str) -> Skeleton:
    out = Skeleton([], [], [], [], [])
    fence: str | None = None
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if fence is not None:
            if line.strip().startswith(fence) and line.strip() == fence:
                out.code.append(Item(start, "\n".join(block)))
                fence, block = None, []
            else:
                block.append(line)
            continue
        fence_match = FENCE_RE.match(line.strip())
        if fence_match:
            fence, start = fence_match.group(1), number
            continue
        if heading := HEADING_RE.match(line):
            out.headings.append(Item(number, str(len(heading.group(1)))))
        if marker := MARKER_RE.search(line):
            out.markers.append(Item(number, f"{marker.group('kind')} {marker.group('id')}"))
        if admonition := ADMONITION_RE.match(line.strip()):
            out.admonitions.append(Item(number, admonition.group(1)))
        prose = re.sub(r"`[^`]*`|<!--.*?-->|\]\([^)]*\)", " ", line)
        out.words += [w.lower() for w in WORD_RE.findall(prose)]
    return out


def language_of(words: list[str]) -> str | None:
    """The language whose common words are most frequent, if there are enough words to say."""
    counts = {lang: sum(w in COMMON[lang] for w in words) for lang in COMMON}
    best = max(counts, key=counts.get)
    return best if counts[best] >= 5 else None


def check_pair(en: Path, fr: Path, shown: dict[Path, str]) -> list[str]:
    a, b = skeleton(en.read_text(encoding="utf-8")), skeleton(fr.read_text(encoding="utf-8"))
    problems = []
    for lang, path, page in (("en", en, a), ("fr", fr, b)):
        found = language_of(page.words)
        if found is not None and found != lang:
            problems.append(f"{shown[path]}: reads as {NAMES[found]}, not {NAMES[lang]} "
                            f"(compare with {shown[en if lang == 'fr' else fr]})")
    for what, left, right in (
        ("heading", a.headings, b.headings),
        ("marker", a.markers, b.markers),
        ("admonition", a.admonitions, b.admonitions),
        ("code block", a.code, b.code),
    ):
        for index in range(max(len(left), len(right))):
            l = left[index] if index < len(left) else None  # noqa: E741
            r = right[index] if index < len(right) else None
            if l is not None and r is not None and l.value == r.value:
                continue
            where = f"{shown[en]}:{l.line if l else 'end'} vs {shown[fr]}:{r.line if r else 'end'}"
            problems.append(f"{where}: {what} {index + 1}: {_describe(what, l)} in English, "
                            f"{_describe(what, r)} in French")
            break
    return problems


def _describe(what: str, item: Item | None) -> str:
    if item is None:
        return "missing"
    if what == "heading":
        return f"level {item.value}"
    if what == "code block":
        first = item.value.split("\n", 1)[0]
        return f"'{first[:40]}'"
    return f"'{item.value}'"


def check(docs: Path, display_root: Path | None = None) -> list[str]:
    """Every problem of the translations under `docs` (docs/<lang>/...), or an empty list."""
    root = display_root or docs.parent
    shown = {}

    def name(path: Path) -> str:
        shown[path] = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        return shown[path]

    default, *others = LANGUAGES
    problems = []
    pages = {lang: sorted(p.relative_to(docs / lang) for p in (docs / lang).rglob("*.md")) for lang in LANGUAGES}
    for lang in others:
        for missing in sorted(set(pages[default]) - set(pages[lang])):
            problems.append(f"{name(docs / lang / missing)}: missing (translates {name(docs / default / missing)})")
        for extra in sorted(set(pages[lang]) - set(pages[default])):
            problems.append(f"{name(docs / lang / extra)}: has no {NAMES[default]} page "
                            f"({name(docs / default / extra)} is missing)")
        for page in sorted(set(pages[default]) & set(pages[lang])):
            name(docs / default / page), name(docs / lang / page)
            problems += check_pair(docs / default / page, docs / lang / page, shown)
    return problems
