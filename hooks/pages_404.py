"""One 404 page per language.

mkdocs-static-i18n builds each language in turn into the same site directory, so every
build writes `404.html` at the root and the last one wins. After each build this hook keeps
the default language's page at the root and moves the others to `<lang>/404.html`. Static
hosts (GitHub Pages) serve the root page for any missing address, so the root page sends
an address under `/<lang>/` to that language's page.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

_pages: dict[str, str] = {}


def on_post_build(config):
    site = Path(config.site_dir)
    lang = config.theme["language"]
    page = site / "404.html"
    if not page.exists():
        return
    _pages[lang] = page.read_text(encoding="utf-8")
    languages = [entry["locale"] for entry in config.plugins["i18n"].config["languages"]]
    default = languages[0]
    for other, text in _pages.items():
        if other != default:
            (site / other).mkdir(exist_ok=True)
            (site / other / "404.html").write_text(text, encoding="utf-8")
    if default in _pages:
        base = urlparse(config.site_url or "/").path or "/"
        others = [other for other in languages if other != default]
        script = (
            "<script>(function(){var b=%s,l=%s,p=location.pathname;"
            "for(var i=0;i<l.length;i++){if(p.indexOf(b+l[i]+'/')===0&&p!==b+l[i]+'/404.html')"
            "{location.replace(b+l[i]+'/404.html');return;}}})();</script>"
        ) % (json.dumps(base), json.dumps(others))
        page.write_text(_pages[default].replace("</head>", script + "</head>", 1), encoding="utf-8")
