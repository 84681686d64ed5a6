"""Any bytes in a data file give a catalogue or a DataError at a place: never another exception,
never a hang. Property-based (Hypothesis): random bytes, YAML fragments, and mutations of the
real data files of snippets/, each loaded with the other real files around it.

A failure prints the smallest input found and a `@reproduce_failure` line to paste above the
test; Hypothesis also keeps it in .hypothesis/ and tries it first on the next run. The inputs
are random on each run: `pytest --hypothesis-seed=N` makes a run repeatable.
"""

from __future__ import annotations

import re
import shutil
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fwguide.errors import DataError
from fwguide.loader import load_catalogue

from support import ROOT

SNIPPETS = ROOT / "snippets"
FILES = sorted(p.name for p in SNIPPETS.glob("*.yml"))
ORIGINAL = {name: (SNIPPETS / name).read_bytes() for name in FILES}
# One load of the real files takes a few hundredths of a second: ten seconds is a hang.
TIMEOUT = 10.0
PLACE_RE = re.compile(r"(?P<path>snippets/[^:]+)(?::(?P<line>[0-9]+))?: ")
FUZZ = settings(deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])

# Pieces that mean something to YAML, to the loader or to the checks of the data.
FRAGMENTS = [
    b"&a ", b"*a", b"!foo ", b"!!binary ", b"!!python/object:os.system ", b"!!str ", b"! ", b"!<tag:x> ",
    b"<<: ", b"? ", b"- ", b": ", b", ", b"[", b"]", b"{", b"}", b"|", b">", b"#", b"'", b'"', b"\\", b"%",
    b"%YAML 1.1\n", b"%TAG !e! tag:example.com,2000:\n", b"---\n", b"...\n", b"\n", b"  ", b"    ",
    b"\t", b"\r", b"\r\n", b"\x00", b"\x07", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\xc2\x85", b"\xe2\x80\xa8",
    b"\xed\xa0\x80", b'"\\ud800"', b'"\\0"', b'"\\x07"', b'"\\u2028"', b'"\\r"', b'"a\\tb"',
    b"22/tcp", b"0/tcp", b"65535-1/udp", b"1-65535/tcp", b"0000022/tcp", b"99999999999999999999/tcp",
    "\u0662\u0662/tcp".encode(), b"9" * 5000 + b"/udp", b"any", b"admin", b"ssh", b"http", b"ftp", b"dns",
    b"accept", b"drop", b"~", b"null", b"yes", b"on", b"1e5", b"0x10", b"inbound", b"outbound",
    b"0.0.0.0/0", b"::/0", b"198.51.100.0/24", b"198.51.100.7/24", b"2001:db8::/32", b"203.0.113.10",
    b"kind: table\n", b"kind: services\n", b"id: inbound-minimum\n", b"extends: inbound-minimum\n",
    b"extends: web-mail-server\n", b"policies: {input: drop, forward: drop, output: accept}\n",
    b"  - service: ssh\n    source: any\n    action: accept\n", b"  - service: ssh\n    source: admin\n",
    b"[" * 100, b"- " * 100, b"{a: " * 50,
]
fragment = st.sampled_from(FRAGMENTS) | st.binary(min_size=1, max_size=8)
value = fragment | st.text(max_size=20).map(str.encode)


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` in the loader hides it."""


@contextmanager
def time_limit(seconds: float):
    """Raise Hang after `seconds` (the main thread only: signals go there, as in an xdist worker)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise Hang()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """A copy of snippets/; each example changes one file of it and puts it back."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(SNIPPETS, root / "snippets")
    return root


def check_loads_or_fails_in_place(root: Path, name: str, data: bytes) -> None:
    """The property: the real snippets/ (copied in `root`) with `name` holding `data` loads, or
    fails with a DataError `path:line: ` (or `path: ` for the file as a whole) whose line is in
    the file named."""
    path = root / "snippets" / name
    path.write_bytes(data)
    try:
        with time_limit(TIMEOUT):
            load_catalogue(root / "snippets", display_root=root)
    except DataError as exc:
        message = str(exc)
    except Hang:
        pytest.fail(f"load_catalogue did not finish within {TIMEOUT:g} s with snippets/{name} as {data!r}")
    else:
        return
    finally:
        if name in ORIGINAL:
            path.write_bytes(ORIGINAL[name])
        else:
            path.unlink()
    place = PLACE_RE.match(message)
    assert place, f"not `path:line: what is wrong`: {message}"
    contents = {f"snippets/{n}": ORIGINAL[n] for n in FILES} | {f"snippets/{name}": data}
    assert place["path"] in contents, f"names a file that is not a data file: {message}"
    if place["path"] != f"snippets/{name}":
        # Another file is named for what the mutated one no longer provides or now repeats (a
        # service, a placeholder, a table it extends, an id): at one of its lines, always.
        assert place["line"] is not None, message
    if place["line"] is not None:
        assert 1 <= int(place["line"]) <= contents[place["path"]].count(b"\n") + 1, message


@st.composite
def mutated_file(draw) -> tuple[str, bytes]:
    """A real data file with one to four edits: lines deleted, duplicated or swapped, a value
    changed, the file cut short, bytes or YAML fragments inserted."""
    name = draw(st.sampled_from(FILES))
    data = ORIGINAL[name]
    for _ in range(draw(st.integers(1, 4))):
        lines = data.split(b"\n")
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["delete", "duplicate", "swap", "value", "cut", "bytes", "fragment"]))
        if edit == "delete":
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif edit == "value" and b": " in lines[i]:
            lines[i] = lines[i][: lines[i].index(b": ") + 2] + draw(value)
        if edit in ("delete", "duplicate", "swap", "value"):
            data = b"\n".join(lines)
        elif edit == "cut":
            data = data[:at]
        else:
            data = data[:at] + draw(st.binary(min_size=1, max_size=8) if edit == "bytes" else fragment) + data[at:]
    return name, data


@settings(FUZZ, max_examples=600)
@given(name=st.sampled_from([*FILES, "extra.yml"]), data=st.binary(max_size=4096))
def test_random_bytes(copy, name, data):
    check_loads_or_fails_in_place(copy, name, data)


@settings(FUZZ, max_examples=400)
@given(name=st.sampled_from([*FILES, "extra.yml"]), data=st.lists(value, max_size=80).map(b"".join))
def test_yaml_fragments(copy, name, data):
    check_loads_or_fails_in_place(copy, name, data)


@settings(FUZZ, max_examples=1000)
@given(mutated_file())
def test_mutated_real_files(copy, case):
    check_loads_or_fails_in_place(copy, *case)

