"""The two hash-pinned locks: the site's is the part of the tests' that builds the site.

./dev site installs requirements/site.txt and ./dev test installs requirements/lock.txt on
top of it in the same virtualenv, so every package they share must be pinned to the same
version with the same hashes. Whether each pin installs with Debian's own python3 of each
release is proven by ./dev fresh (tests/fresh/), which needs Debian's archive and PyPI.
"""

from __future__ import annotations

import re
import tomllib

from support import ROOT

PIN_RE = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})+)", re.MULTILINE)


def pins(name: str) -> dict[str, tuple[str, frozenset[str]]]:
    """package -> (version, hashes) of one lock file; every requirement must be pinned and hashed."""
    text = (ROOT / "requirements" / name).read_text()
    found = {
        m.group(1).lower(): (m.group(2), frozenset(re.findall(r"sha256:([0-9a-f]{64})", m.group(3))))
        for m in PIN_RE.finditer(text)
    }
    requirements = [line for line in text.splitlines() if line and not line[0].isspace() and not line.startswith("#")]
    assert len(requirements) == len(found), f"{name}: a requirement is not pinned with its hashes"
    return found


def extra(name: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {re.split(r"[<>=!~\[ ;]", req, maxsplit=1)[0].lower() for req in project["optional-dependencies"][name]}


def test_the_site_lock_is_the_test_lock_restricted_to_the_site():
    site, full = pins("site.txt"), pins("lock.txt")
    assert site, "requirements/site.txt pins nothing"
    for package, pin in site.items():
        assert full.get(package) == pin, f"{package}: site.txt and lock.txt pin it differently"
    assert extra("site") | extra("build") <= set(site)
    assert not extra("test") & set(site), "the site lock holds test packages"
    assert extra("site") | extra("build") | extra("test") <= set(full)


def test_the_locks_are_resolved_for_debian_12s_python():
    """pymdown-extensions 13 needs Python >= 3.11.5: the lock must not pin it for 3.11.2."""
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == ">=3.11.2", requires
    major = int(pins("lock.txt")["pymdown-extensions"][0].split(".")[0])
    assert major < 13, "pymdown-extensions 13 and later need Python 3.11.5"
