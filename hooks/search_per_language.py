"""One search index per language.

mkdocs-static-i18n leaves a single `search/search_index.json` holding every language, so a
French query on a French page also lists English pages. After the build this hook splits
it: the root index keeps the default language, `<lang>/search/search_index.json` holds each
other language with its locations made relative to that language's root, and that
language's pages get a `base` (in Material's `__config`) pointing at their own root, which
is where Material's search worker fetches its index and resolves result links from.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

CONFIG_RE = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


# After mkdocs-static-i18n's own on_post_build (-100), which builds the other languages and
# then writes the combined index.
@event_priority(-200)
def on_post_build(config):
    site = Path(config.site_dir)
    index_path = site / "search" / "search_index.json"
    if not index_path.exists():
        return
    languages = [entry["locale"] for entry in config.plugins["i18n"].config["languages"]]
    default, others = languages[0], languages[1:]
    index = json.loads(index_path.read_text(encoding="utf-8"))
    docs = index["docs"]

    def own(doc, lang):
        return doc["location"].startswith(f"{lang}/") or doc["location"] == f"{lang}/"

    for lang in others:
        mine = [dict(d, location=d["location"][len(lang) + 1:]) for d in docs if own(d, lang)]
        if not mine:
            continue  # this language is not built yet
        out = site / lang / "search" / "search_index.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({**index, "config": {**index["config"], "lang": [lang]}, "docs": mine}),
                       encoding="utf-8")
        for page in (site / lang).rglob("*.html"):
            _point_base_at(page, lang)
    default_docs = [d for d in docs if not any(own(d, lang) for lang in others)]
    index_path.write_text(json.dumps({**index, "config": {**index["config"], "lang": [default]},
                                      "docs": default_docs}), encoding="utf-8")


def _point_base_at(page: Path, lang: str) -> None:
    text = page.read_text(encoding="utf-8")
    match = CONFIG_RE.search(text)
    if match is None:
        return
    settings = json.loads(match.group(2))
    base = settings["base"].rstrip("/")
    if base.endswith(f"/{lang}") or base == lang:
        return  # already done (mkdocs serve rebuilds)
    # With its trailing slash, as Material resolves "search/search_index.json" against it.
    settings["base"] = f"{base}/{lang}/" if base else f"{lang}/"
    new = match.group(1) + json.dumps(settings) + match.group(3)
    page.write_text(text[: match.start()] + new + text[match.end():], encoding="utf-8")
