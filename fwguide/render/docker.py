"""The Docker page's own parts: what each usual block does on a server that runs Docker, and
the warning every page with complete rulesets shows before its blocks.

USUAL is what the lab measured, and measures again on every run with the newest release's
own Docker (tests/test_docker.py fails the moment it sees something else; both releases gave
this table when it was written): one place for the fact, rendered here in each language.
"""

from __future__ import annotations

from .. import i18n
from . import proven
from .markdown import _table

# The usual block tried on a Docker host: the basics page's minimum table. The lab's container
# publishes a port that table accepts (a web site) and one it does not name (a database).
USUAL_TABLE = "inbound-minimum"
ACCEPTED, UNNAMED = 80, 5432
PUBLISHED = (("tcp", ACCEPTED), ("tcp", UNNAMED))
# The orders: the block applied while Docker runs, and in place before Docker starts (boot).
ORDERS = ("running", "boot")
# What can go wrong, as probed from an anonymous client over IPv4 and from a container:
# the accepted published port does not answer, the unnamed one does, a port of the server's
# own that the table accepts does not, the containers cannot reach the internet.
OUTCOMES = ("published_closed", "unnamed_open", "host_closed", "containers_offline")
USUAL: dict[str, dict[str, tuple[str, ...]]] = {
    "iptables": {"running": ("published_closed", "containers_offline"), "boot": ("unnamed_open",)},
    "rules.v4": {"running": ("published_closed", "containers_offline"), "boot": ("unnamed_open",)},
    "nftables": {"running": ("published_closed", "containers_offline"),
                 "boot": ("published_closed", "containers_offline")},
    "ufw": {"running": ("unnamed_open",), "boot": ("unnamed_open",)},
    "firewalld": {"running": ("unnamed_open",), "boot": ("unnamed_open", "host_closed")},
}
PAGE = "docker.md"


def usual_table(lang: str) -> str:
    """The measured table: one row per front-end, one column per order."""
    t = lambda key, **kw: i18n.text(lang, key, **kw)  # noqa: E731
    rows = [[t("usual_form"), t("usual_running"), t("usual_boot")]]
    for label, orders in USUAL.items():
        cells = []
        for order in ORDERS:
            outcomes = [t(f"usual_{o}", accepted=str(ACCEPTED), unnamed=str(UNNAMED)) for o in orders[order]]
            cells.append(i18n.join(lang, outcomes) if outcomes else t("usual_fine"))
        rows.append([f"`{label}`", *(c[0].upper() + c[1:] for c in cells)])
    return _table(rows)


def warning(lang: str, root: str) -> str:
    """The admonition placed before the complete rulesets of a page, linking to the Docker page."""
    link = proven.site_link(root, lang, PAGE)
    text = i18n.text(lang, "docker_warning", link=f'<a href="{link}">{i18n.text(lang, "docker_page")}</a>')
    # In its own box, which the builder page hides when the reader says the server runs Docker.
    return (f'<div class="fw-docker-warning" markdown>\n\n!!! warning "{i18n.text(lang, "docker_warning_title")}"\n'
            f"    {text}\n\n</div>")
