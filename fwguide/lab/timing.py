"""Where the test suite's time goes: spans of work, by kind, for `./dev bench --suite --breakdown`.

Nothing is written unless FWGUIDE_TIMING names a directory. Then every process (each test
worker, each rootless lab child) appends one JSON line per span to a file of its own there:
the kind of work, what it was, when it started (wall clock, comparable across processes) and
how long it took. benchmarks/breakdown.py sums them as worker-seconds and as wall time.

The kinds (KINDS) are the lab's own steps; the test-level kinds (browser, fuzzing) are
recorded per test by tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ENV = "FWGUIDE_TIMING"
KINDS = {
    "root": "a release's root filesystem: found in the cache, or built by mmdebstrap",
    "namespaces": "network namespaces and their links created",
    "overlay": "a server's sandbox: an overlay on the release's root, mounted",
    "agents": "probe agents started in the client namespaces, listeners opened",
    "daemon": "a daemon started and waited for until it answers (firewalld, fail2ban, dockerd)",
    "apply": "a block applied by its front-end's own tool",
    "dump": "the ruleset listed by the front-end's tools (for the applied-twice check)",
    "probes": "probe rounds, the time the answers take",
    "window": "probe rounds, the time a blocked probe waits out its timeout (real time)",
    "teardown": "namespaces, sandboxes and processes removed",
}
# Spans that hold others: counted, never added to the kinds above.
OUTER = {"scenario": "one proof: a block applied to a table's server and probed (run_scenario)"}


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def record(kind: str, what: str, start: float, seconds: float) -> None:
    """One span: `start` from time.time(), `seconds` measured with a monotonic clock."""
    directory = os.environ.get(ENV)
    if not directory:
        return
    line = json.dumps({"kind": kind, "what": what, "start": round(start, 4), "seconds": round(seconds, 4),
                       "pid": os.getpid()})
    with open(Path(directory) / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as f:
        f.write(line + "\n")


@contextlib.contextmanager
def span(kind: str, what: str = "") -> Iterator[None]:
    """Time the block as one span of `kind` (no cost when FWGUIDE_TIMING is unset)."""
    if not enabled():
        yield
        return
    wall, start = time.time(), time.monotonic()
    try:
        yield
    finally:
        record(kind, what, wall, time.monotonic() - start)


def timed(kind: str) -> Callable:
    """A function's every call as a span of `kind`, named after the function."""
    def wrap(function: Callable) -> Callable:
        @functools.wraps(function)
        def timed_call(*args, **kwargs):
            with span(kind, function.__name__):
                return function(*args, **kwargs)
        return timed_call
    return wrap
