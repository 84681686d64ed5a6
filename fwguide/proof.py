"""Proof records: what the namespace lab says it did with each block, read back for the site.

The lab writes one JSON record per page, table, front-end, Debian release and iptables
backend (schema below) into a directory. This module loads and validates them, keeps the
newest of each, and says of a block, from the SHA-256 of the text a reader copies, whether
it is proven: a passing record of the same text for every release of `releases.toml` (and,
for the iptables front-ends, every backend), or why not.

A record that is not what the schema says fails with `path: what is wrong`, never a
traceback: the site must not claim a proof it cannot read.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .errors import DataError
from .lab.netns import BACKENDS
from .releases import Release, releases
from .render.markdown import frontends

SCHEMA = 1
DEFAULT_DIR = "test-artifacts/proof"
DIR_ENV = "FWGUIDE_PROOF_DIR"
REQUIRE_ENV = "FWGUIDE_REQUIRE_PROOF"
PAGE = "proof.md"  # the page that explains the proofs, in every language
BACKEND_NAMES = {"nft": "nf_tables", "legacy": "legacy"}
# The tool whose version a front-end's proof names.
TOOLS = {"iptables": "iptables", "ip6tables": "iptables", "rules.v4": "iptables", "rules.v6": "iptables",
         "nftables": "nftables", "ufw": "ufw", "firewalld": "firewalld"}
RESULTS = ("pass", "fail")
MAX_BYTES = 1 << 20

SHA256_RE = re.compile(r"[0-9a-f]{64}")
PAGE_RE = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*\.md")
ID_RE = re.compile(r"[a-z][a-z0-9-]{0,63}")
VERSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+~:_-]{0,63}")  # upstream and Debian versions
PACKAGE_RE = re.compile(r"[a-z0-9][a-z0-9+.-]{0,63}")  # a Debian package's (or a tool's) name: docker.io
FRAGMENT_RE = re.compile(r"[A-Za-z0-9%._~:=&-]{0,4000}")  # a URL fragment, percent-encoded
KERNEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+~_-]{0,127}")
RELEASE_VERSION_RE = re.compile(r"[0-9]{1,3}")
PROBE_KIND_RE = re.compile(r"ipv[46]/[a-z0-9]{1,16}")


@dataclass(frozen=True)
class Record:
    """One block applied and probed with one release's tools (and one iptables backend)."""

    path: str  # where it was read, as errors show it
    sha256: str
    page: str
    table: str
    frontend: str
    release: str
    release_version: str
    backend: str | None
    tools: dict[str, str]
    packages: dict[str, str]
    kernel: str
    probes: dict[str, int]
    probes_total: int
    probes_failed: int
    crafted_total: int
    crafted_failed: int
    result: str
    failures: tuple[str, ...]
    date: datetime
    seconds: float
    # A configuration of the builder page (its URL fragment), for the records of its proofs,
    # and the seed of the run that drew it (FWGUIDE_BUILDER_SEED): records of one seed are one run.
    fragment: str | None = None
    seed: int | None = None

    @property
    def key(self) -> tuple[str, str, str, str, str | None]:
        return self.page, self.table, self.frontend, self.release, self.backend

    @property
    def tool_version(self) -> str:
        return self.tools[TOOLS[self.frontend]]


@dataclass(frozen=True)
class Block:
    """A command block the site shows: its page (as records name it: `basics.md`), table,
    front-end, and the SHA-256 of the text a reader copies."""

    page: str
    table: str
    frontend: str
    sha256: str


@dataclass(frozen=True)
class Status:
    """Whether a block is proven. `records` are the newest record of each release (and
    backend) it needs, those that exist; `problem` is None when proven, else one of
    no-record, changed, failed, missing, with the release and backend it concerns."""

    block: Block
    records: tuple[Record, ...] = ()
    problem: str | None = None
    release: Release | None = None
    backend: str | None = None

    @property
    def proven(self) -> bool:
        return self.problem is None

    @property
    def record(self) -> Record | None:
        """The record of the release and backend the problem concerns, if there is one."""
        concerned = (self.release.codename, self.backend) if self.release else None
        return next((r for r in self.records if (r.release, r.backend) == concerned), None)

    def describe(self) -> str:
        """Why the block is not proven, in English, for the build's error message."""
        where = ""
        if self.release is not None:
            where = f" with {self.release.name} ({self.release.codename}) tools"
            where += f", {self.backend} backend" if self.backend else ""
        if self.problem == "no-record":
            return "no test record for this block"
        if self.problem == "changed":
            return f"the block changed since the last test run ({self.record.path} is of another text)"
        if self.problem == "failed":
            first = f": {self.record.failures[0]}" if self.record.failures else ""
            return f"its last test failed{where} ({self.record.path}{first})"
        if self.problem == "missing":
            return f"no test record{where}"
        return "proven"


@dataclass
class Evidence:
    """The records of the test runs, the newest of each key, and what they prove."""

    records: list[Record] = field(default_factory=list)
    releases: tuple[Release, ...] = field(default_factory=releases)

    def __post_init__(self) -> None:
        self.newest: dict[tuple, Record] = {}
        for record in sorted(self.records, key=lambda r: (r.date, r.path)):
            self.newest[record.key] = record  # several runs: the newest wins

    def status(self, block: Block) -> Status:
        needed = [(release, backend) for release in self.releases for backend in backends_of(block.frontend)]
        found = {need: self.newest.get((block.page, block.table, block.frontend, need[0].codename, need[1]))
                 for need in needed}
        records = tuple(r for r in found.values() if r is not None)
        if not records:
            return Status(block, records, "no-record")
        # The worst problem first: a record of another text proves nothing of this one.
        for (release, backend), record in found.items():
            if record is not None and record.sha256 != block.sha256:
                return Status(block, records, "changed", release, backend)
        for (release, backend), record in found.items():
            if record is not None and record.result != "pass":
                return Status(block, records, "failed", release, backend)
        for (release, backend), record in found.items():
            if record is None:
                return Status(block, records, "missing", release, backend)
        return Status(block, records)


@dataclass(frozen=True)
class Site:
    """What the proof lines and the matrix know of the site being built."""

    evidence: Evidence
    blocks: tuple[Block, ...]  # every block of a rule table the site shows, once, in page order
    titles: Mapping[tuple[str, str], str]  # (language, page) -> the page's title


def backends_of(frontend: str) -> tuple[str | None, ...]:
    """The iptables backends a front-end's block is proven on; (None,) where there are none."""
    uses = {f.label: f.uses_iptables for f in frontends()}
    return BACKENDS if uses[frontend] else (None,)


def digest(copied: str) -> str:
    """The SHA-256 that records give a block: of the text a reader copies, in UTF-8."""
    return hashlib.sha256(copied.encode("utf-8")).hexdigest()


def block(page: str, table: str, frontend: str, rendered: str) -> Block:
    """The block a tab shows: the reader copies the rendered code without its final newline."""
    return Block(page, table, frontend, digest(rendered.removesuffix("\n")))


def settings(environ: Mapping[str, str], root: Path) -> tuple[Path, bool]:
    """(the records' directory, whether every block must be proven), from the environment:
    FWGUIDE_PROOF_DIR (relative to the project root; default test-artifacts/proof) and
    FWGUIDE_REQUIRE_PROOF (1: the build fails on any block that is not proven; 0 or unset)."""
    directory = root / (environ.get(DIR_ENV) or DEFAULT_DIR)  # an absolute path replaces the root
    required = environ.get(REQUIRE_ENV, "0")
    if required not in ("0", "1", ""):
        raise DataError(REQUIRE_ENV, None, f"must be 1 (every block proven) or 0, not {required!r}")
    return directory, required == "1"


def unproven(evidence: Evidence, shown: Iterable[tuple[str, Block]]) -> list[str]:
    """One line per block of the site that is not proven: `page: table T, front-end F: why`.
    `shown` pairs each block with the page that shows it, as messages name it."""
    lines = []
    for page, each in shown:
        status = evidence.status(each)
        if not status.proven:
            lines.append(f"{page}: table {each.table}, front-end {each.frontend}: not proven: {status.describe()}")
    return lines


# Loading


def load_records(directory: str | Path, display_root: str | Path | None = None) -> list[Record]:
    """Every record under `directory` (files ending in .json, in subdirectories too); none if
    it does not exist. A file that is not a valid record raises DataError `path: what`."""
    top = Path(directory)
    if not top.exists():
        return []
    if not top.is_dir():
        raise DataError(_shown(top, display_root), None, "is not a directory of proof records")
    paths = sorted(Path(here) / name for here, _, names in os.walk(top) for name in names if name.endswith(".json"))
    return [read_record(path, _shown(path, display_root)) for path in paths]


def read_record(path: Path, shown: str) -> Record:
    """One record file, read and validated."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataError(shown, None, f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise DataError(shown, None, "is larger than 1 MiB: not a proof record")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DataError(shown, None, "is not UTF-8 text") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise DataError(shown, None, f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:
        raise DataError(shown, None, f"is not valid JSON: {exc}") from None
    return parse_record(data, shown)


def parse_record(data: object, shown: str) -> Record:
    """A record from its decoded JSON; every field checked against the schema."""
    def fail(message: str) -> DataError:
        return DataError(shown, None, message)

    if not isinstance(data, dict):
        raise fail(f"a proof record is a JSON object, not {_json_type(data)}")
    if "schema" not in data:
        raise fail(f"has no 'schema': not a proof record (this build reads schema {SCHEMA})")
    if data["schema"] != SCHEMA or isinstance(data["schema"], bool):
        raise fail(f"schema {json.dumps(data['schema'])} is not one this build reads (it reads schema {SCHEMA})")

    def get(name: str, kind: type | tuple[type, ...]):
        if name not in data:
            raise fail(f"missing field '{name}'")
        value = data[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            names = " or ".join(_JSON_NAMES[k] for k in kinds if not (k is int and float in kinds))
            raise fail(f"'{name}' must be {names}, not {_json_type(value)}")
        return value

    def text(name: str, pattern: re.Pattern, allowed: str) -> str:
        value = get(name, str)
        if not pattern.fullmatch(value):
            raise fail(f"'{name}' must be {allowed} (got {json.dumps(value)[:80]})")
        return value

    def count(name: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail(f"'{name}' must be a whole number, 0 or more (got {json.dumps(value)[:80]})")
        return value

    def versions(name: str) -> dict[str, str]:
        value = get(name, dict)
        for tool, version in value.items():
            if not PACKAGE_RE.fullmatch(tool) or not isinstance(version, str) or not VERSION_RE.fullmatch(version):
                raise fail(f"'{name}' must map package names to versions like 1.8.9-2 "
                           f"(got {json.dumps({tool: version})[:80]})")
        return value

    labels = [f.label for f in frontends()]
    sha256 = text("sha256", SHA256_RE, "64 lowercase hexadecimal digits")
    page = text("page", PAGE_RE, "a page of the site as its language folder names it, like basics.md")
    table = text("table", ID_RE, "a table id, like inbound-minimum")
    frontend = get("frontend", str)
    if frontend not in labels:
        raise fail(f"'frontend' must be one of {', '.join(labels)} (got {json.dumps(frontend)[:80]})")
    release = text("release", ID_RE, "a Debian codename, like bookworm")
    release_version = text("release_version", RELEASE_VERSION_RE, "a Debian version number, like \"12\"")
    known = {r.codename: r for r in releases()}
    if release in known and known[release].version != release_version:
        raise fail(f"'release_version' {release_version} does not match {release}, which is "
                   f"Debian {known[release].version}")
    backend = get("backend", (str, type(None)))
    wanted = backends_of(frontend)
    if backend not in wanted:
        allowed = " or ".join(json.dumps(b) for b in wanted)
        raise fail(f"'backend' must be {allowed} for front-end {frontend} (got {json.dumps(backend)[:80]})")
    tools = versions("tools")
    if TOOLS[frontend] not in tools:
        raise fail(f"'tools' has no version of {TOOLS[frontend]}, the tool front-end {frontend} runs")
    packages = versions("packages")
    kernel = text("kernel", KERNEL_RE, "a kernel release, like 6.1.0-26-amd64")
    probes = get("probes", dict)
    for kind, number in probes.items():
        if not PROBE_KIND_RE.fullmatch(kind):
            raise fail(f"'probes' keys must be a family and protocol, like ipv4/tcp (got {json.dumps(kind)[:80]})")
        count(f"probes {kind}", number)
    probes_total = count("probes_total", get("probes_total", int))
    if probes_total != sum(probes.values()):
        raise fail(f"'probes_total' is {probes_total}, but 'probes' add up to {sum(probes.values())}")
    probes_failed = count("probes_failed", get("probes_failed", int))
    if probes_failed > probes_total:
        raise fail(f"'probes_failed' ({probes_failed}) is more than 'probes_total' ({probes_total})")
    crafted = get("crafted", dict)
    if set(crafted) != {"total", "failed"}:
        raise fail(f"'crafted' must have exactly 'total' and 'failed' (got {', '.join(map(repr, crafted)) or 'none'})")
    crafted_total, crafted_failed = count("crafted total", crafted["total"]), count("crafted failed", crafted["failed"])
    if crafted_failed > crafted_total:
        raise fail(f"'crafted' failed ({crafted_failed}) is more than its total ({crafted_total})")
    result = get("result", str)
    if result not in RESULTS:
        raise fail(f"'result' must be \"pass\" or \"fail\" (got {json.dumps(result)[:80]})")
    failures = get("failures", list)
    if not all(isinstance(f, str) for f in failures):
        raise fail("'failures' must be a list of strings")
    if result == "pass" and (failures or probes_failed or crafted_failed):
        raise fail("'result' is pass, but the record counts failures")
    date = _utc(get("date", str), fail)
    seconds = get("seconds", (int, float))
    if not math.isfinite(seconds) or seconds < 0:
        raise fail(f"'seconds' must be 0 or more (got {seconds})")
    fragment = None
    if "fragment" in data:
        fragment = text("fragment", FRAGMENT_RE, "a builder page configuration, percent-encoded")
    seed = count("seed", get("seed", int)) if "seed" in data else None
    return Record(shown, sha256, page, table, frontend, release, release_version, backend, tools, packages,
                  kernel, probes, probes_total, probes_failed, crafted_total, crafted_failed, result,
                  tuple(failures), date, float(seconds), fragment, seed)


# Helpers

_JSON_NAMES = {str: "a string", int: "a whole number", float: "a number", dict: "an object", list: "a list",
               bool: "true or false", type(None): "null"}


def _json_type(value: object) -> str:
    """How JSON names the type of a decoded value, for messages."""
    for kind in (bool, type(None), str, int, float, dict, list):
        if isinstance(value, kind):
            return _JSON_NAMES[kind]
    return type(value).__name__


def _utc(value: str, fail) -> datetime:
    """A UTC date and time in ISO 8601 (2026-11-21T10:12:03Z), as an aware datetime."""
    try:
        date = datetime.fromisoformat(value)
    except ValueError:
        date = None
    if date is None or "T" not in value or date.utcoffset() != timedelta(0):
        raise fail(f"'date' must be a UTC date and time in ISO 8601, like 2026-11-21T10:12:03Z "
                   f"(got {json.dumps(value)[:80]})")
    return date


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _shown(path: Path, display_root: str | Path | None) -> str:
    """The path as messages show it: relative to the project root when it lies inside."""
    if display_root is not None:
        root = Path(display_root).resolve()
        if path.resolve().is_relative_to(root):
            return str(path.resolve().relative_to(root))
    return str(path)
