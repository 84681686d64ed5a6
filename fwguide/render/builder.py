"""The builder page's parts, in the page's language: the form, the output's frame, the data
the script reads (`fwguide.builder.page_data`), and the results of the last run's proofs.

The form and the frame are HTML written here at build time; the script
(overrides/assets/javascripts/builder.js) only fills them. Without JavaScript the form stays
hidden and a note links to the ready-made tables.
"""

from __future__ import annotations

import html
import json

from .. import builder, i18n
from ..errors import DataError
from ..model import GROUPS, Catalogue
from . import proven
from .markdown import _table, frontends

SCRIPT = "assets/javascripts/builder.js"


def form(catalogue: Catalogue, lang: str, root: str) -> str:
    """The no-JavaScript note, then the form (hidden until the script runs)."""
    t = lambda key, **kw: html.escape(i18n.text(lang, key, **kw), quote=False)  # noqa: E731
    check_groups(catalogue)
    basics = f'<a href="{proven.site_link(root, lang, "basics.md")}">{t("builder_basics")}</a>'
    parts = ['<noscript><div class="admonition warning"><p class="admonition-title">JavaScript</p>'
             f'<p>{t("builder_nojs", link=basics)}</p></div></noscript>',
             '<form id="fw-builder" class="fw-builder" hidden novalidate>',
             f'<fieldset><legend>{t("builder_services")}</legend>',
             f'<p class="fw-help">{t("builder_services_help")}</p>']
    for group in GROUPS:
        services = [s for s in catalogue.services.values() if s.group == group]
        if not services:
            continue
        parts.append(f'<fieldset class="fw-group"><legend>{t("group_" + group)}</legend>')
        for s in services:
            ports = ", ".join(str(p) for p in s.ports)
            name = html.escape(s.name)
            parts += [
                '<div class="fw-service">',
                f'<input type="checkbox" id="fw-s-{s.id}" data-service="{s.id}">',
                f'<label for="fw-s-{s.id}"><strong>{name}</strong> <code>{ports}</code> '
                f'<span class="fw-desc">{html.escape(s.label[lang], quote=False)}</span></label>',
                f'<select id="fw-src-{s.id}" data-source-of="{s.id}" aria-label="{t("builder_source", name=name)}">',
                *(f'<option value="{v}">{t("builder_source_" + v)}</option>' for v in builder.SOURCES),
                "</select>",
            ]
            if s.id == builder.LIMITED:
                limit = t("builder_limit", connections=str(builder.UFW_LIMIT[0]), seconds=str(builder.UFW_LIMIT[1]))
                parts += ['<div class="fw-limit"><input type="checkbox" id="fw-limit">',
                          f'<label for="fw-limit">{limit}</label></div>']
            parts.append("</div>")
        parts.append("</fieldset>")
    parts += [
        "</fieldset>",
        f'<fieldset><legend>{t("builder_own")}</legend>',
        f'<p class="fw-help" id="fw-own-help">{t("builder_own_help")}</p>',
        '<div id="fw-own"></div>',
        f'<button type="button" id="fw-own-add" class="md-button">{t("builder_own_add")}</button>',
        "</fieldset>",
        f'<fieldset><legend>{t("builder_docker")}</legend>',
        '<div class="fw-option"><input type="checkbox" id="fw-docker">',
        f'<label for="fw-docker">{t("builder_docker_option")}</label></div>',
        '<div id="fw-published" hidden>',
        f'<p class="fw-help" id="fw-pub-help">{t("builder_published_help")}</p>',
        '<div id="fw-pub"></div>',
        f'<button type="button" id="fw-pub-add" class="md-button">{t("builder_published_add")}</button>',
        "</div>",
        "</fieldset>",
        f'<fieldset><legend>{t("builder_admin")}</legend>',
        f'<p class="fw-help" id="fw-admin-help">{t("builder_admin_help")}</p>',
    ]
    for family in (4, 6):
        parts += [
            '<div class="fw-field">',
            f'<label for="fw-a{family}">{t(f"builder_admin{family}")}</label>',
            f'<input type="text" id="fw-a{family}" autocomplete="off" spellcheck="false" '
            f'aria-describedby="fw-admin-help fw-a{family}-error">',
            f'<p class="fw-error" id="fw-a{family}-error"></p>',
            "</div>",
        ]
    parts += [
        "</fieldset>",
        f'<fieldset><legend>{t("builder_options")}</legend>',
        '<div class="fw-option"><input type="checkbox" id="fw-malformed">',
        f'<label for="fw-malformed">{t("builder_malformed")}</label></div>',
        f'<p class="fw-help">{t("builder_ftp")}</p>',
        "</fieldset>",
        '<p class="fw-error" id="fw-link-error"></p>',
        '<div class="fw-share">',
        f'<button type="button" id="fw-link-copy" class="md-button">{t("builder_link_copy")}</button>',
        '<span id="fw-link-status" role="status"></span>',
        "</div>",
        "</form>",
    ]
    return "\n".join(parts) + "\n"


def output(catalogue: Catalogue, lang: str, root: str) -> str:
    """The frame the script fills: warnings, the human table, one tab per front-end (the same
    tabs as every table of the site, each with its note and block), the downloads and the data
    file. Then the page's data and the script."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    parts = ['<div class="fw-builder-output" hidden markdown>', "",
             f'<div id="fw-invalid" class="admonition failure" hidden><p>{html.escape(t("builder_invalid"))}</p></div>',
             '<div id="fw-notices"></div>', "",
             '<div class="fw-result" markdown>', "", '<div id="fw-table"></div>', ""]
    for frontend in frontends():
        parts += [f'=== "{frontend.label}"', "", f'    <p class="fw-note" data-note="{frontend.label}"></p>', "",
                  f"    ``` {frontend.code_lang}", "    -", "    ```", ""]
    links = [f'<a data-download="{name}" download="{name}" href="#"><code>{name}</code></a>'
             for name, _ in builder.DOWNLOADS]
    datafile = f'<a data-download="{builder.FILE_NAME}" download="{builder.FILE_NAME}" href="#">' \
               f"<code>{builder.FILE_NAME}</code></a>"
    parts += ['<div id="fw-absent"></div>', "",
              f'<p>{t("downloads", links=" · ".join(links))}</p>', "",
              t("builder_datafile", file=builder.FILE_NAME), "",
              '<div class="fw-datafile" markdown>', "", "``` yaml", "-", "```", "", "</div>", "",
              f'<p>{t("builder_download_datafile", link=datafile)}</p>', "",
              "</div>", "", "</div>", ""]
    data = json.dumps(builder.page_data(catalogue, lang), ensure_ascii=False, separators=(",", ":"))
    parts += [f'<script type="application/json" id="fw-builder-data">{_script_safe(data)}</script>',
              f'<script src="{root}{SCRIPT}" defer></script>', ""]
    return "\n".join(parts)


def check_groups(catalogue: Catalogue) -> None:
    """Every service must say where the builder lists it."""
    for s in catalogue.services.values():
        if s.group is None:
            raise DataError(catalogue.services_path, s.line,
                            f"service '{s.id}' has no group (the builder page lists services by group: "
                            f"{', '.join(GROUPS)})")


def _script_safe(text: str) -> str:
    """JSON inside <script>: no '</' can close the element early."""
    return text.replace("</", "<\\/")


PAGE = "builder.md"  # the page as the proof records name it


def results(evidence, lang: str, root: str) -> str:
    """The configurations of this page that the last test run applied in the lab: one row per
    configuration, front-end (and backend) and release, with a link that loads it here.

    The last run is the seed of the newest record: each run draws its own configurations
    under the same names, so a record of another seed belongs to an older run (CI's jobs,
    one per release, share a seed and are one run)."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    mine = [r for r in (evidence.newest.values() if evidence else ()) if r.page == PAGE]
    if not mine:
        return t("builder_results_none") + "\n"
    seed = max(mine, key=lambda r: r.date).seed
    records = sorted((r for r in mine if r.seed == seed),
                     key=lambda r: (r.table, r.frontend, r.backend or "", r.release))
    passed = sum(r.result == "pass" for r in records)
    configs = len({r.table for r in records})
    summary = t("builder_results", configs=str(configs), records=str(len(records)), passed=str(passed),
                dates=proven.run_dates(lang, records))
    parts = [summary + (" " + t("builder_results_seed", seed=str(seed)) if seed is not None else "")]
    rows = [[t("builder_config"), t("matrix_tab"), t("matrix_release"), t("matrix_tool"), t("matrix_probes"),
             t("matrix_result")]]
    for r in records:
        config = f'<a href="#{html.escape(r.fragment or "")}">{r.table}</a>'
        rows.append([config, r.frontend, r.release_version, proven.tool_cell(r.frontend, r, r.backend),
                     proven.probes_cell(lang, r), t("result_pass" if r.result == "pass" else "result_fail")])
    parts.append(_table(rows))
    return "\n\n".join(parts) + "\n"
