"""The Debian releases the blocks are proven with, read from `releases.toml` (one place).

Plain data with no lab code: the lab builds a root filesystem per release from it, the
site's proof lines and `./dev fresh` read the same list.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("releases.toml")


@dataclass(frozen=True)
class Release:
    codename: str  # bookworm
    version: str  # 12
    python: str  # the python3 it ships: 3.11.2
    lab: tuple[str, ...]  # packages the lab's root adds to minbase
    docker: tuple[str, ...] = ()  # what a Docker host's root adds to the lab's

    def packages(self, docker: bool = False) -> tuple[str, ...]:
        """The packages of the lab's root: the blocks' tools, and Docker's for a Docker host."""
        return (*self.lab, *self.docker) if docker else self.lab

    @property
    def name(self) -> str:
        return f"Debian {self.version}"


@cache
def releases() -> tuple[Release, ...]:
    """Every supported release, oldest first."""
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    return tuple(Release(r["codename"], str(r["version"]), str(r["python"]), tuple(r["lab"]),
                         tuple(r.get("docker", ()))) for r in data["release"])


@cache
def tool_packages() -> dict[str, str]:
    """tool -> the Debian package whose version names it in a proof (iptables -> iptables)."""
    return dict(tomllib.loads(DATA.read_text(encoding="utf-8"))["tools"])


def release(codename: str) -> Release:
    for r in releases():
        if r.codename == codename:
            return r
    known = ", ".join(r.codename for r in releases())
    raise KeyError(f"unknown release {codename!r} (known: {known})")
