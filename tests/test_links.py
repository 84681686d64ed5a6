"""No broken internal link or anchor anywhere in the built site, in either language.

A crawl of every HTML file: each `href` inside the site (relative, or under site_url) must
reach a file that exists, and a `#fragment` an element with that id in the target page.
"""

from __future__ import annotations

import shutil
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import yaml

from support import ROOT

SITE_URL = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["site_url"]
BASE = urllib.parse.urlparse(SITE_URL).path


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "name" in attrs:
            self.ids.add(attrs["name"])
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def target(site: Path, page: Path, href: str) -> tuple[Path | None, str]:
    """The file a link reaches (None: outside the site) and its fragment."""
    parsed = urllib.parse.urlparse(href)
    if parsed.scheme in ("mailto", "javascript", "data"):
        return None, ""
    if parsed.scheme or parsed.netloc:
        if not href.startswith(SITE_URL):
            return None, ""
        path = parsed.path
    elif parsed.path.startswith("/"):
        path = parsed.path
    else:
        here = BASE + str(page.relative_to(site).as_posix())
        path = urllib.parse.urljoin(here, parsed.path) if parsed.path else here
    if not path.startswith(BASE):
        return site / "__outside_the_base__", parsed.fragment
    file = site / urllib.parse.unquote(path[len(BASE):])
    if path.endswith("/") or file.is_dir():
        file = file / "index.html"
    return file, parsed.fragment


def broken_links(site: Path) -> tuple[list[str], int]:
    """(every broken link as "page: href (why)", how many internal links were checked)."""
    parsed = {path: parse(path) for path in sorted(site.rglob("*.html"))}
    broken, checked = [], 0
    for path, page in parsed.items():
        for href in page.links:
            file, fragment = target(site, path, href)
            if file is None:
                continue
            checked += 1
            if not file.exists():
                broken.append(f"{path.relative_to(site)}: {href} (no such file)")
            elif fragment and file.suffix == ".html" and urllib.parse.unquote(fragment) not in parsed[file].ids:
                broken.append(f"{path.relative_to(site)}: {href} (no #{fragment})")
    return broken, checked


def test_no_internal_link_or_anchor_is_broken(site):
    assert len(list(site.rglob("*.html"))) >= 6
    broken, checked = broken_links(site)
    assert checked > 100
    assert broken == []


def test_the_link_check_finds_a_broken_link(site, tmp_path):
    """Control: the same crawl on a copy with one broken link and one broken anchor fails."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / "fr" / "basics" / "index.html"
    text = page.read_text(encoding="utf-8")
    broken = '<a href="../nowhere/">x</a><a href="../iptables/#nope">y</a></article>'
    page.write_text(text.replace("</article>", broken, 1), encoding="utf-8")
    assert broken_links(copy)[0] == [
        "fr/basics/index.html: ../nowhere/ (no such file)",
        "fr/basics/index.html: ../iptables/#nope (no #nope)",
    ]
