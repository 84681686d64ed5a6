"""fail2ban on a server: what each form of a complete ruleset does to the addresses fail2ban
has banned, and the command that gives them back to it.

KEPT is what the lab measured with each release's own fail2ban and its default actions
(Debian 12: iptables-multiport, chains `f2b-<jail>` with a jump from INPUT; Debian 13:
nftables, a table of its own): tests/test_fail2ban.py measures it again on every run and fails
the moment it sees something else. One place for the fact, rendered here in each language.
"""

from __future__ import annotations

from .. import i18n
from ..releases import releases
from .markdown import _table

# The tables tried: the basics page's minimum, and the Docker page's table on a server that
# runs Docker; SSH is open to anyone in both, so only the ban keeps the banned address out.
TABLE = "inbound-minimum"
DOCKER_TABLE = "docker-host"
# The command that gives fail2ban's bans back to the firewall (snippets/commands.yml).
RELOAD = "fail2ban-reload"
FORMS = ("iptables", "ip6tables", "rules.v4", "rules.v6", "nftables", "ufw", "firewalld")
DOCKER_FORMS = ("iptables", "ip6tables", "rules.v4", "rules.v6", "nftables")
# (table, release) -> form -> whether an address banned before the block is still refused after it.
KEPT: dict[tuple[str, str], dict[str, bool]] = {
    (TABLE, "bookworm"): {"iptables": False, "ip6tables": False, "rules.v4": False, "rules.v6": False,
                          "nftables": True, "ufw": True, "firewalld": True},
    (TABLE, "trixie"): {form: True for form in FORMS},
    (DOCKER_TABLE, "bookworm"): {"iptables": False, "ip6tables": False, "rules.v4": False, "rules.v6": False,
                                 "nftables": True},
    (DOCKER_TABLE, "trixie"): {form: True for form in DOCKER_FORMS},
}


def kept_table(lang: str) -> str:
    """The measured table: one row per form, one column per release and server (without
    Docker, then with it; a form with no Docker version has no cell there)."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    columns = [(table, r) for table in (TABLE, DOCKER_TABLE) for r in releases()]
    head = [t("usual_form"), *(t("fail2ban_release" if table == TABLE else "fail2ban_release_docker",
                                 version=r.version) for table, r in columns)]
    rows = [head]
    for form in FORMS:
        cells = [KEPT[(table, r.codename)].get(form) for table, r in columns]
        rows.append([f"`{form}`", *("—" if kept is None else t("fail2ban_kept" if kept else "fail2ban_lost")
                                    for kept in cells)])
    return _table(rows)
