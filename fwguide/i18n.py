"""The words the renderers put around data, in every language of the site.

Commands never come from here: only table headers, cell words and the notes beside blocks.
"""

from __future__ import annotations

from . import LANGUAGES

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "service": "Service",
        "protocol": "Protocol",
        "port": "Port",
        "use": "What it is for",
        "firewalld_service": "firewalld service",
        "source": "Source",
        "destination": "Destination",
        "action": "Action",
        "any": "any",
        "all": "all",
        "this_server": "this server",
        "everything_else_inbound": "All other incoming traffic",
        "malformed_null": "NULL packets: no TCP flag set",
        "malformed_xmas": "XMAS packets: FIN, PSH and URG set",
        "malformed_all": "Every TCP flag set",
        "malformed_nosyn": "New connection that does not start with SYN",
        "everything_else_outbound": "All other outgoing traffic",
        "default_policy": "{action} (default policy)",
        "placeholder_cell": "{label} (`{variables}`)",
        "service_cell": "{name}: {label}",
        "note_commands": (
            "Paste as root. These lines replace the {family} filter rules; connections already "
            "open, your SSH session included, are accepted before the default policy closes."
        ),
        "note_restore": (
            "Save as `{path}` and load it with `{tool}`: the whole {family} rule set is replaced "
            "in one step."
        ),
        "note_nftables": (
            "Save as a file and load it with `nft -f`: it replaces its own table "
            "(`inet {table}`), IPv4 and IPv6 together, in one step, and leaves other tables alone."
        ),
        "note_fill_variables": "{before}, replace {what} with {label}.",
        "before_run": "Before running it",
        "before_load": "Before loading it",
        "note_ufw": (
            "Ubuntu and Debian. Paste as root: the block resets ufw, adds every rule, SSH "
            "included, and only then enables the firewall. Rules without a source apply to "
            "IPv4 and IPv6 alike."
        ),
        "note_firewalld": (
            "RHEL, Rocky, Alma Linux and Fedora. Paste as root: these commands change the "
            "runtime configuration only, in the `drop` zone. Check that a new SSH login works, "
            "then make them permanent (see below); until then a reload undoes them."
        ),
        "example_in_line": "the example in the line {lines}",
        "examples_in_lines": "the examples in the lines {lines}",
        "note_fill_literal": (
            "Before loading it, replace the example address {examples} with {label}: "
            "this file format has no variables."
        ),
        "and": "and",
        "downloads": "Download the files: {links}",
    },
    "fr": {
        "service": "Service",
        "protocol": "Protocole",
        "port": "Port",
        "use": "Usage",
        "firewalld_service": "Service firewalld",
        "source": "Source",
        "destination": "Destination",
        "action": "Action",
        "any": "toutes",
        "all": "tous",
        "this_server": "ce serveur",
        "everything_else_inbound": "Tout autre trafic entrant",
        "malformed_null": "Paquets NULL\u00a0: aucun drapeau TCP",
        "malformed_xmas": "Paquets XMAS\u00a0: FIN, PSH et URG levés",
        "malformed_all": "Tous les drapeaux TCP levés",
        "malformed_nosyn": "Nouvelle connexion qui ne commence pas par SYN",
        "everything_else_outbound": "Tout autre trafic sortant",
        "default_policy": "{action} (politique par défaut)",
        "placeholder_cell": "{label} (`{variables}`)",
        # French typography: a non-breaking space before the colon.
        "service_cell": "{name}\u00a0: {label}",
        "note_commands": (
            "À coller dans un shell root. Ces lignes remplacent les règles de filtrage {family}\u00a0; "
            "les connexions déjà ouvertes, dont votre session SSH, sont acceptées avant que la "
            "politique par défaut ne se referme."
        ),
        "note_restore": (
            "Enregistrez ce contenu dans `{path}` et chargez-le avec `{tool}`\u00a0: tout le jeu de "
            "règles {family} est remplacé d'un seul coup."
        ),
        "note_nftables": (
            "Enregistrez ce contenu dans un fichier et chargez-le avec `nft -f`\u00a0: il remplace sa "
            "propre table (`inet {table}`), IPv4 et IPv6 ensemble, d'un seul coup, sans toucher "
            "aux autres tables."
        ),
        "note_fill_variables": "{before}, remplacez {what} par {label}.",
        "before_run": "Avant de l'exécuter",
        "before_load": "Avant de le charger",
        "note_ufw": (
            "Ubuntu et Debian. À coller dans un shell root\u00a0: le bloc réinitialise ufw, ajoute "
            "toutes les règles, SSH compris, et n'active le pare-feu qu'ensuite. Les règles sans "
            "source valent pour l'IPv4 comme pour l'IPv6."
        ),
        "note_firewalld": (
            "RHEL, Rocky, Alma Linux et Fedora. À coller dans un shell root\u00a0: ces commandes ne "
            "modifient que la configuration courante (runtime), dans la zone `drop`. Vérifiez "
            "qu'une nouvelle connexion SSH aboutit, puis rendez-les permanentes (voir plus bas)\u00a0; "
            "d'ici là, un rechargement les annule."
        ),
        "example_in_line": "l'exemple de la ligne {lines}",
        "examples_in_lines": "les exemples des lignes {lines}",
        "note_fill_literal": (
            "Avant de le charger, remplacez l'adresse d'exemple {examples} par {label}\u00a0: "
            "ce format de fichier n'a pas de variables."
        ),
        "and": "et",
        "downloads": "Télécharger les fichiers\u00a0: {links}",
    },
}

# Every language must define every key: a missing word would silently fall back otherwise.
assert set(TEXT) == set(LANGUAGES), "TEXT must cover exactly the site's languages"
assert all(TEXT[lang].keys() == TEXT["en"].keys() for lang in LANGUAGES), "TEXT keys differ"


def text(lang: str, key: str, **values: str) -> str:
    """One translated string with its {fields} filled in."""
    return TEXT[lang][key].format(**values)


def join(lang: str, items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' in the language."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {TEXT[lang]['and']} {items[-1]}"
