"""Load and validate the data files of snippets/ into the model.

Every problem raises DataError as `path:line: what is wrong (what is allowed)`. The YAML
is walked as a node tree, so every value keeps the line it was written on, and nothing
reaches the model unchecked: the renderers may trust every string they get.

Whatever bytes a file holds, loading gives a catalogue or a DataError, never another
exception: a file is read as bytes with a size limit, decoded as strict UTF-8 and checked
character by character before the YAML parser sees it, and the composer refuses anchors,
aliases, unusual tags and deep nesting before it recurses.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

import yaml

from . import LANGUAGES
from .errors import DataError
from .model import (
    ACTIONS,
    CHAINS,
    DIRECTIONS,
    GROUPS,
    HELPERS,
    LIMIT_CONNECTIONS,
    LIMIT_SECONDS,
    MALFORMED_TCP,
    OPTIONAL_TABS,
    PROTOCOLS,
    PUBLISHED,
    TARGETS,
    UFW_LIMIT,
    Catalogue,
    Command,
    Limit,
    Peer,
    Placeholder,
    PortRange,
    Rule,
    Service,
    Table,
    Variant,
)
from .shadowing import check_dead_rules

KINDS = ("placeholders", "services", "table", "commands")
DOC_RANGES = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
ID_RE = re.compile(r"[a-z][a-z0-9-]{0,31}")
PLACEHOLDER_ID_RE = re.compile(r"[a-z][a-z0-9_]{0,15}")
ID_RULES = {
    ID_RE: "a lowercase letter, then lowercase letters, digits or '-'; 32 characters at most",
    PLACEHOLDER_ID_RE: "a lowercase letter, then lowercase letters, digits or '_'; 16 at most",
}
PORT_RE = re.compile(r"([0-9]+)(?:-([0-9]+))?/(\S+)")  # ASCII digits: \d also matches other scripts' digits
# Text that reaches a command (a service name, a rule comment): no shell or nft syntax.
SAFE_TEXT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._:/+-]*")
SAFE_TEXT_ALLOWED = "letters, digits, space and . _ : / + -, starting with a letter or digit"
SAFE_TEXT_MAX = 64

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"

# Limits of a data file, checked before the YAML parser runs: far above what the real files
# need (a few KiB, values 6 levels deep), low enough that no file can exhaust the build.
MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 32
BOM = b"\xef\xbb\xbf"
# Tags a value may carry: YAML's plain types. Any other makes a value read as something else.
PLAIN_TAGS = ("str", "int", "float", "bool", "null", "seq", "map")
ALLOWED_TAGS = tuple(f"tag:yaml.org,2002:{name}" for name in PLAIN_TAGS)
# What the text of a data file may not hold, first match first: a character outside YAML's
# printable set or a line break that only YAML counts (NEL, U+2028, U+2029, a CR alone: line
# numbers would no longer be an editor's), or a tab in the indentation of a line.
BAD_TEXT_RE = re.compile(
    r"[^\t\n\r -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|\r(?!\n)|^ *\t", re.MULTILINE
)
# A character a value may not hold once YAML has read its escapes ("\0", "\ud800" in quotes).
BAD_VALUE_RE = re.compile(r"[^ -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
NOT_A_VALUE = "write the value out in full: a table must read as what it does"


def load_catalogue(directory: str | Path, display_root: str | Path | None = None) -> Catalogue:
    """Load every *.yml file of a directory into one validated Catalogue."""
    directory = Path(directory)
    root = Path(display_root) if display_root is not None else Path.cwd()
    try:
        files = sorted(p for p in directory.iterdir() if p.suffix in (".yml", ".yaml"))
    except OSError as exc:
        raise DataError(_display(directory, root), None, f"cannot list the data files: {exc.strerror}") from None
    if not files:
        raise DataError(_display(directory, root), None, "no data file (*.yml) found")
    docs = []
    for path in files:
        shown = _display(path, root)
        docs.append(_Doc(shown, _read(path, shown)))
    catalogue = Catalogue()
    # Placeholders and services first: tables refer to them.
    for kind in KINDS:
        for doc in docs:
            if doc.kind == kind:
                _LOADERS[kind](doc, catalogue)
    _check_extends(catalogue)
    check_dead_rules(catalogue)
    return catalogue


# Helpers


def _display(path: Path, root: Path) -> str:
    """The path as errors print it: relative to the project root when inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except (ValueError, OSError, RuntimeError):  # outside the root, or a link that loops
        return str(path)


def _read(path: Path, shown: str) -> str:
    """The text of a data file, checked before any YAML parser sees it."""
    try:
        # A regular file only: reading a FIFO or a device could block or never end.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise DataError(shown, None, "not a regular file (a data file is a UTF-8 text file)")
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DataError(shown, None, f"cannot read the file: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        limit = f"larger than {MAX_FILE_BYTES // 1024} KiB (allowed: {MAX_FILE_BYTES} bytes at most)"
        raise DataError(shown, None, f"the file is {limit}")
    data = data.removeprefix(BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            shown, data.count(b"\n", 0, exc.start) + 1,
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8 (allowed: UTF-8 text, with or without a byte-order mark)",
        ) from None
    bad = BAD_TEXT_RE.search(text)
    if bad:
        found, lines = bad.group(), "lines ending in LF or CR LF"
        if found.endswith("\t"):
            message = "a tab is used for indentation (allowed: spaces)"
        elif found == "\r":
            message = f"a carriage return without a line feed (allowed: {lines})"
        else:
            message = f"character U+{ord(found):04X} is not allowed (allowed: printable text, {lines})"
        raise DataError(shown, text.count("\n", 0, bad.start()) + 1, message)
    return text


class _Refused(Exception):
    """A YAML construct the data files do not use, at the line it starts on."""

    def __init__(self, mark: yaml.Mark, message: str):
        super().__init__(message)
        self.line = mark.line + 1
        self.message = message


class _Loader(yaml.SafeLoader):
    """The safe loader's composer, checking each node before it composes (and recurses into)
    it: no anchor or alias, no tag but the plain types, no deeper than MAX_DEPTH."""

    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, f"YAML alias '*{event.anchor}' is not allowed ({NOT_A_VALUE})")
        if event.anchor is not None:
            raise _Refused(event.start_mark, f"YAML anchor '&{event.anchor}' is not allowed ({NOT_A_VALUE})")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in ALLOWED_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!", 1) if tag.startswith("tag:yaml.org,2002:") else tag
            allowed = ", ".join(f"!!{name}" for name in PLAIN_TAGS)
            raise _Refused(event.start_mark, f"YAML tag {shown!r} is not allowed (allowed: no tag, or {allowed})")
        if self.depth >= MAX_DEPTH:
            raise _Refused(
                event.start_mark, f"values are nested more than {MAX_DEPTH} levels deep (allowed: {MAX_DEPTH} at most)"
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


@functools.lru_cache(maxsize=64)
def _compose(text: str) -> yaml.Node | None:
    """The file's node tree. Composing is most of a load's time, and the same texts are loaded
    over and over (every proof loads the catalogue; a fuzzed example changes one file of
    twelve): a text composed once is not composed again. Nothing refused is kept (an exception
    is not cached), and nothing downstream changes a node (tests/test_data_errors.py)."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


class _Doc:
    """One parsed data file: its display path, its root node and its kind."""

    def __init__(self, path: str, text: str):
        self.path = path
        try:
            node = _compose(text)
        except _Refused as exc:
            raise DataError(path, exc.line, exc.message) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            if mark and mark.buffer and mark.buffer[mark.pointer] == "\t":
                raise DataError(path, line, "a tab is not allowed here (allowed: spaces)") from None
            raise DataError(path, line, f"invalid YAML: {exc.problem or exc.context}") from None
        except Exception as exc:  # A last resort: the checks above should leave the parser nothing to fail on.
            raise DataError(path, None, f"cannot be read as YAML ({type(exc).__name__}: {exc})") from None
        if node is None or (node.tag == NULL_TAG and node.value == ""):
            raise DataError(path, 1, "the file is empty (expected a mapping with 'kind')")
        self.root = node
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, "the file must be a mapping with 'kind' first")
        kind = next((v for k, v in node.value if getattr(k, "value", None) == "kind"), None)
        if kind is None:
            raise self.fail(node, f"the file has no 'kind' (allowed: {', '.join(KINDS)})")
        self.kind = self.choice(kind, "kind", KINDS)

    def fail(self, node: yaml.Node, message: str) -> DataError:
        return DataError(self.path, node.start_mark.line + 1, message)

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        required: Iterable[str] = (),
        optional: Iterable[str] = (),
    ) -> dict[str, yaml.Node]:
        """The keys of a mapping node, checked against the keys allowed there."""
        required, optional = tuple(required), tuple(optional)
        allowed = required + tuple(k for k in optional if k not in required)
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping with keys: {', '.join(allowed)}")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key_node.tag == MERGE_TAG:
                raise self.fail(key_node, f"merge key '<<' is not allowed in {what} ({NOT_A_VALUE})")
            if key is None or key_node.tag != STR_TAG:
                raise self.fail(key_node, f"keys in {what} must be plain words")
            if key in out:
                raise self.fail(key_node, f"duplicate key '{key}' in {what}")
            if key not in allowed:
                raise self.fail(
                    key_node, f"unknown key '{key}' in {what} (allowed: {', '.join(allowed)})"
                )
            out[key] = value_node
        for key in required:
            if key not in out:
                raise self.fail(node, f"{what} is missing '{key}' (required: {', '.join(required)})")
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def text(self, node: yaml.Node, what: str) -> str:
        """A non-empty, single-line string."""
        if not isinstance(node, yaml.ScalarNode) or node.tag != STR_TAG:
            raise self.fail(node, f"{what} must be text")
        value = node.value.strip()
        if not value:
            raise self.fail(node, f"{what} is empty")
        if "\n" in value:
            raise self.fail(node, f"{what} must be a single line")
        bad = BAD_VALUE_RE.search(value)
        if bad:
            raise self.fail(node, f"{what} holds character U+{ord(bad.group()):04X} (allowed: printable text)")
        return value

    def choice(self, node: yaml.Node, what: str, allowed: Iterable[str]) -> str:
        allowed = tuple(allowed)
        value = self.text(node, what)
        if value not in allowed:
            raise self.fail(node, f"unknown {what} '{value}' (allowed: {', '.join(allowed)})")
        return value

    def ident(self, node: yaml.Node, what: str, pattern: re.Pattern = ID_RE) -> str:
        value = self.text(node, what)
        if not pattern.fullmatch(value):
            raise self.fail(node, f"{what} '{value}' is not a valid id ({ID_RULES[pattern]})")
        return value

    def safe_text(self, node: yaml.Node, what: str) -> str:
        """Text that may reach a command: a restricted alphabet, checked character by character."""
        value = self.text(node, what)
        if len(value) > SAFE_TEXT_MAX:
            raise self.fail(node, f"{what} is longer than {SAFE_TEXT_MAX} characters")
        if not SAFE_TEXT_RE.fullmatch(value):
            bad = next(
                (c for i, c in enumerate(value) if not SAFE_TEXT_RE.fullmatch(value[: i + 1])),
                value[0],
            )
            raise self.fail(
                node, f"{what} '{value}' contains {bad!r}, which is not allowed ({SAFE_TEXT_ALLOWED})"
            )
        return value

    def label(self, node: yaml.Node, what: str) -> dict[str, str]:
        """A text in every language of the site."""
        keys = self.mapping(node, what, optional=LANGUAGES)
        for lang in LANGUAGES:
            if lang not in keys:
                raise self.fail(
                    node, f"{what} has no '{lang}' text (every label needs: {', '.join(LANGUAGES)})"
                )
        return {lang: self.text(keys[lang], f"{what} '{lang}' text") for lang in LANGUAGES}

    def ports(self, node: yaml.Node, what: str) -> tuple[PortRange, ...]:
        items = self.sequence(node, what)
        if not items:
            raise self.fail(node, f"{what} is empty (give at least one, for example 22/tcp)")
        out: dict[PortRange, None] = {}
        for item in items:
            port = self.port(item)
            if port in out:
                raise self.fail(item, f"port '{item.value}' is listed twice")
            out[port] = None
        return tuple(out)

    def port(self, node: yaml.Node) -> PortRange:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "a port must be text such as 22/tcp")
        value = node.value
        match = PORT_RE.fullmatch(value)
        if not match:
            raise self.fail(
                node,
                f"port '{value}' is not PORT/PROTOCOL or FIRST-LAST/PROTOCOL "
                "(for example 22/tcp or 60000-61000/udp)",
            )
        written = [n for n in match.groups()[:2] if n is not None]
        protocol = match.group(3)
        numbers = []
        for number in written:
            digits = number.lstrip("0") or "0"  # compared as text first: int() of 5,000 digits fails
            if len(digits) > 5 or not 1 <= int(digits) <= 65535:
                shown = digits if len(digits) <= 12 else digits[:12] + "..."
                raise self.fail(node, f"port {shown} is out of range (allowed: 1-65535)")
            numbers.append(int(digits))
        if protocol not in PROTOCOLS:
            raise self.fail(
                node, f"unknown protocol '{protocol}' in '{value}' (allowed: {', '.join(PROTOCOLS)})"
            )
        if len(numbers) == 2 and numbers[1] <= numbers[0]:
            raise self.fail(
                node, f"port range '{value}' is reversed or empty (the first port must be lower)"
            )
        return PortRange(numbers[0], numbers[-1], protocol)


# Loaders, one per kind of file.

_TOP_KEYS = {
    "placeholders": ("kind", "placeholders"),
    "services": ("kind", "services"),
    "table": ("kind", "id", "direction", "extends", "policies", "malformed_tcp", "required_tabs", "docker",
              "rules"),
    "commands": ("kind", "commands"),
}
# A command's text: printable ASCII lines, no tab (Markdown would expand it), no trailing blank.
COMMAND_LINE_RE = re.compile(r"[ -~]*")


def _load_placeholders(doc: _Doc, catalogue: Catalogue) -> None:
    top = doc.mapping(doc.root, "a placeholders file", required=_TOP_KEYS["placeholders"])
    for item in doc.sequence(top["placeholders"], "placeholders"):
        keys = doc.mapping(item, "a placeholder", required=("id", "label", "ipv4", "ipv6"))
        pid = doc.ident(keys["id"], "placeholder id", PLACEHOLDER_ID_RE)
        if pid in catalogue.placeholders:
            raise doc.fail(keys["id"], f"placeholder id '{pid}' is defined twice")
        catalogue.placeholders[pid] = Placeholder(
            id=pid,
            label=doc.label(keys["label"], "label"),
            ipv4=_example_address(doc, keys["ipv4"], 4),
            ipv6=_example_address(doc, keys["ipv6"], 6),
        )


def _example_address(doc: _Doc, node: yaml.Node, family: int):
    value = doc.text(node, f"ipv{family} example")
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise doc.fail(node, f"'{value}' is not an IPv{family} address") from None
    if address.version != family:
        raise doc.fail(node, f"'{value}' is not an IPv{family} address")
    if not any(address in net for net in DOC_RANGES if net.version == family):
        ranges = ", ".join(str(n) for n in DOC_RANGES if n.version == family)
        raise doc.fail(
            node, f"example address {value} is not in a documentation range (allowed: {ranges})"
        )
    return address


def _load_services(doc: _Doc, catalogue: Catalogue) -> None:
    top = doc.mapping(doc.root, "a services file", required=_TOP_KEYS["services"])
    if catalogue.services_path:
        raise doc.fail(
            doc.root, f"services are already defined in {catalogue.services_path} (one file only)"
        )
    catalogue.services_path = doc.path
    for item in doc.sequence(top["services"], "services"):
        keys = doc.mapping(
            item, "a service", required=("id", "name", "ports", "label"), optional=("helper", "firewalld", "group")
        )
        sid = doc.ident(keys["id"], "service id")
        if sid in catalogue.services:
            raise doc.fail(keys["id"], f"service id '{sid}' is defined twice")
        helper = doc.choice(keys["helper"], "helper", HELPERS) if "helper" in keys else None
        catalogue.services[sid] = Service(
            id=sid,
            name=doc.safe_text(keys["name"], "service name"),
            ports=doc.ports(keys["ports"], "ports"),
            label=doc.label(keys["label"], "label"),
            helper=helper,
            firewalld=doc.ident(keys["firewalld"], "firewalld service") if "firewalld" in keys else None,
            group=doc.choice(keys["group"], "group", GROUPS) if "group" in keys else None,
            line=item.start_mark.line + 1,
        )


def _load_table(doc: _Doc, catalogue: Catalogue) -> None:
    required = ("kind", "id", "direction", "rules")
    top = doc.mapping(doc.root, "a table file", required=required, optional=_TOP_KEYS["table"])
    tid = doc.ident(top["id"], "table id")
    if tid == "services":
        raise doc.fail(top["id"], "table id 'services' is reserved for the services catalogue")
    if tid in catalogue.tables:
        raise doc.fail(
            top["id"], f"table id '{tid}' is already used by {catalogue.tables[tid].path}"
        )
    direction = doc.choice(top["direction"], "direction", DIRECTIONS)
    extends = doc.ident(top["extends"], "extends") if "extends" in top else None
    if "policies" in top:
        policies = _policies(doc, top["policies"], complete=extends is None)
    elif extends is None:
        raise doc.fail(
            doc.root, f"a table that extends no other needs 'policies' for {', '.join(CHAINS)}"
        )
    else:
        policies = {}
    malformed = doc.choice(top["malformed_tcp"], "malformed_tcp", MALFORMED_TCP) if "malformed_tcp" in top else None
    required: dict[str, None] = {}
    for node in doc.sequence(top["required_tabs"], "required_tabs") if "required_tabs" in top else ():
        tab = doc.choice(node, "tab in required_tabs", OPTIONAL_TABS)
        if tab in required:
            raise doc.fail(node, f"tab '{tab}' is listed twice in required_tabs")
        required[tab] = None
    docker = _docker(doc, top["docker"]) if "docker" in top else False
    if docker and direction != "inbound":
        raise doc.fail(top["docker"], "docker: true goes on an inbound table (its rules say who reaches "
                       "the published ports)")
    rules = tuple(
        _rule(doc, item, direction, catalogue)
        for item in doc.sequence(top["rules"], "rules")
    )
    line = top["id"].start_mark.line + 1
    required_line = top["required_tabs"].start_mark.line + 1 if "required_tabs" in top else 0
    docker_line = top["docker"].start_mark.line + 1 if "docker" in top else 0
    catalogue.tables[tid] = Table(tid, doc.path, line, direction, policies, rules, extends, malformed,
                                  tuple(required), required_line, docker, docker_line)


def _docker(doc: _Doc, node: yaml.Node) -> bool:
    """`docker: true`: the server runs Docker. Leaving it out is how a table says it does not."""
    if not (isinstance(node, yaml.ScalarNode) and node.tag == BOOL_TAG and node.value == "true"):
        raise doc.fail(node, "docker must be true (allowed: true; leave it out for a server without Docker)")
    return True


def _policies(doc: _Doc, node: yaml.Node, complete: bool) -> dict[str, str]:
    keys = doc.mapping(node, "policies", required=CHAINS if complete else (), optional=CHAINS)
    return {chain: doc.choice(keys[chain], "policy", ACTIONS) for chain in CHAINS if chain in keys}


def _rule(doc: _Doc, node: yaml.Node, direction: str, catalogue: Catalogue) -> Rule:
    peer_key = "source" if direction == "inbound" else "destination"
    keys = doc.mapping(
        node,
        f"an {direction} rule",
        required=("action",),
        optional=("service", "name", "label", "ports", peer_key, "comment", "limit",
                  *(("to",) if direction == "inbound" else ())),
    )
    action = doc.choice(keys["action"], "action", ACTIONS)
    published = "to" in keys and doc.choice(keys["to"], "target in 'to'", TARGETS) == "container"
    peer = _peer(doc, keys[peer_key], catalogue) if peer_key in keys else Peer()
    inline = [k for k in ("name", "label", "ports") if k in keys]
    if "service" in keys:
        if inline:
            raise doc.fail(
                keys[inline[0]],
                f"a rule with 'service' takes name, label and ports from the catalogue; "
                f"remove '{inline[0]}'",
            )
        sid = doc.ident(keys["service"], "service")
        if sid not in catalogue.services:
            known = ", ".join(catalogue.services) or "none defined"
            raise doc.fail(keys["service"], f"unknown service '{sid}' (known: {known})")
        service = catalogue.services[sid]
        if service.helper and direction != "inbound":
            raise doc.fail(
                keys["service"],
                f"service '{sid}' needs the conntrack {service.helper} helper, "
                "which tables attach on inbound rules only",
            )
        name, label, ports, helper = service.name, service.label, service.ports, service.helper
        firewalld = service.firewalld
        default_comment = service.id
    elif len(inline) == 3:
        name = doc.safe_text(keys["name"], "rule name")
        label = doc.label(keys["label"], "label")
        ports = doc.ports(keys["ports"], "ports")
        helper = firewalld = None
        default_comment = name
    else:
        raise doc.fail(
            node, "a rule needs either 'service', or 'name', 'label' and 'ports' together"
        )
    comment = doc.safe_text(keys["comment"], "comment") if "comment" in keys else default_comment
    if published and "limit" in keys:
        raise doc.fail(keys["limit"], "a limit applies to the server's own ports; a container's published "
                       "port takes none (remove the limit, or 'to: container')")
    udp = next((p for p in ports if p.protocol != "tcp"), None) if published else None
    if udp is not None:
        raise doc.fail(keys["ports"] if "ports" in keys else keys["service"], f"port {udp} is not TCP: a "
                       "container's published port is proven with a web server in the container, so only TCP "
                       "ports can be published here (allowed: tcp)")
    if published and helper:
        raise doc.fail(keys["service"], f"service '{service.id}' needs the conntrack {helper} helper, which "
                       "tables attach to the server's own ports only (remove 'to: container')")
    limit = _limit(doc, keys["limit"], direction, action, ports) if "limit" in keys else None
    line = node.start_mark.line + 1
    direction = PUBLISHED if published else direction
    return Rule(direction, name, label, ports, peer, action, comment, helper, firewalld, limit, line)


def _limit(doc: _Doc, node: yaml.Node, direction: str, action: str, ports) -> Limit:
    """A per-source limit on new connections: on an inbound rule that accepts TCP only."""
    keys = doc.mapping(node, "a limit", required=("connections", "seconds"))
    if direction != "inbound":
        raise doc.fail(node, "a limit counts new connections coming in; it applies to inbound rules only")
    if action != "accept":
        raise doc.fail(node, f"a limit slows down the connections a rule accepts; "
                       f"this rule's action is '{action}' (allowed: accept)")
    udp = next((p for p in ports if p.protocol != "tcp"), None)
    if udp is not None:
        raise doc.fail(node, f"a limit counts new TCP connections; port {udp} is not TCP "
                       "(a limited rule opens TCP ports only)")
    connections = _whole(doc, keys["connections"], "connections", LIMIT_CONNECTIONS,
                         "iptables' recent match remembers 20 attempts per address")
    seconds = _whole(doc, keys["seconds"], "seconds", LIMIT_SECONDS, "a day")
    if connections * 86400 % seconds:
        raise doc.fail(keys["seconds"], f"{connections} connections in {seconds} seconds is not a whole number per "
                       "second, minute, hour or day, which nftables needs (for example seconds: 10, 30 or 60)")
    return Limit(connections, seconds, node.start_mark.line + 1)


def _whole(doc: _Doc, node: yaml.Node, what: str, bounds: tuple[int, int], why: str) -> int:
    """A whole number within bounds (inclusive), written as a plain YAML integer."""
    low, high = bounds
    plain = isinstance(node, yaml.ScalarNode) and node.tag == INT_TAG
    if not plain or not re.fullmatch(r"[-+]?[0-9]{1,12}", node.value):
        raise doc.fail(node, f"{what} must be a whole number (allowed: {low} to {high})")
    value = int(node.value)
    if value < low:
        raise doc.fail(node, f"{what} is {value}; it must be {low} or more")
    if value > high:
        raise doc.fail(node, f"{what} is {value}; it must be {high} at most ({why})")
    return value


def _peer(doc: _Doc, node: yaml.Node, catalogue: Catalogue) -> Peer:
    value = doc.text(node, "address")
    if value == "any":
        return Peer()
    if value in catalogue.placeholders:
        return Peer(placeholder=catalogue.placeholders[value])
    if "%" in value:  # Python reads fe80::1%eth0 as an address; its zone would reach the commands
        raise doc.fail(node, f"address '{value}': a zone index (%...) has no meaning in a firewall rule "
                       "(allowed: an IPv4/IPv6 address or CIDR without %)")
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        known = ", ".join(["any", *catalogue.placeholders])
        reason = str(exc) if "host bits" in str(exc) else "not an address or network"
        raise doc.fail(
            node, f"address '{value}': {reason} (allowed: {known}, or an IPv4/IPv6 address or CIDR)"
        ) from None
    if network.version == 6 and network.network_address.ipv4_mapped is not None:
        raise doc.fail(node, f"address '{value}': an IPv4-mapped IPv6 address never reaches ip6tables or an inet "
                       "table as such (write the IPv4 address instead)")
    return Peer(network=network)


def _check_extends(catalogue: Catalogue) -> None:
    for table in catalogue.tables.values():
        line = table.line
        seen = [table.id]
        current = table.extends
        while current is not None:
            if current not in catalogue.tables:
                known = ", ".join(t for t in catalogue.tables if t != table.id)
                raise DataError(
                    table.path, line, f"table '{table.id}' extends unknown table '{current}' "
                    f"(known: {known})"
                )
            if current in seen:
                cycle = " -> ".join([*seen, current])
                raise DataError(table.path, line, f"tables extend each other in a loop: {cycle}")
            seen.append(current)
            current = catalogue.tables[current].extends
        missing = [c for c in CHAINS if c not in catalogue.ruleset(table.id).policies]
        if missing:
            raise DataError(table.path, line, f"no policy for {', '.join(missing)} in this table "
                            "or the ones it extends")
        _check_docker(catalogue, table)
        _check_required_tabs(catalogue, table)


def _check_docker(catalogue: Catalogue, table) -> None:
    """A container's published port needs a Docker table, whose forward policy is DROP (Docker
    sets it at each start), and no port is both the server's own and a published one."""
    ruleset = catalogue.ruleset(table.id)
    published = [r for r in table.rules if r.direction == PUBLISHED]
    if published and not ruleset.docker:
        raise DataError(table.path, published[0].line, f"rule '{published[0].name}' is for a container "
                        "(to: container), but the table does not say the server runs Docker (add docker: true)")
    if not ruleset.docker:
        return
    if ruleset.policies["forward"] != "drop":
        raise DataError(table.path, table.docker_line or table.line, "a server that runs Docker forwards "
                        "with a DROP policy: Docker sets it at each start (allowed here: forward: drop)")
    own = lambda rule: any(r is rule for r in table.rules)  # noqa: E731
    host = [(r, p) for r in ruleset.rules if r.direction == "inbound" for p in r.ports]
    for rule in (r for r in ruleset.rules if r.direction == PUBLISHED):
        for port in rule.ports:
            for other, theirs in host:
                overlap = theirs.protocol == port.protocol and theirs.first <= port.last and port.first <= theirs.last
                if not overlap or not (own(rule) or own(other)):
                    continue
                here, there = (rule, other) if own(rule) else (other, rule)
                where = f"line {there.line}" if own(there) else f"{catalogue.rule_path(table.id, there)}:{there.line}"
                raise DataError(table.path, here.line, f"port {port} is published by a container ('{rule.name}') "
                                f"and the server's own port ('{other.name}', {theirs}): one port cannot be both, "
                                f"Docker's proxy listens on it (the other rule is at {where})")


# Why a front-end cannot express a rule, as the build's errors say it (pages say it too,
# in each language: i18n's `absent_*` texts).
OBSTACLES = {
    ("ufw", "limit"): (f"ufw's limit is fixed at {UFW_LIMIT[0]} new connections in {UFW_LIMIT[1]} seconds "
                       f"(allowed here: connections: {UFW_LIMIT[0]}, seconds: {UFW_LIMIT[1]})"),
    ("firewalld", "limit"): "firewalld has no per-address limit (its rich rules' limit counts every source "
                            "together): remove the limit, or firewalld from required_tabs",
    ("firewalld", "malformed"): "firewalld matches no TCP flags outside its deprecated direct interface: "
                                "remove malformed_tcp: drop, or firewalld from required_tabs",
    ("firewalld", "outbound"): "firewalld's zones filter incoming traffic only: remove the outbound rules and "
                               "policy, or firewalld from required_tabs",
    ("ufw", "docker"): "ufw's rules come after Docker's in FORWARD, so they never see a published port: "
                       "remove docker: true, or ufw from required_tabs",
    ("firewalld", "docker"): "Docker's own rules decide its published ports before firewalld's zones see them: "
                             "remove docker: true, or firewalld from required_tabs",
}


def _check_required_tabs(catalogue: Catalogue, table) -> None:
    """A table that requires a front-end's tab must be one that front-end can express; the
    error names the line that stops it (the rule's limit, or the table's required_tabs)."""
    from .render import firewalld, ufw  # the renderers decide what they can express

    ruleset = catalogue.ruleset(table.id)
    for tab, module in (("ufw", ufw), ("firewalld", firewalld)):
        if tab not in ruleset.required_tabs:
            continue
        for rule, reason in module.obstacles(ruleset):
            if rule is None:
                path, line = table.path, table.required_line or table.docker_line or table.line
            else:
                path = catalogue.rule_path(table.id, rule)
                line = rule.limit.line if reason == "limit" else rule.line
            raise DataError(path, line, f"table '{table.id}' requires a {tab} tab, but {OBSTACLES[(tab, reason)]}")


def _load_commands(doc: _Doc, catalogue: Catalogue) -> None:
    top = doc.mapping(doc.root, "a commands file", required=_TOP_KEYS["commands"])
    for item in doc.sequence(top["commands"], "commands"):
        keys = doc.mapping(item, "a command", required=("id",), optional=("text", "variants"))
        cid = doc.ident(keys["id"], "command id")
        if cid in catalogue.commands or cid in catalogue.tables or cid == "services":
            raise doc.fail(keys["id"], f"id '{cid}' is already used by a table or a command")
        if ("text" in keys) == ("variants" in keys):
            raise doc.fail(item, f"command '{cid}' needs either 'text' or 'variants', not both or neither")
        if "text" in keys:
            variants = [Variant("", _command_text(doc, keys["text"]))]
        else:
            variants = []
            labels = set()
            for node in doc.sequence(keys["variants"], "variants"):
                vkeys = doc.mapping(node, "a variant", required=("label", "text"))
                label = doc.safe_text(vkeys["label"], "variant label")
                if label in labels:
                    raise doc.fail(vkeys["label"], f"command '{cid}' has two variants labelled '{label}'")
                labels.add(label)
                variants.append(Variant(label, _command_text(doc, vkeys["text"])))
            if not variants:
                raise doc.fail(keys["variants"], f"command '{cid}' has no variant")
        line = keys["id"].start_mark.line + 1
        catalogue.commands[cid] = Command(cid, doc.path, line, tuple(variants))


def _command_text(doc: _Doc, node: yaml.Node) -> str:
    """A block of shell lines, as a reader will paste it: checked, never rewritten."""
    if not isinstance(node, yaml.ScalarNode) or node.tag != STR_TAG or not node.value.strip():
        raise doc.fail(node, "command text must be a non-empty block of text (use 'text: |')")
    text = node.value
    if not text.endswith("\n"):
        raise doc.fail(node, "command text must end with a newline (use 'text: |')")
    for offset, line in enumerate(text.split("\n")[:-1]):
        number = node.start_mark.line + 2 + offset  # the block starts on the line after '|'
        if not COMMAND_LINE_RE.fullmatch(line):
            raise DataError(doc.path, number, "command text may hold printable ASCII only (no tab)")
        if line != line.rstrip():
            raise DataError(doc.path, number, "command line ends with spaces")
    return text


_LOADERS = {
    "placeholders": _load_placeholders,
    "services": _load_services,
    "table": _load_table,
    "commands": _load_commands,
}
