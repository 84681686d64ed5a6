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
        # A per-source limit on new connections (a rule's `limit:`).
        "limited_action": "ACCEPT, {connections} new connections per {seconds} s from one address; beyond: DROP",
        "note_limit_recent": (
            "The `recent` match counts every attempt to connect, dropped ones included: an address "
            "that made {connections} in the last {seconds} seconds has the next ones dropped, so "
            "one that keeps trying stays blocked."
        ),
        "note_limit_nftables": (
            "nftables counts with a token bucket per address: {connections} new connections at "
            "once, then one more every {interval} seconds."
        ),
        "note_limit_ufw": (
            "`ufw limit` refuses (REJECT rather than DROP) an address's {over}th attempt to connect "
            "within {seconds} seconds and the ones after it: it counts refused attempts too, so an "
            "address that keeps trying stays blocked."
        ),
        # Why a table has no tab for a front-end, under its tabs.
        "absent_ufw_limit": (
            "No `ufw` tab: the limit of `ufw limit` is fixed at {ufw_connections} new connections "
            "in {ufw_seconds} seconds per address, and this table allows {connections} in "
            "{seconds} seconds."
        ),
        "absent_firewalld_limit": (
            "No `firewalld` tab: the `limit` of firewalld's rich rules counts the new connections "
            "of all addresses together, so a single password-guessing bot would lock everyone out "
            "of SSH, and its direct interface, which could carry a per-address rule, is deprecated."
        ),
        "absent_firewalld_outbound": (
            "No `firewalld` tab: firewalld's zones filter incoming traffic only, and this table "
            "filters outgoing traffic."
        ),
        # Under each block: how the namespace lab proved it, or why it did not.
        "proof_proven": "Proven with Debian {releases} tools",
        "proof_not_in_build": "Not proven in this build",
        "proof_not": "Not proven",
        "proof_reason": "{lead}: {reason}",
        "proof_no_record": "no test record for this block",
        "proof_changed": "the block changed since the last test run",
        "proof_failed": "its last test failed with Debian {version} tools{backend}",
        "proof_missing": "no test record with Debian {version} tools{backend}",
        "proof_backend": " ({backend} backend)",
        "probe_count_one": "{count} probe",
        "probe_count": "{count} probes",
        "thousands": ",",
        "singular": "1",  # the counts that take the singular: 1 probe, 0 probes
        "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "date": "{day} {month} {year}",
        "day_1": "1",
        # The proof page: the lab's drawing and the matrix of the last run.
        "lab_title": "The namespaces of one test",
        "lab_desc": (
            "The server, where the block is applied, is linked to the internet namespace, which "
            "routes between everyone and answers the server's own connections. The clients are "
            "linked to it too: one per example address of the guide and an anonymous one."
        ),
        "lab_server": "server",
        "lab_server_note": "the block is applied here",
        "lab_internet": "internet",
        "lab_internet_note": "routes between all, answers the server",
        "lab_client": "{id} client",
        "lab_client_note": "example of {label}",
        "lab_anyone": "anonymous client",
        "lab_anyone_note": "an address no rule names",
        "matrix_none": (
            "No test run's records were available to this build: every block of the site says "
            "it is not proven."
        ),
        "matrix_proven": "{proven} of the {blocks} blocks the site shows are proven.",
        "matrix_run": "{records} of the last run, written {dates}, on kernel {kernels}.",
        "record_count_one": "{count} record",
        "record_count": "{count} records",
        "matrix_on": "on {date}",
        "matrix_from_to": "from {first} to {last}",
        "matrix_page": "On the page {link}.",
        "matrix_tab": "Tab",
        "matrix_release": "Debian",
        "matrix_tool": "Tool",
        "matrix_probes": "Probes",
        "matrix_result": "Result",
        "matrix_date": "Date",
        "matrix_failed_probes": "{count}, {failed} failed",
        "result_pass": "passed",
        "result_fail": "failed",
        "result_none": "no record",
        "result_changed": "block changed since",
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
        "limited_action": (
            "ACCEPT, {connections} nouvelles connexions par {seconds}\u00a0s et par adresse\u00a0; "
            "au-delà\u00a0: DROP"
        ),
        "note_limit_recent": (
            "La correspondance `recent` compte chaque tentative de connexion, y compris celles qui "
            "sont bloquées\u00a0: une adresse qui en a fait {connections} dans les {seconds}\u00a0dernières "
            "secondes voit les suivantes bloquées, et reste bloquée tant qu'elle insiste."
        ),
        "note_limit_nftables": (
            "nftables compte avec un seau à jetons par adresse\u00a0: {connections} nouvelles "
            "connexions d'un coup, puis une de plus toutes les {interval}\u00a0secondes."
        ),
        "note_limit_ufw": (
            "`ufw limit` refuse (REJECT plutôt que DROP) la {over}e tentative de connexion d'une "
            "adresse en {seconds}\u00a0secondes, et les suivantes\u00a0: il compte aussi les tentatives "
            "refusées, si bien qu'une adresse qui insiste reste bloquée."
        ),
        "absent_ufw_limit": (
            "Pas d'onglet `ufw`\u00a0: la limite de `ufw limit` est fixe, {ufw_connections} nouvelles "
            "connexions en {ufw_seconds}\u00a0secondes par adresse, et ce tableau en permet "
            "{connections} en {seconds}\u00a0secondes."
        ),
        "absent_firewalld_limit": (
            "Pas d'onglet `firewalld`\u00a0: le `limit` des règles riches de firewalld compte les "
            "nouvelles connexions de toutes les adresses ensemble, si bien qu'un seul robot qui essaie "
            "des mots de passe priverait tout le monde de SSH, et son interface directe, qui pourrait "
            "porter une règle par adresse, est déclarée obsolète."
        ),
        "absent_firewalld_outbound": (
            "Pas d'onglet `firewalld`\u00a0: les zones de firewalld ne filtrent que le trafic "
            "entrant, et ce tableau filtre aussi le trafic sortant."
        ),
        "proof_proven": "Éprouvé avec les outils de Debian {releases}",
        "proof_not_in_build": "Non éprouvé dans cette version du site",
        "proof_not": "Non éprouvé",
        "proof_reason": "{lead}\u00a0: {reason}",
        "proof_no_record": "aucun résultat de test pour ce bloc",
        "proof_changed": "le bloc a changé depuis le dernier passage des tests",
        "proof_failed": "son dernier test a échoué avec les outils de Debian {version}{backend}",
        "proof_missing": "aucun résultat de test avec les outils de Debian {version}{backend}",
        "proof_backend": " (variante {backend})",
        "probe_count_one": "{count}\u00a0sonde",
        "probe_count": "{count}\u00a0sondes",
        # French groups thousands with a narrow non-breaking space.
        "thousands": "\u202f",
        "singular": "0 1",  # 0 sonde, 1 sonde, 2 sondes
        "months": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "date": "{day} {month} {year}",
        "day_1": "1er",
        "lab_title": "Les espaces de noms d'un test",
        "lab_desc": (
            "Le serveur, où le bloc est appliqué, est relié à l'espace internet, qui route entre "
            "tous et répond aux connexions ouvertes par le serveur. Les clients y sont reliés "
            "aussi\u00a0: un par adresse d'exemple du guide, plus un client anonyme."
        ),
        "lab_server": "serveur",
        "lab_server_note": "le bloc y est appliqué",
        "lab_internet": "internet",
        "lab_internet_note": "route entre tous, répond au serveur",
        "lab_client": "client {id}",
        "lab_client_note": "exemple de {label}",
        "lab_anyone": "client anonyme",
        "lab_anyone_note": "une adresse qu'aucune règle ne nomme",
        "matrix_none": (
            "Aucun résultat de passage des tests n'était disponible pour cette version du site\u00a0: "
            "chaque bloc y est signalé comme non éprouvé."
        ),
        "matrix_proven": "{proven} des {blocks} blocs du site sont éprouvés.",
        "matrix_run": "{records} du dernier passage des tests, écrits {dates}, sur le noyau {kernels}.",
        "record_count_one": "{count}\u00a0résultat",
        "record_count": "{count}\u00a0résultats",
        "matrix_on": "le {date}",
        "matrix_from_to": "du {first} au {last}",
        "matrix_page": "Sur la page {link}.",
        "matrix_tab": "Onglet",
        "matrix_release": "Debian",
        "matrix_tool": "Outil",
        "matrix_probes": "Sondes",
        "matrix_result": "Résultat",
        "matrix_date": "Date",
        "matrix_failed_probes": "{count}, dont {failed} en échec",
        "result_pass": "réussi",
        "result_fail": "échoué",
        "result_none": "aucun résultat",
        "result_changed": "bloc modifié depuis",
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
