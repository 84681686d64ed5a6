"""Markdown for a page: the human table and the content tabs of command blocks, per language.

The blocks' text is the same in every language (it comes from the front-end renderers);
only headers, cell words and notes are translated.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from .. import i18n
from ..model import MALFORMED_CHECKS, PUBLISHED, UFW_LIMIT, Catalogue, Command, PortRange, Rule, Ruleset
from . import firewalld, iptables, nftables, ufw


@dataclass(frozen=True)
class Frontend:
    """One tab: its label (the same words in every language), code language and renderer.

    `apply` is how a reader applies the block, its text arriving on standard input;
    `families` are the IP versions the block sets up; `dump` lists the commands that print
    the resulting ruleset. `uses_iptables`: the block runs the iptables tools found on the
    PATH, so it is checked with each backend (ufw calls /usr/sbin/iptables itself).
    `daemon` names a service that must run first; `supports` says whether the front-end
    can express a ruleset at all (a table gets no tab where it cannot).
    """

    label: str
    code_lang: str
    render: Callable[[Ruleset], str]
    note: Callable[[Ruleset, str], str]
    apply: tuple[str, ...]
    families: tuple[int, ...]
    dump: tuple[tuple[str, ...], ...]
    uses_iptables: bool = False
    daemon: str | None = None
    # What the front-end cannot express in a ruleset, as (rule or None, reason): a table
    # gets no tab where this is not empty, and a note under its tabs says why.
    obstacles: Callable[[Ruleset], list] = lambda ruleset: []
    # The block writes system files (ufw) or talks to a daemon (firewalld): it may run only
    # inside a lab sandbox, never in a bare `unshare --net`.
    sandbox_only: bool = False

    def supports(self, ruleset: Ruleset) -> bool:
        return not self.obstacles(ruleset)

    def applying(self, ruleset: Ruleset) -> tuple[str, ...]:
        """How a reader applies this ruleset's block: a restore file for a server that runs
        Docker is loaded with `--noflush`, which keeps the chains the file does not name."""
        if ruleset.docker and self.apply[0].endswith("-restore"):
            return (*self.apply, "--noflush")
        return self.apply


def frontends() -> tuple[Frontend, ...]:
    """The tabs of every rule table, in the order the page shows them."""
    bash = ("bash", "-euo", "pipefail")
    save4, save6, nft_list = ("iptables-save",), ("ip6tables-save",), ("nft", "list", "ruleset")
    return (
        Frontend("iptables", "bash", lambda r: iptables.render_commands(r, 4),
                 lambda r, lang: _note_commands(r, lang, 4), bash, (4,), (save4,), uses_iptables=True),
        Frontend("ip6tables", "bash", lambda r: iptables.render_commands(r, 6),
                 lambda r, lang: _note_commands(r, lang, 6), bash, (6,), (save6,), uses_iptables=True),
        Frontend("rules.v4", "text", lambda r: iptables.render_restore(r, 4),
                 lambda r, lang: _note_restore(r, lang, 4), ("iptables-restore",), (4,), (save4,),
                 uses_iptables=True),
        Frontend("rules.v6", "text", lambda r: iptables.render_restore(r, 6),
                 lambda r, lang: _note_restore(r, lang, 6), ("ip6tables-restore",), (6,), (save6,),
                 uses_iptables=True),
        Frontend("nftables", "text", nftables.render_ruleset, _note_nftables, ("nft", "-f", "-"), (4, 6),
                 (nft_list,)),
        Frontend("ufw", "bash", ufw.render, _note_ufw, bash, (4, 6), (save4, save6), obstacles=ufw.obstacles,
                 sandbox_only=True),
        Frontend("firewalld", "bash", firewalld.render, _note_firewalld, bash, (4, 6), (nft_list,),
                 daemon="firewalld", obstacles=firewalld.obstacles, sandbox_only=True),
    )


def services_table(catalogue: Catalogue, lang: str) -> str:
    """The catalogue as a Markdown table: one row per service and port."""
    t = lambda key: i18n.text(lang, key)  # noqa: E731
    rows = [[t("service"), t("protocol"), t("port"), t("firewalld_service"), t("use")]]
    for service in catalogue.services.values():
        for i, port in enumerate(service.ports):  # the name on each row, what it is for once
            firewalld_name = f"`{service.firewalld}`" if service.firewalld else "–"
            rows.append([service.name, port.protocol.upper(), _port(port), firewalld_name,
                         "" if i else _cell(service.label[lang])])
    return _table(rows)


# Files offered for download under every table: (file name, front-end label).
DOWNLOADS = (("rules.v4", "rules.v4"), ("rules.v6", "rules.v6"), ("firewall.nft", "nftables"))


def downloads(catalogue: Catalogue) -> dict[str, str]:
    """Every downloadable file of every table: path under the site root -> content."""
    by_label = {f.label: f for f in frontends()}
    return {
        f"downloads/{table_id}/{name}": by_label[label].render(catalogue.ruleset(table_id))
        for table_id in catalogue.tables
        for name, label in DOWNLOADS
    }


def rules_block(catalogue: Catalogue, table_id: str, lang: str, root: str | None = None,
                proof: Callable[[str, str], str] | None = None) -> str:
    """A rule table: the human table, one tab per front-end holding its block, then links to
    its files (when `root`, the relative path from the page to the site root, is given:
    '' or '../../', so the links work wherever the site is served). `proof(label, code)`,
    when given, writes the line under each block that says how it was proven."""
    ruleset = catalogue.ruleset(table_id)
    parts = [f'<div class="fw-table" data-table="{table_id}" markdown>', "", rules_table(ruleset, lang), ""]
    absent = []
    for frontend in frontends():
        if not frontend.supports(ruleset):
            absent += _absent(frontend, ruleset, lang)
            continue
        code = frontend.render(ruleset)
        parts += [f'=== "{frontend.label}"', "", _indent(frontend.note(ruleset, lang)), ""]
        parts += [_indent(f"``` {frontend.code_lang}\n{code}```"), ""]
        if proof is not None:
            parts += [_indent(proof(frontend.label, code)), ""]
    for note in absent:
        parts += [note, ""]
    if root is not None:
        # Raw HTML: the files are written after the build, so MkDocs has no page to check a
        # Markdown link against, and would report every one of them.
        links = [f'<a href="{root}downloads/{table_id}/{name}"><code>{name}</code></a>' for name, _ in DOWNLOADS]
        parts += [i18n.text(lang, "downloads", links=" · ".join(links)), ""]
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def commands_block(command: Command) -> str:
    """A command block: one fenced block, or one tab per variant (linked with the table tabs
    that carry the same label). The text is the same in every language."""
    parts = [f'<div class="fw-commands" data-commands="{command.id}" markdown>', ""]
    for variant in command.variants:
        code = f"``` bash\n{variant.text}```"
        if command.tabbed:
            parts += [f'=== "{variant.label}"', "", _indent(code), ""]
        else:
            parts += [code, ""]
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def rules_table(ruleset: Ruleset, lang: str) -> str:
    """The ruleset as a Markdown table: each direction's rules, then its default policy."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    rows = [[t("service"), t("protocol"), t("source"), t("destination"), t("port"), t("action")]]
    for direction, chain in (("inbound", "input"), ("outbound", "output")):
        rules = [r for r in ruleset.rules if r.direction == direction]
        if not rules and ruleset.direction != direction:
            continue
        if direction == "inbound" and ruleset.malformed_tcp == "drop":
            for name, *_ in MALFORMED_CHECKS:
                rows.append([t(f"malformed_{name}"), "TCP", t("any"), t("this_server"), t("all"), "DROP"])
        rule_rows = [row for rule in rules for row in _rule_rows(rule, lang, direction, t("this_server"))]
        if direction == "inbound" and ruleset.docker:
            # The published ports: where no rule names one, it is closed whatever `-p` said.
            rule_rows += [row for rule in ruleset.rules if rule.direction == PUBLISHED
                          for row in _rule_rows(rule, lang, direction, t("container"))]
        rows += _described_once(rule_rows, lang)
        if direction == "inbound" and ruleset.docker:
            rows.append([t("everything_else_published"), t("all"), t("any"), t("container"), t("all"), "DROP"])
        source, destination = _ends(direction, t("any"), t("this_server"))
        rows.append([
            t(f"everything_else_{direction}"), t("all"), source, destination, t("all"),
            t("default_policy", action=ruleset.policies[chain].upper()),
        ])
    return _table(rows)


# Helpers


def _rule_rows(rule: Rule, lang: str, direction: str, server: str) -> list[tuple[str, str, list[str]]]:
    """A rule's rows in the human table, one per port, each with the rule's name and description
    for its first cell (`_described_once`); `server` names where its traffic goes."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    source, destination = _ends(direction, _peer(rule, lang), server)
    action = rule.action.upper()
    if rule.limit is not None:
        action = t("limited_action", connections=str(rule.limit.connections), seconds=str(rule.limit.seconds))
    return [(rule.name, _cell(rule.label[lang]), [port.protocol.upper(), source, destination, _port(port), action])
            for port in rule.ports]


def _described_once(rows: list[tuple[str, str, list[str]]], lang: str) -> list[list[str]]:
    """The first cell: a service's name on each row, its description only where the row above
    does not already give the same name and description (DNS's two ports, a rule per family)."""
    cells, above = [], None
    for name, label, rest in rows:
        first = name if (name, label) == above else i18n.text(lang, "service_cell", name=name, label=label)
        cells.append([first, *rest])
        above = (name, label)
    return cells


def _ends(direction: str, peer: str, server: str) -> tuple[str, str]:
    """(source, destination) cells: the peer sends inbound traffic and receives outbound."""
    return (peer, server) if direction == "inbound" else (server, peer)


def _peer(rule: Rule, lang: str) -> str:
    """The far end of a rule as a table cell."""
    if rule.peer.placeholder is not None:
        p = rule.peer.placeholder
        variables = "`, `".join(p.variable(f) for f in (4, 6))
        return i18n.text(lang, "placeholder_cell", label=_cell(p.label[lang]), variables=variables)
    if rule.peer.network is not None:
        return str(rule.peer.network)
    return i18n.text(lang, "any")


def _absent(frontend: Frontend, ruleset: Ruleset, lang: str) -> list[str]:
    """The notes that say why a table has no tab for a front-end, one per kind of reason."""
    notes: dict[str, str] = {}
    for rule, reason in frontend.obstacles(ruleset):
        values = {}
        if reason == "limit" and rule is not None:
            values = {"connections": str(rule.limit.connections), "seconds": str(rule.limit.seconds),
                      "ufw_connections": str(UFW_LIMIT[0]), "ufw_seconds": str(UFW_LIMIT[1])}
        notes.setdefault(reason, i18n.text(lang, f"absent_{frontend.label}_{reason}", **values))
    return list(notes.values())


def _limit_note(ruleset: Ruleset, lang: str, kind: str) -> str:
    """What a front-end does with a table's per-source limits, once per distinct limit."""
    notes: dict[str, None] = {}
    for rule in ruleset.limited():
        limit = rule.limit
        interval = round(limit.seconds / limit.connections, 1)
        shown = f"{interval:g}".replace(".", i18n.text(lang, "decimal"))
        notes[i18n.text(lang, f"note_limit_{kind}", connections=str(limit.connections), seconds=str(limit.seconds),
                        interval=shown, over=str(limit.connections + 1))] = None
    return "".join(" " + note for note in notes)


def _docker(ruleset: Ruleset, key: str) -> str:
    """The note's key for a server that runs Docker (`note_commands_docker`), or the key."""
    return f"{key}_docker" if ruleset.docker else key


def _note_commands(ruleset: Ruleset, lang: str, family: int) -> str:
    note = i18n.text(lang, _docker(ruleset, "note_commands"), family=f"IPv{family}")
    note += _limit_note(ruleset, lang, "recent")
    placeholders = ruleset.placeholders(family)
    lines = [f"`{p.variable(family)}={p.example(family)}`" for p in placeholders]
    return _with_fill_note(note, lang, "before_run", lines, placeholders)


def _note_restore(ruleset: Ruleset, lang: str, family: int) -> str:
    tool = f"{iptables.command_name(family)}-restore"
    note = i18n.text(lang, _docker(ruleset, "note_restore"), path=f"/etc/iptables/rules.v{family}", tool=tool,
                     family=f"IPv{family}")
    note += _limit_note(ruleset, lang, "recent")
    placeholders = ruleset.placeholders(family)
    if placeholders:
        note += " " + i18n.text(
            lang, "note_fill_literal",
            examples=i18n.join(lang, [f"`{p.example(family)}`" for p in placeholders]),
            label=i18n.join(lang, [p.label[lang] for p in placeholders]),
        )
    return note


def _note_nftables(ruleset: Ruleset, lang: str) -> str:
    note = i18n.text(lang, _docker(ruleset, "note_nftables"), table=nftables.TABLE)
    note += _limit_note(ruleset, lang, "nftables")
    placeholders = ruleset.placeholders()
    defines = [f"`define {p.variable(f)}`" for p in placeholders for f in (4, 6)]
    return _with_fill_note(note, lang, "before_load", defines, placeholders)


def _note_ufw(ruleset: Ruleset, lang: str) -> str:
    note = i18n.text(lang, "note_ufw") + _limit_note(ruleset, lang, "ufw")
    placeholders = ruleset.placeholders()
    lines = [f"`{p.variable(f)}={p.example(f)}`" for f in (4, 6) for p in placeholders]
    return _with_fill_note(note, lang, "before_run", lines, placeholders)


def _note_firewalld(ruleset: Ruleset, lang: str) -> str:
    note = i18n.text(lang, "note_firewalld")
    placeholders = ruleset.placeholders()
    lines = [f"`{p.variable(f)}={p.example(f)}`" for f in (4, 6) for p in placeholders]
    return _with_fill_note(note, lang, "before_run", lines, placeholders)


def _with_fill_note(note: str, lang: str, before: str, lines: list[str], placeholders) -> str:
    """The note, plus which lines the reader edits when the block has placeholders."""
    if not lines:
        return note
    what = "example_in_line" if len(lines) == 1 else "examples_in_lines"
    return note + " " + i18n.text(
        lang,
        "note_fill_variables",
        before=i18n.text(lang, before),
        what=i18n.text(lang, what, lines=i18n.join(lang, lines)),
        label=i18n.join(lang, [p.label[lang] for p in placeholders]),
    )


def _port(port: PortRange) -> str:
    return f"{port.first}–{port.last}" if port.is_range else str(port.first)


def _cell(text: str) -> str:
    """Data text made safe for a Markdown table cell: no HTML, no column break."""
    return html.escape(text, quote=False).replace("|", "\\|")


def _table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.split("\n"))
