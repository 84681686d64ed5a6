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

# The table tried: the basics page's minimum, where SSH is open to anyone, so only the ban
# keeps the banned address out.
TABLE = "inbound-minimum"
# The command that gives fail2ban's bans back to the firewall (snippets/commands.yml).
RELOAD = "fail2ban-reload"
FORMS = ("iptables", "ip6tables", "rules.v4", "rules.v6", "nftables", "ufw", "firewalld")
# Release -> form -> whether an address banned before the block is still refused after it.
KEPT: dict[str, dict[str, bool]] = {
    "bookworm": {"iptables": False, "ip6tables": False, "rules.v4": False, "rules.v6": False,
                 "nftables": True, "ufw": True, "firewalld": True},
    "trixie": {form: True for form in FORMS},
}


def kept_table(lang: str) -> str:
    """The measured table: one row per form, one column per release."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    shown = releases()
    head = [t("usual_form"), *(t("fail2ban_release", version=r.version) for r in shown)]
    rows = [head, ["---"] * len(head)]
    for form in FORMS:
        rows.append([f"`{form}`", *(t("fail2ban_kept" if KEPT[r.codename][form] else "fail2ban_lost")
                                    for r in shown)])
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)
