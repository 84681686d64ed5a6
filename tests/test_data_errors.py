"""Broken data files fail with `path:line: what is wrong (what is allowed)`, exactly."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from fwguide.errors import DataError
from fwguide.loader import _compose, load_catalogue
from support import ROOT

SERVICES = """\
kind: services
services:
  - id: ssh
    name: SSH
    ports: [22/tcp]
    label:
      en: Remote administration
      fr: Administration à distance
"""

PLACEHOLDERS = """\
kind: placeholders
placeholders:
  - id: admin
    label: {en: your address, fr: votre adresse}
    ipv4: 203.0.113.10
    ipv6: 2001:db8::10
"""


def table(rules: str = "  - service: ssh\n    action: accept\n", head: str = "") -> str:
    """A table file with the given rules; `head` adds top-level lines after the id."""
    return (
        "kind: table\nid: web\ndirection: inbound\n"
        + head
        + "policies: {input: drop, forward: drop, output: accept}\nrules:\n"
        + rules
    )


def rule(ports: str, action: str = "accept", source: str = "any", name: str = "Games") -> str:
    """A rule with its own name and ports, from `source`."""
    return (f"  - name: {name}\n    label: {{en: {name}, fr: {name}}}\n    ports: [{ports}]\n"
            f"    source: {source}\n    action: {action}\n")


SSH = "  - service: ssh\n    action: accept\n"


def limited(connections="5", seconds="30", action: str = "accept") -> str:
    """SSH for anyone with a per-source limit; the limit is on the rule's third line."""
    return f"  - service: ssh\n    action: {action}\n    limit: {{connections: {connections}, seconds: {seconds}}}\n"


SSH_ADMIN = "  - service: ssh\n    source: admin\n    action: accept\n"


def load(tmp_path, **files: str | bytes):
    """Load a snippets/ directory made of the valid base files overridden by `files`; bytes
    are written as they are."""
    directory = tmp_path / "snippets"
    directory.mkdir(exist_ok=True)
    contents = {"services.yml": SERVICES, "placeholders.yml": PLACEHOLDERS, "web.yml": table()}
    contents.update({name.replace("_", "-") + ".yml": text for name, text in files.items()})
    for name, text in contents.items():
        if isinstance(text, bytes):
            (directory / name).write_bytes(text)
        elif text is not None:
            (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return load_catalogue(directory, display_root=tmp_path)


CASES = {
    "bad yaml": (
        {"web": "kind: table\nid: web\nrules: [ssh\n"},
        "snippets/web.yml:4: invalid YAML: expected ',' or ']', but got '<stream end>'",
    ),
    "empty file": ({"web": ""}, "snippets/web.yml:1: the file is empty (expected a mapping with 'kind')"),
    "unknown kind": (
        {"web": "kind: chart\n"},
        "snippets/web.yml:1: unknown kind 'chart' (allowed: placeholders, services, table, commands)",
    ),
    "unknown key": (
        {"web": table(head="colour: red\n")},
        "snippets/web.yml:4: unknown key 'colour' in a table file "
        "(allowed: kind, id, direction, rules, extends, policies, malformed_tcp, required_tabs, docker)",
    ),
    "duplicate key": (
        {"web": table(head="direction: outbound\n")},
        "snippets/web.yml:4: duplicate key 'direction' in a table file",
    ),
    "port 0": (
        {"services": SERVICES.replace("22/tcp", "0/tcp")},
        "snippets/services.yml:5: port 0 is out of range (allowed: 1-65535)",
    ),
    "port 70000": (
        {"services": SERVICES.replace("22/tcp", "70000/tcp")},
        "snippets/services.yml:5: port 70000 is out of range (allowed: 1-65535)",
    ),
    "reversed range": (
        {"services": SERVICES.replace("22/tcp", "6010-6000/tcp")},
        "snippets/services.yml:5: port range '6010-6000/tcp' is reversed or empty "
        "(the first port must be lower)",
    ),
    "unknown protocol": (
        {"services": SERVICES.replace("22/tcp", "22/sctp")},
        "snippets/services.yml:5: unknown protocol 'sctp' in '22/sctp' (allowed: tcp, udp)",
    ),
    "port without protocol": (
        {"services": SERVICES.replace("[22/tcp]", "[22]")},
        "snippets/services.yml:5: port '22' is not PORT/PROTOCOL or FIRST-LAST/PROTOCOL "
        "(for example 22/tcp or 60000-61000/udp)",
    ),
    "bad cidr": (
        {"web": table("  - service: ssh\n    source: 198.51.100.300/24\n    action: accept\n")},
        "snippets/web.yml:7: address '198.51.100.300/24': not an address or network "
        "(allowed: any, admin, or an IPv4/IPv6 address or CIDR)",
    ),
    "cidr with host bits": (
        {"web": table("  - service: ssh\n    source: 198.51.100.7/24\n    action: accept\n")},
        "snippets/web.yml:7: address '198.51.100.7/24': 198.51.100.7/24 has host bits set "
        "(allowed: any, admin, or an IPv4/IPv6 address or CIDR)",
    ),
    "address with a zone index": (
        {"web": table("  - service: ssh\n    source: fe80::1%eth0\n    action: accept\n")},
        "snippets/web.yml:7: address 'fe80::1%eth0': a zone index (%...) has no meaning in a firewall rule "
        "(allowed: an IPv4/IPv6 address or CIDR without %)",
    ),
    "unknown group": (
        {"services": SERVICES.replace("    name: SSH\n", "    name: SSH\n    group: games\n")},
        "snippets/services.yml:5: unknown group 'games' "
        "(allowed: web, mail, name-server, file-transfer, administration)",
    ),
    "missing french label": (
        {"services": SERVICES.replace("      fr: Administration à distance\n", "")},
        "snippets/services.yml:7: label has no 'fr' text (every label needs: en, fr)",
    ),
    "duplicate table id": (
        {"web_copy": table()},
        "snippets/web.yml:2: table id 'web' is already used by snippets/web-copy.yml",
    ),
    "shell metacharacters in a comment": (
        {"web": table("  - service: ssh\n    comment: ssh; reboot\n    action: accept\n")},
        "snippets/web.yml:7: comment 'ssh; reboot' contains ';', which is not allowed "
        "(letters, digits, space and . _ : / + -, starting with a letter or digit)",
    ),
    "shell metacharacters in a name": (
        {"services": SERVICES.replace("name: SSH", "name: SSH$(reboot)")},
        "snippets/services.yml:4: service name 'SSH$(reboot)' contains '$', which is not allowed "
        "(letters, digits, space and . _ : / + -, starting with a letter or digit)",
    ),
    "quote in a comment": (
        {"web": table("  - service: ssh\n    comment: 'a\"b'\n    action: accept\n")},
        "snippets/web.yml:7: comment 'a\"b' contains '\"', which is not allowed "
        "(letters, digits, space and . _ : / + -, starting with a letter or digit)",
    ),
    "unknown action": (
        {"web": table("  - service: ssh\n    action: allow\n")},
        "snippets/web.yml:7: unknown action 'allow' (allowed: accept, drop)",
    ),
    "missing action": (
        {"web": table("  - service: ssh\n")},
        "snippets/web.yml:6: an inbound rule is missing 'action' (required: action)",
    ),
    "unknown service": (
        {"web": table("  - service: telnet\n    action: accept\n")},
        "snippets/web.yml:6: unknown service 'telnet' (known: ssh)",
    ),
    "service and ports together": (
        {"web": table("  - service: ssh\n    ports: [2222/tcp]\n    action: accept\n")},
        "snippets/web.yml:7: a rule with 'service' takes name, label and ports from the "
        "catalogue; remove 'ports'",
    ),
    "destination in an inbound rule": (
        {"web": table("  - service: ssh\n    destination: any\n    action: accept\n")},
        "snippets/web.yml:7: unknown key 'destination' in an inbound rule "
        "(allowed: action, service, name, label, ports, source, comment, limit, to)",
    ),
    "unknown direction": (
        {"web": table().replace("direction: inbound", "direction: sideways")},
        "snippets/web.yml:3: unknown direction 'sideways' (allowed: inbound, outbound)",
    ),
    "example address outside the documentation ranges": (
        {"placeholders": PLACEHOLDERS.replace("203.0.113.10", "10.0.0.1")},
        "snippets/placeholders.yml:5: example address 10.0.0.1 is not in a documentation range "
        "(allowed: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24)",
    ),
    "ipv4 example given as ipv6": (
        {"placeholders": PLACEHOLDERS.replace("203.0.113.10", "2001:db8::1")},
        "snippets/placeholders.yml:5: '2001:db8::1' is not an IPv4 address",
    ),
    "incomplete policies": (
        {"web": table().replace("policies: {input: drop, forward: drop, output: accept}", "policies: {input: drop}")},
        "snippets/web.yml:4: policies is missing 'forward' (required: input, forward, output)",
    ),
    "unknown policy": (
        {"web": table().replace("input: drop", "input: reject")},
        "snippets/web.yml:4: unknown policy 'reject' (allowed: accept, drop)",
    ),
    "extends an unknown table": (
        {"extra": "kind: table\nid: extra\ndirection: inbound\nextends: webb\nrules: []\n"},
        "snippets/extra.yml:2: table 'extra' extends unknown table 'webb' (known: web)",
    ),
    "extends in a loop": (
        {
            "a": "kind: table\nid: a\ndirection: inbound\nextends: b\nrules: []\n",
            "b": "kind: table\nid: b\ndirection: inbound\nextends: a\nrules: []\n",
        },
        "snippets/a.yml:2: tables extend each other in a loop: a -> b -> a",
    ),
    "helper service in an outbound rule": (
        {
            "services": SERVICES + "  - id: ftp\n    name: FTP\n    ports: [21/tcp]\n    helper: ftp\n"
            "    label: {en: File transfer, fr: Transfert de fichiers}\n",
            "out": "kind: table\nid: out\ndirection: outbound\nextends: web\nrules:\n"
            "  - service: ftp\n    action: accept\n",
        },
        "snippets/out.yml:6: service 'ftp' needs the conntrack ftp helper, which tables attach "
        "on inbound rules only",
    ),
    "reserved table id": (
        {"web": table().replace("id: web", "id: services")},
        "snippets/web.yml:2: table id 'services' is reserved for the services catalogue",
    ),
    "invalid id": (
        {"web": table().replace("id: web", "id: Web_Rules")},
        "snippets/web.yml:2: table id 'Web_Rules' is not a valid id (a lowercase letter, then "
        "lowercase letters, digits or '-'; 32 characters at most)",
    ),
    "unknown malformed_tcp": (
        {"web": table(head="malformed_tcp: reject\n")},
        "snippets/web.yml:4: unknown malformed_tcp 'reject' (allowed: conntrack, drop)",
    ),
    "command with text and variants": (
        {"cmds": "kind: commands\ncommands:\n  - id: list\n    text: |\n      iptables -L\n    variants: []\n"},
        "snippets/cmds.yml:3: command 'list' needs either 'text' or 'variants', not both or neither",
    ),
    "command text with a tab": (
        {"cmds": "kind: commands\ncommands:\n  - id: list\n    text: |\n      iptables -L\n      iptables\t-S\n"},
        "snippets/cmds.yml:6: command text may hold printable ASCII only (no tab)",
    ),
    "command text on one line": (
        {"cmds": "kind: commands\ncommands:\n  - id: list\n    text: iptables -L\n"},
        "snippets/cmds.yml:4: command text must end with a newline (use 'text: |')",
    ),
    "command id of a table": (
        {"cmds": "kind: commands\ncommands:\n  - id: web\n    text: |\n      iptables -L\n"},
        "snippets/cmds.yml:3: id 'web' is already used by a table or a command",
    ),
    "two variants with one label": (
        {"cmds": "kind: commands\ncommands:\n  - id: list\n    variants:\n"
                 "      - {label: iptables, text: \"iptables -L\\n\"}\n"
                 "      - {label: iptables, text: \"iptables -S\\n\"}\n"},
        "snippets/cmds.yml:6: command 'list' has two variants labelled 'iptables'",
    ),
    "multi-line label": (
        {"services": SERVICES.replace("en: Remote administration", "en: |\n        two\n        lines")},
        "snippets/services.yml:7: label 'en' text must be a single line",
    ),
    # Any bytes: a file the YAML parser should never see, or a construct the files do not use.
    "not utf-8": (
        {"services": SERVICES.encode("latin-1")},
        "snippets/services.yml:8: byte 0xe0 is not valid UTF-8 "
        "(allowed: UTF-8 text, with or without a byte-order mark)",
    ),
    "lone surrogate in the bytes": (
        {"web": table().encode() + b"# \xed\xa0\x80\n"},
        "snippets/web.yml:8: byte 0xed is not valid UTF-8 (allowed: UTF-8 text, with or without a byte-order mark)",
    ),
    "larger than the limit": (
        {"web": table() + "# " + "x" * 256 * 1024 + "\n"},
        "snippets/web.yml: the file is larger than 256 KiB (allowed: 262144 bytes at most)",
    ),
    "only comments": (
        {"web": "# a table, one day\n\n   \n"},
        "snippets/web.yml:1: the file is empty (expected a mapping with 'kind')",
    ),
    "tab indentation": (
        {"web": table().replace("    action", "\taction")},
        "snippets/web.yml:7: a tab is used for indentation (allowed: spaces)",
    ),
    "tab after a colon": (
        {"web": table().replace("action: accept", "action:\taccept")},
        "snippets/web.yml:7: a tab is not allowed here (allowed: spaces)",
    ),
    "nul byte": (
        {"web": table().replace("action: accept", "action: acc\0ept")},
        "snippets/web.yml:7: character U+0000 is not allowed (allowed: printable text, lines ending in LF or CR LF)",
    ),
    "carriage returns alone": (
        {"web": table().replace("\n", "\r")},
        "snippets/web.yml:1: a carriage return without a line feed (allowed: lines ending in LF or CR LF)",
    ),
    "control character written as an escape": (
        {"services": SERVICES.replace("en: Remote administration", 'en: "Remote\\u0007administration"')},
        "snippets/services.yml:7: label 'en' text holds character U+0007 (allowed: printable text)",
    ),
    "anchor": (
        {"web": table("  - &ssh {service: ssh, action: accept}\n  - *ssh\n")},
        "snippets/web.yml:6: YAML anchor '&ssh' is not allowed "
        "(write the value out in full: a table must read as what it does)",
    ),
    "alias": (
        {"web": table(SSH + "  - *ssh\n")},
        "snippets/web.yml:8: YAML alias '*ssh' is not allowed "
        "(write the value out in full: a table must read as what it does)",
    ),
    "merge key": (
        {"web": table("  - {<<: {service: ssh}, action: accept}\n")},
        "snippets/web.yml:6: merge key '<<' is not allowed in an inbound rule "
        "(write the value out in full: a table must read as what it does)",
    ),
    "python tag": (
        {"web": table("  - !!python/object:os.system {service: ssh, action: accept}\n")},
        "snippets/web.yml:6: YAML tag '!!python/object:os.system' is not allowed "
        "(allowed: no tag, or !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)",
    ),
    "custom tag": (
        {"web": table("  - {service: !foo ssh, action: accept}\n")},
        "snippets/web.yml:6: YAML tag '!foo' is not allowed "
        "(allowed: no tag, or !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)",
    ),
    "5,000 levels of nesting": (
        {"web": table("  - " + "[" * 5000 + "]" * 5000 + "\n")},
        "snippets/web.yml:6: values are nested more than 32 levels deep (allowed: 32 at most)",
    ),
    "huge port": (
        {"services": SERVICES.replace("22/tcp", "99999999999999999999/tcp")},
        "snippets/services.yml:5: port 999999999999... is out of range (allowed: 1-65535)",
    ),
    "digits of another script": (
        {"services": SERVICES.replace("22/tcp", "\u0662\u0662/tcp")},
        "snippets/services.yml:5: port '\u0662\u0662/tcp' is not PORT/PROTOCOL or FIRST-LAST/PROTOCOL "
        "(for example 22/tcp or 60000-61000/udp)",
    ),
    # Dead rules: earlier rules (the tables extended first) already decide all their traffic.
    "the same service twice": (
        {"web": table(SSH + SSH)},
        "snippets/web.yml:8: rule 'SSH' (22/tcp from anyone) never applies: the rule at line 6 "
        "already decides this traffic (remove it, or put it above line 6)",
    ),
    "ssh for the admin after ssh for anyone": (
        {"web": table(SSH + SSH_ADMIN)},
        "snippets/web.yml:8: rule 'SSH' (22/tcp from admin) never applies: the rule at line 6 "
        "already decides this traffic (remove it, or put it above line 6)",
    ),
    "a port inside an earlier range": (
        {"web": table(rule("6000-6100/udp") + rule("6010/udp", "drop", name="Game"))},
        "snippets/web.yml:11: rule 'Game' (6010/udp from anyone) never applies: the rule at line 6 "
        "already decides this traffic (remove it, or put it above line 6)",
    ),
    "a range covered by two rules for wider networks": (
        {"web": table(rule("6000-6050/udp", source="198.51.100.0/24") + rule("6051-6100/udp")
                      + rule("6040-6060/udp", source="198.51.100.128/25", name="Game"))},
        "snippets/web.yml:16: rule 'Game' (6040-6060/udp from 198.51.100.128/25) never applies: the rules "
        "at line 6 and line 11 already decide this traffic (remove it, or put it above line 6)",
    ),
    # Per-source limits on new connections.
    "a limit on a UDP rule": (
        {"web": table(rule("53/udp") + "    limit: {connections: 5, seconds: 30}\n")},
        "snippets/web.yml:11: a limit counts new TCP connections; port 53/udp is not TCP "
        "(a limited rule opens TCP ports only)",
    ),
    "a limit count of zero": (
        {"web": table(limited(connections="0"))},
        "snippets/web.yml:8: connections is 0; it must be 1 or more",
    ),
    "a negative limit count": (
        {"web": table(limited(connections="-6"))},
        "snippets/web.yml:8: connections is -6; it must be 1 or more",
    ),
    "a limit window of zero": (
        {"web": table(limited(seconds="0"))},
        "snippets/web.yml:8: seconds is 0; it must be 1 or more",
    ),
    "a negative limit window": (
        {"web": table(limited(seconds="-30"))},
        "snippets/web.yml:8: seconds is -30; it must be 1 or more",
    ),
    "a limit count that is not a number": (
        {"web": table(limited(connections="five"))},
        "snippets/web.yml:8: connections must be a whole number (allowed: 1 to 19)",
    ),
    "a limit count iptables' recent cannot count": (
        {"web": table(limited(connections="20"))},
        "snippets/web.yml:8: connections is 20; it must be 19 at most "
        "(iptables' recent match remembers 20 attempts per address)",
    ),
    "a limit nftables cannot write as a rate": (
        {"web": table(limited(seconds="7"))},
        "snippets/web.yml:8: 5 connections in 7 seconds is not a whole number per second, minute, hour or "
        "day, which nftables needs (for example seconds: 10, 30 or 60)",
    ),
    "a limit on a drop rule": (
        {"web": table(limited(action="drop"))},
        "snippets/web.yml:8: a limit slows down the connections a rule accepts; this rule's action is "
        "'drop' (allowed: accept)",
    ),
    "a limit ufw cannot express on a table that requires ufw": (
        {"web": table(limited(connections="3"), head="required_tabs: [ufw]\n")},
        "snippets/web.yml:9: table 'web' requires a ufw tab, but ufw's limit is fixed at 5 new connections "
        "in 30 seconds (allowed here: connections: 5, seconds: 30)",
    ),
    "a limit on a table that requires firewalld": (
        {"web": table(limited(), head="required_tabs: [firewalld]\n")},
        "snippets/web.yml:9: table 'web' requires a firewalld tab, but firewalld has no per-address limit "
        "(its rich rules' limit counts every source together): remove the limit, or firewalld from required_tabs",
    ),
    "malformed TCP drops on a table that requires firewalld": (
        {"web": table(head="malformed_tcp: drop\nrequired_tabs: [firewalld]\n")},
        "snippets/web.yml:5: table 'web' requires a firewalld tab, but firewalld matches no TCP flags outside "
        "its deprecated direct interface: remove malformed_tcp: drop, or firewalld from required_tabs",
    ),
    "a limit ufw cannot express, inherited by a table that requires ufw": (
        {"web": table(limited(seconds="60")),
         "child": "kind: table\nid: child\ndirection: inbound\nextends: web\nrequired_tabs: [ufw]\nrules: []\n"},
        "snippets/web.yml:8: table 'child' requires a ufw tab, but ufw's limit is fixed at 5 new connections "
        "in 30 seconds (allowed here: connections: 5, seconds: 30)",
    ),
    # A server that runs Docker: its published ports (rules `to: container`).
    "to: container without docker: true": (
        {"web": table(rule("5432/tcp") + "    to: container\n")},
        "snippets/web.yml:6: rule 'Games' is for a container (to: container), but the table does not say the "
        "server runs Docker (add docker: true)",
    ),
    "an unknown target": (
        {"web": table(rule("5432/tcp") + "    to: guest\n", head="docker: true\n")},
        "snippets/web.yml:12: unknown target in 'to' 'guest' (allowed: host, container)",
    ),
    "docker: false": (
        {"web": table(head="docker: false\n")},
        "snippets/web.yml:4: docker must be true (allowed: true; leave it out for a server without Docker)",
    ),
    "docker: yes, a string": (
        {"web": table(head="docker: 'true'\n")},
        "snippets/web.yml:4: docker must be true (allowed: true; leave it out for a server without Docker)",
    ),
    "docker on an outbound table": (
        {"web": table(head="docker: true\n").replace("direction: inbound", "direction: outbound")},
        "snippets/web.yml:4: docker: true goes on an inbound table (its rules say who reaches the published ports)",
    ),
    "to: on an outbound rule": (
        {"web": table("  - service: ssh\n    destination: any\n    action: accept\n    to: container\n")
         .replace("direction: inbound", "direction: outbound")},
        "snippets/web.yml:9: unknown key 'to' in an outbound rule "
        "(allowed: action, service, name, label, ports, destination, comment, limit)",
    ),
    "a Docker table that forwards": (
        {"web": table(head="docker: true\n").replace("forward: drop", "forward: accept")},
        "snippets/web.yml:4: a server that runs Docker forwards with a DROP policy: Docker sets it at each start "
        "(allowed here: forward: drop)",
    ),
    "a published UDP port": (
        {"web": table(rule("53/udp") + "    to: container\n", head="docker: true\n")},
        "snippets/web.yml:9: port 53/udp is not TCP: a container's published port is proven with a web server "
        "in the container, so only TCP ports can be published here (allowed: tcp)",
    ),
    "a limit on a published port": (
        {"web": table(limited() + "    to: container\n", head="docker: true\n")},
        "snippets/web.yml:9: a limit applies to the server's own ports; a container's published port takes "
        "none (remove the limit, or 'to: container')",
    ),
    "a port both published and the server's own": (
        {"web": table(SSH + rule("20-25/tcp") + "    to: container\n", head="docker: true\n")},
        "snippets/web.yml:9: port 20-25/tcp is published by a container ('Games') and the server's own port "
        "('SSH', 22/tcp): one port cannot be both, Docker's proxy listens on it (the other rule is at line 7)",
    ),
    "the server's own port, published in the table it extends": (
        {"web": table(rule("22/tcp") + "    to: container\n", head="docker: true\n"),
         "child": "kind: table\nid: child\ndirection: inbound\nextends: web\nrules:\n" + SSH},
        "snippets/child.yml:6: port 22/tcp is published by a container ('Games') and the server's own port "
        "('SSH', 22/tcp): one port cannot be both, Docker's proxy listens on it (the other rule is at "
        "snippets/web.yml:7)",
    ),
    "a published port decided twice": (
        {"web": table(rule("5432/tcp") + "    to: container\n" + rule("5432/tcp", name="Db") + "    to: container\n",
                      head="docker: true\n")},
        "snippets/web.yml:13: rule 'Db' (5432/tcp from anyone) never applies: the rule at line 7 already decides "
        "this traffic (remove it, or put it above line 7)",
    ),
    "a Docker table that requires ufw": (
        {"web": table(head="docker: true\nrequired_tabs: [ufw]\n")},
        "snippets/web.yml:5: table 'web' requires a ufw tab, but ufw's rules come after Docker's in FORWARD, so "
        "they never see a published port: remove docker: true, or ufw from required_tabs",
    ),
    "an unknown required tab": (
        {"web": table(head="required_tabs: [iptables]\n")},
        "snippets/web.yml:4: unknown tab in required_tabs 'iptables' (allowed: ufw, firewalld)",
    ),
    "a rule of the table it extends": (
        {"child": "kind: table\nid: child\ndirection: inbound\nextends: web\nrules:\n" + SSH_ADMIN},
        "snippets/child.yml:6: rule 'SSH' (22/tcp from admin) never applies: the rule at snippets/web.yml:6 "
        "already decides this traffic (remove it: the rules of the tables it extends come first)",
    ),
}


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_broken_file_is_reported_with_its_place(tmp_path, files, expected):
    with pytest.raises(DataError) as caught:
        load(tmp_path, **files)
    assert str(caught.value) == expected


def test_the_base_files_of_these_cases_are_valid(tmp_path):
    """Control: without a broken file the same directory loads, so each case fails for its own reason."""
    catalogue = load(tmp_path)
    assert list(catalogue.tables) == ["web"]
    assert catalogue.ruleset("web").rules[0].ports[0].first == 22


def test_a_byte_order_mark_is_accepted(tmp_path):
    catalogue = load(tmp_path, web=b"\xef\xbb\xbf" + table().encode())
    assert list(catalogue.tables) == ["web"]


def test_windows_line_ends_are_accepted(tmp_path):
    catalogue = load(tmp_path, web=table(SSH_ADMIN).replace("\n", "\r\n").encode())
    assert catalogue.ruleset("web").rules[0].line == 6


def test_a_narrower_rule_before_a_wider_one_is_valid(tmp_path):
    """The admin's SSH accepted, then everyone else's dropped: each rule decides some traffic."""
    ssh_drop = SSH.replace("accept", "drop")
    catalogue = load(tmp_path, web=table(SSH_ADMIN + ssh_drop + rule("6000-6010/udp", source="198.51.100.0/25")
                                         + rule("6000-6020/udp", source="198.51.100.0/24")))
    rules = catalogue.ruleset("web").rules
    assert [(r.peer.is_any, r.action, r.line) for r in rules] == [
        (False, "accept", 6), (True, "drop", 9), (False, "accept", 11), (False, "accept", 16)
    ]


def test_a_network_of_one_family_does_not_decide_for_the_other(tmp_path):
    """0.0.0.0/0 decides IPv4 only: SSH for anyone after it still decides IPv6."""
    catalogue = load(tmp_path, web=table(rule("22/tcp", source="0.0.0.0/0", name="SSH") + SSH))
    assert len(catalogue.ruleset("web").rules) == 2


def test_a_directory_with_a_data_file_name(tmp_path):
    (tmp_path / "snippets" / "extra.yml").mkdir(parents=True)
    with pytest.raises(DataError) as caught:
        load(tmp_path)
    assert str(caught.value) == "snippets/extra.yml: not a regular file (a data file is a UTF-8 text file)"


def test_there_are_at_least_fifteen_distinct_broken_files():
    assert len({message for _, message in CASES.values()}) >= 15


def test_a_limit_with_ufw_numbers_on_a_table_that_requires_ufw_is_valid(tmp_path):
    """Control for the cases above: ufw's own numbers, on a table that requires the ufw tab."""
    catalogue = load(tmp_path, web=table(limited(), head="required_tabs: [ufw]\n"))
    limit = catalogue.ruleset("web").rules[0].limit
    assert (limit.connections, limit.seconds, limit.line) == (5, 30, 9)
    assert catalogue.ruleset("web").required_tabs == ("ufw",)


def test_the_real_snippets_load():
    catalogue = load_catalogue("snippets")
    assert {"inbound-minimum", "inbound-optional", "outbound-default"} <= set(catalogue.tables)


# The loader composes a text once and keeps its nodes (fwguide.loader._compose): what it keeps
# must not change, and what it refuses must be refused every time.


def _tree(node) -> tuple:
    """A node tree as plain values: its tags, values and lines."""
    if isinstance(node, yaml.MappingNode):
        return (node.tag, node.start_mark.line, tuple((_tree(k), _tree(v)) for k, v in node.value))
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, node.start_mark.line, tuple(_tree(v) for v in node.value))
    return (node.tag, node.start_mark.line, node.value)


def test_a_kept_node_tree_is_not_changed_by_loading(tmp_path):
    texts = {p.name: p.read_text() for p in (ROOT / "snippets").glob("*.yml")}
    before = {name: _tree(_compose(text)) for name, text in texts.items()}
    first, second = load_catalogue(ROOT / "snippets"), load_catalogue(ROOT / "snippets")
    assert {name: _tree(_compose(text)) for name, text in texts.items()} == before
    assert first == second and first is not second
    for name, text in texts.items():  # a fresh parse, nothing kept, gives the same tree
        assert _tree(_compose.__wrapped__(text)) == before[name], name


def test_a_refused_text_is_refused_every_time(tmp_path):
    broken = table().replace("kind: table", "kind: table\nextra: &anchor 1")
    messages = []
    for _ in range(2):
        with pytest.raises(DataError) as caught:
            load(tmp_path, web=broken)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "anchor" in messages[0]
