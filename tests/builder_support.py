"""The builder page in the tests: random configurations, what Python says of each, and what
the page shows of it, read from its DOM.

Python's side is fwguide.builder.table_yaml (the data file), then the real loader and
renderers on that file: never the page's own output.
"""

from __future__ import annotations

import ipaddress
import json
import random
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from fwguide.builder import LIMITED, MAX_OWN, TABLE_ID, Config, OwnPort, fragment, table_yaml
from fwguide.errors import DataError
from fwguide.loader import load_catalogue
from fwguide.render.markdown import _absent, frontends, rules_table

from support import ROOT, builder_seed as seed  # noqa: F401 (seed: the builder tests' name for it)

SNIPPETS = ROOT / "snippets"
CATALOGUE = load_catalogue(SNIPPETS, display_root=ROOT)
FRONTENDS = {f.label: f for f in frontends()}
BASE_FILES = ("services.yml", "placeholders.yml")  # what a table file needs beside it


def page_url(base: str, lang: str, config: Config) -> str:
    return f"{base}{'' if lang == 'en' else lang + '/'}builder/#{fragment(config)}"


# Configurations

NAMES = ("app", "Metrics", "game server", "api-v2", "Mail relay 2", "a.b:c/d+e_f", "X", "9100 exporter")


def random_address(rng: random.Random, family: int, lab: bool = False) -> str:
    """An administration address as a reader might type it, from the documentation ranges.
    `lab`: one address, away from the lab's own addresses (plan.py)."""
    if family == 4:
        net = rng.choice(("192.0.2.", "203.0.113.") if lab else ("192.0.2.", "198.51.100.", "203.0.113."))
        host = rng.randrange(100, 199) if lab else rng.randrange(0, 256)
        if lab or rng.random() < 0.6:
            return f"{net}{host}"
        prefix = rng.choice((24, 25, 28, 30, 32))
        network = ipaddress.ip_network(f"{net}{host}/{prefix}", strict=False)
        return rng.choice((str(network), f"{network.network_address}/{network.netmask}"))
    host = rng.randrange(1, 0xffff)
    text = f"2001:db8:a{rng.randrange(16):x}::{host:x}"
    if lab:
        return text
    roll = rng.random()
    if roll < 0.3:
        return text.upper()
    if roll < 0.5:
        return str(ipaddress.ip_network(f"{text}/{rng.choice((48, 56, 64))}", strict=False))
    if roll < 0.6:
        return ipaddress.ip_address(text).exploded  # every zero written out
    return text


def random_config(rng: random.Random, lab: bool = False, limit: bool | None = None,
                  malformed: bool | None = None) -> Config:
    """Services (each picked with some chance), their sources, the SSH limit, own ports (some
    on a service's port, which the data files refuse when it can never apply), addresses
    typed or left out, the malformed-TCP option, and (not in the lab, whose Docker draws are
    their own) a server that runs Docker with ports its containers publish, some on a port of
    the server's own or published twice, which the data files refuse."""
    services = tuple((sid, rng.choice(("any", "any", "admin"))) for sid in CATALOGUE.services if rng.random() < 0.4)
    picked = dict(services)
    own = []
    for _ in range(rng.choice((0, 0, 1, 2, 3))):
        if rng.random() < 0.15 and not lab:
            service = rng.choice(list(CATALOGUE.services.values()))
            port = service.ports[0]
            typed, protocol = str(port.first), port.protocol
        elif rng.random() < 0.3:
            first = rng.randrange(1024, 60000)
            typed, protocol = f"{first}-{first + rng.randrange(1, 50)}", rng.choice(("tcp", "udp"))
        else:
            typed, protocol = str(rng.randrange(1024, 65536)), rng.choice(("tcp", "udp"))
        if not lab and rng.random() < 0.1:
            typed = "0" + typed if "-" not in typed else typed  # leading zeros: the loader takes them
        own.append(OwnPort(rng.choice(NAMES), typed, protocol, rng.choice(("any", "admin"))))
    admin4 = random_address(rng, 4, lab) if rng.random() < 0.75 else ""
    admin6 = random_address(rng, 6, lab) if rng.random() < 0.65 else ""
    if not lab and rng.random() < 0.1:
        admin4 = f" {admin4} " if admin4 else admin4  # spaces around, as YAML trims them
    if limit is None:
        limit = LIMITED in picked and rng.random() < 0.4
    if malformed is None:
        malformed = rng.random() < 0.5
    docker = not lab and rng.random() < 0.3
    published = random_published(rng, [s for s in CATALOGUE.services if s in picked], own) if docker else ()
    return Config(services, limit and LIMITED in picked, tuple(own[:MAX_OWN]), admin4, admin6, malformed, docker,
                  published)


PUBLISHED_PORTS = ("5432", "8080", "3000-3009", "9000", "8443")


def random_published(rng: random.Random, services: list[str], own: list[OwnPort]) -> tuple[OwnPort, ...]:
    """Ports a server's containers publish: usual ones, now and then one the server opens
    itself (a service's or an own TCP port) or one published twice."""
    host = [str(p.first) for sid in services for p in CATALOGUE.services[sid].ports if p.protocol == "tcp"]
    host += [o.port for o in own if o.protocol == "tcp"]
    out: list[OwnPort] = []
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        roll = rng.random()
        if roll < 0.1 and host:
            port = rng.choice(host)
        elif roll < 0.15 and out:
            port = out[0].port
        elif roll < 0.4:
            port = str(rng.randrange(1024, 65536))
        else:
            port = rng.choice(PUBLISHED_PORTS)
        out.append(OwnPort(rng.choice(NAMES), port, "tcp", rng.choice(("any", "any", "admin"))))
    return tuple(out)


def lab_published(rng: random.Random, config: Config) -> Config:
    """A configuration for the lab's Docker host: the same one running Docker, with one to
    three published ports, drawn from usual ones the server does not open itself."""
    host = {p.first for sid, _ in config.services for p in CATALOGUE.services[sid].ports if p.protocol == "tcp"}
    for own in (o for o in config.own if o.protocol == "tcp"):
        first, _, last = own.port.partition("-")
        host |= set(range(int(first), int(last or first) + 1))
    free = [port for port in ("80", "443", "5432", "8080", "3000-3003", "9000")
            if not host & set(range(int(port.split("-")[0]), int(port.split("-")[-1]) + 1))]
    ports = rng.sample(free, min(len(free), rng.choice((1, 2, 3))))
    published = tuple(OwnPort(rng.choice(NAMES), port, "tcp", rng.choice(("any", "admin"))) for port in ports)
    return replace(config, docker=True, published=published)


def single_configs() -> list[tuple[str, Config]]:
    """Every service on its own, for anyone and for an administration address (both
    families), and SSH with its limit for each source."""
    configs = []
    for sid in CATALOGUE.services:
        for source in ("any", "admin"):
            addresses = {"admin4": "203.0.113.77", "admin6": "2001:db8:a1::77"}
            configs.append((f"{sid}/{source}", Config(((sid, source),), **addresses)))
            if sid == LIMITED:
                configs.append((f"{sid}/{source}/limit", Config(((sid, source),), True, **addresses)))
    return configs


# What Python says


def expected(config: Config, lang: str) -> dict:
    """What the page must show for a configuration: the data file, then, from that file as the
    loader reads it, the table's cells, each front-end's note and block, the notes of absent
    tabs. {"error": message} when the loader refuses the data file."""
    yaml_text = table_yaml(config, CATALOGUE, lang)
    try:
        catalogue = load_file(yaml_text)
    except DataError as exc:
        return {"error": str(exc)}
    ruleset = catalogue.ruleset(TABLE_ID)
    shown = [f for f in frontends() if f.supports(ruleset)]
    return {
        "yaml": yaml_text,
        "table": table_cells(rules_table(ruleset, lang)),
        "blocks": {f.label: f.render(ruleset) for f in shown},
        "notes": {f.label: plain(f.note(ruleset, lang)) for f in shown},
        "absent": [plain(n) for f in frontends() if not f.supports(ruleset) for n in _absent(f, ruleset, lang)],
        "fragment": fragment(config),
    }


def load_file(yaml_text: str, name: str = "my-firewall.yml"):
    """The catalogue of a snippets/ copy holding the services, the placeholders and this file."""
    with tempfile.TemporaryDirectory(prefix="fwguide-builder-") as tmp:
        directory = Path(tmp) / "snippets"
        write_snippets(directory, yaml_text, name)
        return load_catalogue(directory, display_root=tmp)


def write_snippets(directory: Path, yaml_text: str, name: str = "my-firewall.yml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for base in BASE_FILES:
        shutil.copyfile(SNIPPETS / base, directory / base)
    (directory / name).write_text(yaml_text, encoding="utf-8")
    return directory / name


def loader_accepts(name: str = "app", port: str = "8080", protocol: str = "tcp", address: str = "any") -> bool:
    """Whether the data files take these values, in a one-rule table, written as YAML
    double-quoted scalars (JSON strings are), so any text reaches the loader as it is."""
    text = "\n".join([
        "kind: table", "id: probe", "direction: inbound",
        "policies: {input: drop, forward: drop, output: accept}", "rules:",
        f"  - name: {json.dumps(name)}", "    label: {en: x, fr: x}",
        f"    ports: [{json.dumps(port.strip() + '/' + protocol)}]",
        f"    source: {json.dumps(address.strip())}", "    action: accept", ""])
    try:
        load_file(text, "probe.yml")
    except DataError:
        return False
    return True


def plain(markdown: str) -> str:
    """A note's text as the reader sees it: its only Markdown is `code`."""
    return markdown.replace("`", "")


def table_cells(markdown: str) -> list[list[str]]:
    rows = [line for line in markdown.split("\n") if line.startswith("| ")]
    cells = [[c.strip().replace("\\|", "|").replace("`", "") for c in row[2:-2].split(" | ")] for row in rows]
    return [[c.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for c in row] for row in cells]


# What the page shows

READ = """() => {
  const result = document.querySelector('.fw-result');
  const set = result.querySelector('.tabbed-set');
  const labels = [...set.querySelectorAll('.tabbed-labels > label')];
  const blocks = [...set.querySelectorAll('.tabbed-content > .tabbed-block')];
  const out = {blocks: {}, notes: {}, hidden: [], errors: {}};
  labels.forEach((label, i) => {
    const name = label.textContent.trim();
    if (!label.checkVisibility()) { out.hidden.push(name); return; }
    out.blocks[name] = blocks[i].querySelector('pre > code').textContent;
    out.notes[name] = blocks[i].querySelector('.fw-note').textContent;
  });
  out.valid = result.checkVisibility() && !document.getElementById('fw-invalid').checkVisibility();
  out.yaml = document.querySelector('.fw-datafile pre > code').textContent;
  out.table = [...document.querySelectorAll('#fw-table tr')].map(tr => [...tr.cells].map(c => c.textContent));
  out.absent = [...document.querySelectorAll('#fw-absent p')].map(p => p.textContent);
  document.querySelectorAll('#fw-builder .fw-error').forEach(p => {
    if (p.textContent) out.errors[p.id] = p.textContent;
  });
  out.notices = document.getElementById('fw-notices').textContent;
  out.fragment = window.fwBuilder.fragment();
  out.hash = location.hash.slice(1);
  return out;
}"""

GO = """hash => new Promise(resolve => {
  if (location.hash === '#' + hash) { resolve(); return; }
  addEventListener('hashchange', () => setTimeout(resolve, 0), {once: true});
  location.hash = hash;
})"""


SHOW = f"async hash => {{ await ({GO})(hash); return ({READ})(); }}"


def show(page, config: Config) -> dict:
    """Load a configuration by its fragment, as a bookmark would, and read what the page shows
    (one call into the page: the round trips were a tenth of the differential tests' time)."""
    return page.evaluate(SHOW, fragment(config))


def differences(config: Config, lang: str, seen: dict) -> list[str]:
    """What the page shows that Python does not say, one line each (empty: identical)."""
    want = expected(config, lang)
    if "error" in want:
        return [] if not seen["valid"] and seen["errors"] else [f"the loader refuses it ({want['error']}), "
                                                                f"the page shows a ruleset"]
    out = []
    if not seen["valid"]:
        return [f"the page shows no ruleset: {seen['errors']}"]
    for key in ("yaml", "table", "blocks", "notes", "absent", "fragment"):
        if seen[key] != want[key]:
            if isinstance(want[key], dict):
                for label in sorted(set(want[key]) | set(seen[key])):
                    if want[key].get(label) != seen[key].get(label):
                        out.append(f"{key} {label}: page {seen[key].get(label)!r} != python {want[key].get(label)!r}")
            else:
                out.append(f"{key}: page {seen[key]!r} != python {want[key]!r}")
    return out

