"""The builder page's reference: a reader's choices, and the table they stand for.

The builder page (docs/*/builder.md, `<!-- fw:builder form -->`) lets a reader describe their
server: services of the catalogue, each open to anyone or to their administration address
only, an SSH limit, ports of their own, the administration addresses, the options, and
whether it runs Docker, with the ports its containers publish. The page
writes that description as a data file (`table_yaml` here, `dataFile` in
overrides/assets/javascripts/builder.js) and shows the blocks of the table it stands for.

This module is what the browser is held to. The tests give the page a configuration by its
URL (`fragment`), then load the data file this module writes with `fwguide.loader` and render
it with `fwguide.render`: the page's data file, table and every block must be byte-identical
to those. Validation is the data files' own: the page gets the loader's patterns and limits
from `page_data`, and the tests check that it refuses exactly what the loader refuses.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote

from . import i18n
from .loader import PORT_RE, SAFE_TEXT_ALLOWED, SAFE_TEXT_MAX, SAFE_TEXT_RE
from .model import (
    GROUPS,
    LIMIT_CONNECTIONS,
    MALFORMED_CHECKS,
    PROTOCOLS,
    UFW_LIMIT,
    Catalogue,
)
from .render import firewalld, iptables, nftables, ufw
from .render.markdown import DOWNLOADS, frontends

TABLE_ID = "my-firewall"
FILE_NAME = f"{TABLE_ID}.yml"
POLICIES = {"input": "drop", "forward": "drop", "output": "accept"}
SOURCES = ("any", "admin")
LIMITED = "ssh"  # the service the per-source limit may slow down, with ufw's numbers
# How many own ports a configuration may hold: a page, not a database.
MAX_OWN = 20


@dataclass(frozen=True)
class OwnPort:
    """A port the reader adds: as typed (a port or FIRST-LAST), its protocol and source."""

    name: str
    port: str
    protocol: str = "tcp"
    source: str = "any"


@dataclass(frozen=True)
class Config:
    """What a reader chose. `services` are (service id, source) in the order picked; the table
    lists them in the catalogue's order, then the own ports in the order added. `admin4` and
    `admin6` are as typed ("" when left out)."""

    services: tuple[tuple[str, str], ...] = ()
    limit: bool = False
    own: tuple[OwnPort, ...] = ()
    admin4: str = ""
    admin6: str = ""
    malformed: bool = False
    # The server runs Docker; `published` are the ports its containers publish (TCP only, the
    # protocol of each is "tcp"). The page keeps them only while Docker is ticked.
    docker: bool = False
    published: tuple[OwnPort, ...] = ()


def fragment(config: Config) -> str:
    """The URL fragment (without '#') that carries a configuration: what the page reads."""
    parts = [f"s={sid}" + ("" if source == "any" else f":{source}") for sid, source in config.services]
    if config.limit:
        parts.append(f"limit={LIMITED}")
    parts += [f"p={_q(own.protocol)}:{_q(own.port)}:{_q(own.source)}:{_q(own.name)}" for own in config.own]
    if config.admin4:
        parts.append(f"a4={_q(config.admin4)}")
    if config.admin6:
        parts.append(f"a6={_q(config.admin6)}")
    if config.malformed:
        parts.append("malformed=drop")
    if config.docker:
        parts.append("docker=1")
        parts += [f"c={_q(pub.port)}:{_q(pub.source)}:{_q(pub.name)}" for pub in config.published]
    return "&".join(parts)


def _q(value: str) -> str:
    return quote(value, safe="")


def admin_networks(config: Config) -> dict[int, str]:
    """The administration networks typed, canonical (as the loader prints them), by family.
    Raises ValueError on what is not a network of the field's family; what else the data files
    refuse (a zone index, an IPv4-mapped address) the loader refuses when it reads the file."""
    out = {}
    for family, typed in ((4, config.admin4), (6, config.admin6)):
        typed = typed.strip()  # as YAML reads a plain value
        if typed:
            network = ipaddress.ip_network(typed, strict=True)
            if network.version != family:
                raise ValueError(f"{typed}: not IPv{family}")
            out[family] = str(network)
    return out


def table_yaml(config: Config, catalogue: Catalogue, lang: str) -> str:
    """The data file of a configuration: `python -m fwguide verify my-firewall.yml` in a copy
    of snippets/ takes it as it is. A service or own port for the administration address
    gets one rule per family typed, and none when no address is typed."""
    networks = admin_networks(config)
    lines = [f"# {i18n.text(lang, 'builder_file_comment', file=FILE_NAME)}",
             f"# #{fragment(config)}",
             "kind: table", f"id: {TABLE_ID}", "direction: inbound", "policies:"]
    lines += [f"  {chain}: {policy}" for chain, policy in POLICIES.items()]
    if config.malformed:
        lines.append("malformed_tcp: drop")
    if config.docker:
        lines.append("docker: true")
    rules: list[list[str]] = []
    chosen = dict(config.services)
    for service in catalogue.services.values():
        if service.id not in chosen:
            continue
        limit = [f"  limit: {{connections: {UFW_LIMIT[0]}, seconds: {UFW_LIMIT[1]}}}"] \
            if config.limit and service.id == LIMITED else []
        for source in _sources(chosen[service.id], networks):
            rules.append([f"- service: {service.id}", f"  source: {source}", "  action: accept", *limit])
    published = config.published if config.docker else ()
    for own, key, to in [(own, "builder_own_label", []) for own in config.own] + \
            [(pub, "builder_published_label", ["  to: container"]) for pub in published]:
        port = f"{own.port.strip()}/{own.protocol}"  # as typed: the loader reads it, leading zeros and all
        label = ", ".join(f'{lang_}: "{i18n.text(lang_, key)}"' for lang_ in i18n.TEXT)
        for source in _sources(own.source, networks):
            rules.append([f'- name: "{own.name.strip()}"', f"  label: {{{label}}}", f'  ports: ["{port}"]', *to,
                          f"  source: {source}", "  action: accept"])
    if rules:
        lines.append("rules:")
        lines += ["  " + line for rule in rules for line in rule]
    else:
        lines.append("rules: []")
    return "\n".join(lines) + "\n"


def _sources(source: str, networks: dict[int, str]) -> list[str]:
    if source == "any":
        return ["any"]
    return [f'"{networks[f]}"' for f in (4, 6) if f in networks]


def page_data(catalogue: Catalogue, lang: str) -> dict:
    """What the page's script gets, in the page's language: the catalogue, the words, the
    loader's rules for names, ports and addresses, and the renderers' fixed pieces. Every
    fact here is read from where it lives; the script writes none of its own."""
    return {
        "lang": lang,
        "table_id": TABLE_ID,
        "file_name": FILE_NAME,
        "languages": list(i18n.TEXT),
        "own_labels": {lang_: i18n.text(lang_, "builder_own_label") for lang_ in i18n.TEXT},
        "published_labels": {lang_: i18n.text(lang_, "builder_published_label") for lang_ in i18n.TEXT},
        "policies": POLICIES,
        "sources": list(SOURCES),
        "limited": LIMITED,
        "max_own": MAX_OWN,
        "groups": list(GROUPS),
        "services": [{
            "id": s.id, "name": s.name, "group": s.group, "helper": s.helper, "firewalld": s.firewalld,
            "label": s.label[lang], "ports": [[p.first, p.last, p.protocol] for p in s.ports],
        } for s in catalogue.services.values()],
        "text": i18n.TEXT[lang],
        "check": {
            "safe_text": SAFE_TEXT_RE.pattern, "safe_text_max": SAFE_TEXT_MAX, "safe_text_allowed": SAFE_TEXT_ALLOWED,
            "port": PORT_RE.pattern, "protocols": list(PROTOCOLS), "port_range": [1, 65535],
        },
        "limit": {"connections": UFW_LIMIT[0], "seconds": UFW_LIMIT[1], "max_connections": LIMIT_CONNECTIONS[1]},
        "frontends": [f.label for f in frontends()],
        "downloads": [list(d) for d in DOWNLOADS],
        "render": {
            "malformed": [[name, list(flags) if flags else None, nft, comment]
                          for name, flags, nft, comment in MALFORMED_CHECKS],
            "iptables": {"echo_limit": iptables.ICMP_ECHO_LIMIT, "nd_types": list(iptables.ND_TYPES),
                         "builtin": {k: list(v) for k, v in iptables.BUILTIN.items()},
                         "docker_user": iptables.DOCKER_USER, "other_published": iptables.OTHER_PUBLISHED},
            "nftables": {"table": nftables.TABLE, "indent": nftables.INDENT, "nd_types": nftables.ND_TYPES,
                         "echo_limit": nftables.ECHO_LIMIT, "helper_objects": nftables.HELPER_OBJECTS,
                         "addr_type": nftables.ADDR_TYPE, "addr_match": nftables.ADDR_MATCH,
                         "rate_units": [list(u) for u in nftables.RATE_UNITS],
                         "docker_bridges": list(nftables.DOCKER_BRIDGES)},
            "ufw": {"before_rules": ufw.BEFORE_RULES, "rule_files": [list(f) for f in ufw.RULE_FILES],
                    "anchor": ufw.ANCHOR, "policy": ufw.POLICY},
            "firewalld": {"cmd": firewalld.CMD},
        },
    }
