"""MkDocs glue for the rendering core: load snippets/ once per build, expand page markers.

Only MkDocs events live here; loading, validation and rendering are in `fwguide`, which the
tests import with no MkDocs running. With mkdocs-static-i18n every event runs once per
language, so the language is read from the theme in each page event.
"""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.exceptions import PluginError

from fwguide import LANGUAGES, markers, proof
from fwguide.errors import DataError
from fwguide.loader import load_catalogue
from fwguide.render.markdown import downloads

SNIPPETS = "snippets"
_catalogue = None
_site = None


# Hooks


def on_config(config):
    """Load and validate every data file, every marker of every page and the proof records
    (FWGUIDE_PROOF_DIR) before building; with FWGUIDE_REQUIRE_PROOF=1, fail unless every
    block the site shows is proven."""
    global _catalogue, _site
    root = Path(config.config_file_path).parent
    try:
        _catalogue = load_catalogue(root / SNIPPETS, display_root=root)
        markers.check_pages(config.docs_dir, _catalogue, display_root=root)
        directory, required = proof.settings(os.environ, root)
        evidence = proof.Evidence(proof.load_records(directory, display_root=root))
        shown = markers.site_blocks(config.docs_dir, _catalogue, display_root=root)
    except DataError as exc:
        raise PluginError(str(exc)) from None
    if required and (unproven := proof.unproven(evidence, shown)):
        many = f"{len(unproven)} blocks are" if len(unproven) > 1 else "1 block is"
        raise PluginError(f"{proof.REQUIRE_ENV}=1, and {many} not proven by the records in {directory}:\n"
                          + "\n".join(unproven))
    _site = proof.Site(evidence, tuple(block for _, block in shown), markers.page_titles(config.docs_dir))
    return config


def on_post_build(config):
    """The tables' downloadable files (rules.v4, rules.v6, firewall.nft), generated from the data.

    Written after the build, not added to MkDocs' files: the i18n plugin expects every file
    to have a source on disk. The pages link to them by a path relative to the page.
    The files are the same in every language: written once, in the default language's build."""
    if config.theme["language"] != LANGUAGES[0]:
        return
    for path, content in downloads(_catalogue).items():
        target = Path(config.site_dir) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def on_page_markdown(markdown, page, config, files):
    """Replace each marker with its table and command tabs, in the language being built."""
    lang = config.theme["language"]
    if lang not in LANGUAGES:
        raise PluginError(f"{page.file.src_uri}: the site is built in '{lang}', "
                          f"which has no texts (known: {', '.join(LANGUAGES)})")
    try:
        shown = f"{Path(config.docs_dir).name}/{page.file.src_uri}"
        # Relative to the page ('basics/' -> '../', 'fr/basics/' -> '../../', '' -> ''): the
        # links work under any site_url path, and wherever a copy of the site is served.
        root = "../" * page.url.count("/")
        key = page.file.src_uri.removeprefix(f"{lang}/")  # the page as proof records name it
        return markers.expand(markdown, _catalogue, lang, shown, root, _site, key)
    except DataError as exc:
        raise PluginError(str(exc)) from None
