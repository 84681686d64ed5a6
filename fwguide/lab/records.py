"""Proof records: one JSON file per block, release and backend, written by each test run.

A record says what was proven, with what and when: the SHA-256 of the block exactly as
the reader copies it, its page, table and front-end, the release, the exact versions of
its tools, the backend, the kernel, the probes by family and protocol, the crafted-packet
checks, the result (with the failures) and the date. A failing run writes its records too.
`fwguide.proof` reads them back for the site.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

from ..proof import SCHEMA, digest, settings
from .roots import Root
from .scenario import Report


def proof_dir(project: Path) -> Path:
    """Where records go: where the site's build reads them ($FWGUIDE_PROOF_DIR, relative to
    the project, else test-artifacts/proof)."""
    return settings(os.environ, project)[0]


def proof_record(*, page: str, table: str, frontend: str, backend: str | None, copied: str, root: Root,
                 report: Report | None, seconds: float, failures: list[str], fragment: str | None = None,
                 seed: int | None = None) -> dict:
    """The record of one block applied with one release's tools (`report` is None when the
    lab could not even run it; `failures` then says why). A configuration of the builder page
    gives its URL `fragment` and the `seed` of the run that drew it."""
    probes = report.probes if report else []
    crafted = report.crafted if report else []
    return {
        "schema": SCHEMA,
        "sha256": digest(copied),
        "page": page,
        "table": table,
        "frontend": frontend,
        "release": root.release.codename,
        "release_version": root.release.version,
        "backend": backend,
        "tools": dict(root.tools),
        "packages": dict(root.packages),
        "kernel": os.uname().release,
        "probes": dict(sorted(Counter(f"ipv{p.family}/{p.proto}" for p in probes).items())),
        "probes_total": len(probes),
        "probes_failed": sum(not p.ok for p in probes),
        "crafted": {"total": len(crafted), "failed": sum(c.observed != c.expected for c in crafted)},
        "result": "fail" if failures or report is None else "pass",
        "failures": list(failures),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(seconds, 2),
        **({"fragment": fragment} if fragment is not None else {}),
        **({"seed": seed} if seed is not None else {}),
    }


def write_record(directory: Path, record: dict) -> Path:
    """Write one record, replacing the same block's record of an earlier run (same name)."""
    parts = [record["page"].removesuffix(".md").replace("/", "-"), record["table"], record["frontend"]]
    if record["backend"]:
        parts.append(record["backend"])
    path = directory / record["release"] / ("--".join(parts) + ".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a record
    return path
