"""Markdown for the proofs, per language: the line under each block, the drawing of the lab's
namespaces and the matrix of the last test run (the "How it is proven" page).

Pure functions of the records and the data: no I/O. Record values reach the page escaped,
though the loader already limits them to version-like text.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping
from datetime import datetime

from .. import LANGUAGES, i18n
from .. import proof as proofs
from ..lab import plan
from ..model import Catalogue
from ..proof import BACKEND_NAMES, TOOLS, Block, Evidence, Record, Status
from .markdown import _cell, _table


def proof_line(status: Status, lang: str, link: str) -> str:
    """The paragraph under a block: what proved it (releases, tool versions, backends, probes,
    date) or why it is not proven; its first words link to the proof page `link`."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    records = status.records
    if status.proven:
        versions = list(dict.fromkeys(r.release_version for r in records))
        lead = _link(link, t("proof_proven", releases=i18n.join(lang, versions)))
        tool = TOOLS[status.block.frontend]
        details = f"{tool} {i18n.join(lang, list(dict.fromkeys(r.tool_version for r in records)))}"
        backends = list(dict.fromkeys(BACKEND_NAMES[r.backend] for r in records if r.backend))
        if backends:
            details += f", {i18n.join(lang, backends)}"
        dockers = list(dict.fromkeys(r.tools["docker"] for r in records if "docker" in r.tools))
        if dockers:  # a server that runs Docker: the Docker it ran with
            details += f", Docker {i18n.join(lang, dockers)}"
        probes = count(lang, "probe_count", sum(r.probes_total for r in records))
        text = f"{lead} ({html.escape(details)}) · {probes} · {date(lang, max(r.date for r in records))}"
    else:
        reason = {"no-record": "proof_no_record", "changed": "proof_changed", "failed": "proof_failed",
                  "missing": "proof_missing"}[status.problem]
        backend = t("proof_backend", backend=BACKEND_NAMES[status.backend]) if status.backend else ""
        version = status.release.version if status.release else ""
        lead = _link(link, t("proof_not" if status.problem == "failed" else "proof_not_in_build"))
        text = t("proof_reason", lead=lead, reason=t(reason, version=version, backend=backend))
    return f"{text}\n{{: .fw-proof }}"


def matrix(evidence: Evidence, blocks: list[Block], titles: Mapping[str, str], lang: str, root: str) -> str:
    """The last run, block by block: one table per rule table of the site, one row per
    release (and iptables backend) with the tool's version, the probes, the result, the date.
    `titles` maps each page (basics.md) to its title in `lang`; `root` leads to the site root."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    statuses = [evidence.status(b) for b in blocks]
    used = {r.path: r for s in statuses for r in s.records}.values()
    if not used:
        return t("matrix_none") + "\n"
    parts = [t("matrix_proven", proven=str(sum(s.proven for s in statuses)), blocks=str(len(blocks)))]
    dates = run_dates(lang, used)
    kernels = i18n.join(lang, [f"`{k}`" for k in sorted({r.kernel for r in used})])
    parts[0] += " " + t("matrix_run", records=count(lang, "record_count", len(used)), dates=dates, kernels=kernels)
    header = [t(f"matrix_{c}") for c in ("tab", "release", "tool", "probes", "result", "date")]
    groups: dict[tuple[str, str], list[Block]] = {}
    for block in blocks:
        groups.setdefault((block.page, block.table), []).append(block)
    for (page, table), members in groups.items():
        rows = [header]
        for block in members:
            rows += [_matrix_row(evidence, block, release, backend, lang)
                     for release in evidence.releases for backend in proofs.backends_of(block.frontend)]
        title = html.escape(titles.get(page, page))
        page_link = f'<a href="{site_link(root, lang, page)}">{title}</a>'
        parts += [f"### `{table}`", t("matrix_page", link=page_link), _table(rows)]
    return "\n\n".join(parts) + "\n"


def lab_figure(catalogue: Catalogue, lang: str) -> str:
    """The lab's namespaces and links as an inline SVG drawing, in `lang`, in the text's colour
    (currentColor), so it reads in the light and the dark theme alike."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    addresses = lambda addrs: [addrs[4], addrs[6]]  # noqa: E731
    server = (t("lab_server"), t("lab_server_note"), addresses({f: plan.SERVER[f][0] for f in (4, 6)}))
    internet = (t("lab_internet"), t("lab_internet_note"), addresses(plan.INTERNET))
    clients = [(t("lab_client", id=p.id), t("lab_client_note", label=p.label[lang]), [str(p.ipv4), str(p.ipv6)])
               for p in catalogue.placeholders.values()]
    anyone = {f: plan.ANYONE_CANDIDATES[f][0] for f in (4, 6)}
    clients.append((t("lab_anyone"), t("lab_anyone_note"), addresses(anyone)))

    # The server on top and the internet namespace under it, both centred; the clients below,
    # two by two, each row centred too.
    shapes: list[str] = []
    top, gap, centre = 8, 40, (_WIDTH - _COLUMN) // 2
    _, server_height = _box(shapes, centre, top, *server)
    hub_top = top + server_height + gap
    _, hub_height = _box(shapes, centre, hub_top, *internet)
    hub_bottom = hub_top + hub_height
    lines = [(_WIDTH // 2, top + server_height, _WIDTH // 2, hub_top)]
    y = hub_bottom + gap
    for start in range(0, len(clients), 2):
        nodes = clients[start:start + 2]
        left = (_WIDTH - len(nodes) * _COLUMN - (len(nodes) - 1) * 16) // 2
        row = [_box(shapes, left + i * (_COLUMN + 16), y, *node) for i, node in enumerate(nodes)]
        lines += [(x + _COLUMN // 2, y, _WIDTH // 2, hub_bottom) for x, _ in row]
        y += max(h for _, h in row) + gap // 2
    height = y - gap // 2 + 8
    links = [f'<line x1="{a}" y1="{b}" x2="{c}" y2="{d}" stroke="currentColor" stroke-width="1.5"/>'
             for a, b, c, d in lines]
    svg = [
        f'<figure class="fw-lab"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'role="img" aria-labelledby="fw-lab-title fw-lab-desc" font-size="13" fill="currentColor">',
        f'<title id="fw-lab-title">{html.escape(t("lab_title"))}</title>',
        f'<desc id="fw-lab-desc">{html.escape(t("lab_desc"))}</desc>',
        *links, *shapes,
        "</svg></figure>",
    ]
    return "\n".join(svg) + "\n"


def date(lang: str, when: datetime) -> str:
    """A date as the language writes it (21 Nov 2026, 1er novembre 2026), whatever the locale."""
    day = i18n.text(lang, "day_1") if when.day == 1 else str(when.day)
    month = i18n.text(lang, "months").split()[when.month - 1]
    return i18n.text(lang, "date", day=day, month=month, year=str(when.year))


def count(lang: str, key: str, number: int) -> str:
    """'1,212 probes', '1 212 sondes': the number grouped by thousands, the noun agreed."""
    singular = str(number) in i18n.text(lang, "singular").split()
    return i18n.text(lang, f"{key}_one" if singular else key, count=_number(lang, number))


def site_link(root: str, lang: str, page: str) -> str:
    """The relative address of a page (basics.md) in the language's part of the site."""
    prefix = "" if lang == LANGUAGES[0] else f"{lang}/"
    path = page.removesuffix(".md")
    path = path.removesuffix("index") if path == "index" or path.endswith("/index") else path + "/"
    return f"{root}{prefix}{path}"


# Helpers

_WIDTH, _COLUMN = 440, 200  # the drawing's width, and a box's
_LINE = 17


def _box(shapes: list[str], x: int, y: int, title: str, note: str, addrs: list[str]) -> tuple[int, int]:
    """Draw one namespace (a titled box with its note and addresses) into `shapes`; returns
    (x, height)."""
    texts = [f'<text x="{x + 10}" y="{y + 20}" font-weight="bold">{html.escape(title)}</text>']
    line_y = y + 20
    for line in textwrap.wrap(note, 25):
        line_y += _LINE
        texts.append(f'<text x="{x + 10}" y="{line_y}">{html.escape(line)}</text>')
    for addr in addrs:
        line_y += _LINE
        texts.append(f'<text x="{x + 10}" y="{line_y}" font-family="monospace" font-size="12">{addr}</text>')
    height = line_y - y + 10
    shapes.append(f'<rect x="{x}" y="{y}" width="{_COLUMN}" height="{height}" rx="6" fill="none" '
                  f'stroke="currentColor" stroke-width="1.5"/>')
    shapes += texts
    return x, height


def _matrix_row(evidence: Evidence, block: Block, release, backend: str | None, lang: str) -> list[str]:
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    """One row of the matrix: a block with one release (and backend). Non-breaking spaces keep
    a version with its tool and a date on one line, so the narrow columns stay short."""
    record = evidence.newest.get((block.page, block.table, block.frontend, release.codename, backend))
    cells = [block.frontend, release.version, tool_cell(block.frontend, record, backend)]
    if record is None:
        return [*cells, "–", t("result_none"), "–"]
    result = ("result_changed" if record.sha256 != block.sha256
              else "result_pass" if record.result == "pass" else "result_fail")
    return [*cells, probes_cell(lang, record), t(result), date(lang, record.date).replace(" ", "\u00a0")]


def run_dates(lang: str, records) -> str:
    """The day, or the first and last days, on which `records` were written."""
    first, last = min(r.date for r in records), max(r.date for r in records)
    if first.date() == last.date():
        return i18n.text(lang, "matrix_on", date=date(lang, last))
    return i18n.text(lang, "matrix_from_to", first=date(lang, first), last=date(lang, last))


def tool_cell(frontend: str, record: Record | None, backend: str | None) -> str:
    """The tool a front-end runs, its version in the record, and the iptables backend."""
    tool = TOOLS[frontend] + (f"\u00a0{record.tool_version}" if record else "")
    return _cell(tool + (f", {BACKEND_NAMES[backend]}" if backend else ""))


def probes_cell(lang: str, record: Record) -> str:
    """The record's probes, and how many failed if any."""
    probes = _number(lang, record.probes_total)
    if record.probes_failed:
        probes = i18n.text(lang, "matrix_failed_probes", count=probes, failed=_number(lang, record.probes_failed))
    return probes


def _number(lang: str, number: int) -> str:
    """1,212 or 1 212: grouped by thousands as the language does."""
    return f"{number:,}".replace(",", i18n.text(lang, "thousands"))


def _link(href: str, text: str) -> str:
    # Raw HTML: MkDocs would check a Markdown link against its pages and report a directory URL.
    return f'<a href="{href}">{text}</a>'
