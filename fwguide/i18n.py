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
        "docker_warning_title": "On a server that runs Docker",
        "docker_warning": (
            "These blocks are written for a server without Docker. On a server that runs it, each "
            "of them either cuts the containers off or leaves open a port its table closes: the "
            "iptables forms delete Docker's chains, the nftables table drops what Docker forwards, "
            "and ufw's and firewalld's rules never see a published port. Use the ruleset of "
            "{link} instead."
        ),
        "docker_page": "Servers that run Docker",
        "fail2ban_release": "Debian {version}",
        "fail2ban_release_docker": "Debian {version} with Docker",
        "fail2ban_kept": "still refused",
        "fail2ban_lost": "let in until fail2ban is reloaded",
        "usual_form": "Form",
        "usual_running": "Applied while Docker runs",
        "usual_boot": "In place before Docker starts",
        "usual_published_closed": "the web site on port {accepted} is unreachable",
        "usual_unnamed_open": "port {unnamed} is open to anyone",
        "usual_host_closed": "a port the table opens on the server itself is closed",
        "usual_containers_offline": "the containers cannot reach the internet",
        "usual_fine": "as the table says",
        "container": "a container (published port)",
        "everything_else_published": "Any other port a container publishes",
        "note_commands_docker": (
            "Paste as root on the server that runs Docker. These lines replace the {family} rules "
            "of INPUT, OUTPUT and DOCKER-USER, and leave Docker's own chains alone; connections "
            "already open, your SSH session included, are accepted before the default policy "
            "closes. Each time it starts, Docker puts the jump to DOCKER-USER first in FORWARD."
        ),
        "note_restore_docker": (
            "Save as `{path}` and load it with `{tool} --noflush`: INPUT, OUTPUT and DOCKER-USER "
            "are replaced in one step, and Docker's own chains stay. Without `--noflush`, the "
            "whole {family} filter table is replaced, Docker's chains with it."
        ),
        "note_nftables_docker": (
            "Save as a file and load it with `nft -f`: it replaces its own table "
            "(`inet {table}`), IPv4 and IPv6 together, in one step, and leaves Docker's tables "
            "alone. Its forward chain lets the containers' own connections out, and in only the "
            "published ports the table accepts."
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
        "absent_firewalld_malformed": (
            "No `firewalld` tab: firewalld's zones and rich rules match no TCP flags, so they cannot "
            "drop these malformed packets explicitly; only its direct interface can, and firewalld's "
            "own documentation marks it deprecated. firewalld does drop what connection tracking finds "
            "invalid, NULL and XMAS packets among them, but a new connection that does not start with "
            "SYN reaches its zone's rules."
        ),
        "absent_firewalld_outbound": (
            "No `firewalld` tab: firewalld's zones filter incoming traffic only, and this table "
            "filters outgoing traffic."
        ),
        "absent_ufw_docker": (
            "No `ufw` tab: on a server that runs Docker, Docker's chains come before ufw's in "
            "FORWARD and accept the published ports first, so ufw's rules never see them."
        ),
        "absent_firewalld_docker": (
            "No `firewalld` tab: Docker's own rules accept its published ports before firewalld's "
            "zones see them, and Docker changes firewalld's configuration each time it starts (its "
            "own `docker` zone). In the lab, a published port that the table does not name stayed "
            "open to anyone under firewalld."
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
        "decimal": ".",
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
        # The builder page: its form, its checks, its warnings (the script gets these words).
        "builder_file_comment": (
            "Made on the builder page of the firewall guide. Check it in the lab: save it as "
            "snippets/{file} in a copy of the guide, then run python -m fwguide verify snippets/{file}"
        ),
        "builder_own_label": "a port you added",
        "builder_services": "Services this server offers",
        "builder_services_help": "Tick what runs on the server, and choose who may reach each service.",
        "group_web": "Web",
        "group_mail": "Mail",
        "group_name-server": "Name server",
        "group_file-transfer": "File transfer",
        "group_administration": "Administration",
        "builder_source": "Who may reach {name}",
        "builder_source_any": "anyone",
        "builder_source_admin": "my administration address",
        "builder_limit": (
            "Slow SSH down: at most {connections} new connections from one address in {seconds} seconds"
        ),
        "builder_own": "Ports of your own",
        "builder_own_help": (
            "A port (8080) or a range (60000-61000), its protocol, and a short name for the table "
            "and the rule comments."
        ),
        "builder_own_name": "Name",
        "builder_own_port": "Port or range",
        "builder_own_protocol": "Protocol",
        "builder_own_source": "Who may reach it",
        "builder_own_add": "Add a port",
        "builder_own_remove": "Remove port {number}",
        "builder_own_number": "Port {number}",
        "builder_published_label": "a port your containers publish",
        "builder_docker": "Docker",
        "builder_docker_option": "This server runs Docker, and its containers publish ports (docker run -p)",
        "builder_published_help": (
            "Each port a container publishes (the first number of -p 8080:80), and who may reach "
            "it; TCP only. A port your containers publish that is not listed here stays closed from "
            "outside."
        ),
        "builder_published_add": "Add a published port",
        "builder_published_remove": "Remove published port {number}",
        "builder_published_number": "Published port {number}",
        "builder_admin": "Your administration address",
        "builder_admin_help": (
            "An address (203.0.113.7) or a network (203.0.113.0/24) for each family you administer "
            "the server over. Leave a field empty for a family you do not use: what you reserve for "
            "your address is then closed to everyone over that family."
        ),
        "builder_admin4": "IPv4 address or network",
        "builder_admin6": "IPv6 address or network",
        "builder_options": "Options",
        "builder_malformed": (
            "Drop malformed TCP packets with explicit rules (NULL, XMAS, every flag set, new "
            "connection without SYN), on top of connection tracking's INVALID rule"
        ),
        "builder_ftp": (
            "The FTP helper needs no option: picking FTP attaches it, and only to FTP's port."
        ),
        "builder_invalid": "Fix the fields marked above: no ruleset is shown until every field is valid.",
        "builder_link_copy": "Copy the link to this configuration",
        "builder_link_copied": "Link copied: it opens this page with the form as it is now.",
        "builder_link_refused": "Your browser did not allow the copy: copy the page's address instead.",
        "builder_nojs": (
            "This page builds your ruleset in your browser, and needs JavaScript for it. Without "
            "JavaScript, take a ready-made table from {link}: every block there is proven as it is."
        ),
        "builder_basics": "Firewall basics",
        "builder_datafile": (
            "The same table as a data file. Save it as `snippets/{file}` in a copy of this guide and "
            "`python -m fwguide verify snippets/{file}` applies every block above in the namespace "
            "lab and probes it."
        ),
        "builder_download_datafile": "Download the data file: {link}",
        "builder_family_left_out": (
            "No IPv{family} administration address: {names}, reserved for your address, "
            "cannot be reached over IPv{family} at all."
        ),
        "danger_title": "You can lock yourself out",
        "danger_no_ssh": (
            "SSH is not picked: once this ruleset is applied, nobody can open a new SSH session, "
            "you included. Pick SSH, unless you only ever reach the server through your "
            "provider's console."
        ),
        "danger_ssh_family": (
            "SSH is for your administration address only, and you gave no {families} address: "
            "nobody can reach SSH over {families}, you included. If you connect over {families}, "
            "type your address; otherwise make sure you always connect over the family you gave."
        ),
        "err_name_empty": "Give this port a short name.",
        "err_name_long": "At most {max} characters.",
        "err_name_char": (
            "'{char}' is not allowed: use unaccented letters, digits, space and . _ : / + -, "
            "starting with a letter or digit."
        ),
        "err_port_format": "Write a port (8080) or a range (60000-61000), digits only.",
        "err_port_range": "Port {port} is out of range: ports go from 1 to 65535.",
        "err_port_reversed": "In a range, the first port must be lower than the last.",
        "err_port_dead": (
            "This port is already open to the same sources by an earlier rule: {rules}. Remove "
            "it, or change it."
        ),
        "err_published_host": (
            "Port {port} is also opened on the server itself ({name}): one port cannot be both, "
            "Docker's proxy listens on it."
        ),
        "err_addr_invalid": "Not an IPv{family} address or network.",
        "err_addr_other_family": "This is an IPv{other} address: it goes in the IPv{other} field.",
        "err_addr_host_bits": "{typed} has host bits set: write the network ({network}) or a single address.",
        "err_addr_zone": "A zone index (%...) has no meaning in a firewall rule: remove it.",
        "err_addr_mapped": (
            "An IPv4-mapped address never reaches the IPv6 rules: write the IPv4 address in the "
            "IPv4 field."
        ),
        "builder_results_none": (
            "This build has no proof record of the page's configurations: `./dev test` writes them."
        ),
        "builder_results": (
            "The last test run applied {configs} configurations of this page in the lab, {dates}: "
            "{passed} of {records} blocks passed. A configuration's link loads it into the form."
        ),
        "builder_results_seed": (
            "`FWGUIDE_BUILDER_SEED={seed} ./dev test` draws the same configurations again."
        ),
        "builder_config": "Configuration",
        "err_link": "This link holds something the page does not know ({what}): it was left out.",
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
        "docker_warning_title": "Sur un serveur qui fait tourner Docker",
        "docker_warning": (
            "Ces blocs sont écrits pour un serveur sans Docker. Sur un serveur qui le fait tourner, "
            "chacun d'eux soit coupe les conteneurs du réseau, soit laisse ouvert un port que son "
            "tableau ferme\u00a0: les formes iptables suppriment les chaînes de Docker, la table "
            "nftables rejette ce que Docker route, et les règles d'ufw et de firewalld ne voient "
            "jamais un port publié. Utilisez plutôt le jeu de règles de la page {link}."
        ),
        "docker_page": "Serveurs qui font tourner Docker",
        "fail2ban_release": "Debian {version}",
        "fail2ban_release_docker": "Debian {version} avec Docker",
        "fail2ban_kept": "toujours refusée",
        "fail2ban_lost": "admise jusqu'au rechargement de fail2ban",
        "usual_form": "Forme",
        "usual_running": "Appliqué pendant que Docker tourne",
        "usual_boot": "En place avant le démarrage de Docker",
        "usual_published_closed": "le site web du port {accepted} est injoignable",
        "usual_unnamed_open": "le port {unnamed} est ouvert à tous",
        "usual_host_closed": "un port que le tableau ouvre sur le serveur lui-même est fermé",
        "usual_containers_offline": "les conteneurs n'atteignent plus Internet",
        "usual_fine": "conforme au tableau",
        "container": "un conteneur (port publié)",
        "everything_else_published": "Tout autre port publié par un conteneur",
        "note_commands_docker": (
            "À coller dans un shell root sur le serveur qui fait tourner Docker. Ces lignes "
            "remplacent les règles {family} des chaînes INPUT, OUTPUT et DOCKER-USER sans toucher "
            "aux chaînes de Docker\u00a0; les connexions déjà ouvertes, dont votre session SSH, sont "
            "acceptées avant que la politique par défaut ne se referme. À chaque démarrage, Docker "
            "place le saut vers DOCKER-USER en tête de FORWARD."
        ),
        "note_restore_docker": (
            "Enregistrez ce contenu dans `{path}` et chargez-le avec `{tool} --noflush`\u00a0: "
            "INPUT, OUTPUT et DOCKER-USER sont remplacées d'un seul coup, et les chaînes de Docker "
            "restent en place. Sans `--noflush`, c'est toute la table de filtrage {family} qui est "
            "remplacée, chaînes de Docker comprises."
        ),
        "note_nftables_docker": (
            "Enregistrez ce contenu dans un fichier et chargez-le avec `nft -f`\u00a0: il remplace sa "
            "propre table (`inet {table}`), IPv4 et IPv6 ensemble, d'un seul coup, sans toucher "
            "aux tables de Docker. Sa chaîne forward laisse sortir les connexions des conteneurs "
            "et n'admet que les ports publiés que le tableau accepte."
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
        "absent_firewalld_malformed": (
            "Pas d'onglet `firewalld`\u00a0: ni les zones ni les règles riches de firewalld ne testent "
            "les drapeaux TCP, elles ne peuvent donc pas détruire explicitement ces paquets malformés\u00a0; "
            "seule son interface directe le peut, et la documentation de firewalld la déclare obsolète. "
            "firewalld détruit bien ce que le suivi de connexion juge invalide, dont les paquets NULL et "
            "XMAS, mais une nouvelle connexion qui ne commence pas par SYN atteint les règles de sa zone."
        ),
        "absent_firewalld_outbound": (
            "Pas d'onglet `firewalld`\u00a0: les zones de firewalld ne filtrent que le trafic "
            "entrant, et ce tableau filtre aussi le trafic sortant."
        ),
        "absent_ufw_docker": (
            "Pas d'onglet `ufw`\u00a0: sur un serveur qui fait tourner Docker, les chaînes de Docker "
            "passent avant celles d'ufw dans FORWARD et acceptent les ports publiés les premières\u00a0: "
            "les règles d'ufw ne les voient jamais."
        ),
        "absent_firewalld_docker": (
            "Pas d'onglet `firewalld`\u00a0: les règles de Docker acceptent ses ports publiés avant "
            "que les zones de firewalld ne les voient, et Docker modifie la configuration de firewalld "
            "à chaque démarrage (sa propre zone `docker`). Dans le labo, un port publié que le tableau "
            "ne nomme pas est resté ouvert à tous sous firewalld."
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
        "decimal": ",",
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
        "builder_file_comment": (
            "Fait sur la page du générateur du guide du pare-feu. Pour l'éprouver dans le labo, "
            "enregistrez-le sous snippets/{file} dans une copie du guide, puis lancez "
            "python -m fwguide verify snippets/{file}"
        ),
        "builder_own_label": "un port ajouté par vous",
        "builder_services": "Services proposés par ce serveur",
        "builder_services_help": "Cochez ce qui tourne sur le serveur et choisissez qui peut joindre chaque service.",
        "group_web": "Web",
        "group_mail": "Messagerie",
        "group_name-server": "Serveur de noms",
        "group_file-transfer": "Transfert de fichiers",
        "group_administration": "Administration",
        "builder_source": "Qui peut joindre {name}",
        "builder_source_any": "tout le monde",
        "builder_source_admin": "mon adresse d'administration",
        "builder_limit": (
            "Ralentir SSH\u00a0: au plus {connections}\u00a0nouvelles connexions par adresse en {seconds}\u00a0secondes"
        ),
        "builder_own": "Vos propres ports",
        "builder_own_help": (
            "Un port (8080) ou une plage (60000-61000), son protocole, et un nom court pour le "
            "tableau et les commentaires des règles."
        ),
        "builder_own_name": "Nom",
        "builder_own_port": "Port ou plage",
        "builder_own_protocol": "Protocole",
        "builder_own_source": "Qui peut le joindre",
        "builder_own_add": "Ajouter un port",
        "builder_own_remove": "Retirer le port {number}",
        "builder_own_number": "Port {number}",
        "builder_published_label": "un port publié par vos conteneurs",
        "builder_docker": "Docker",
        "builder_docker_option": (
            "Ce serveur fait tourner Docker, et ses conteneurs publient des ports (docker run -p)"
        ),
        "builder_published_help": (
            "Chaque port qu'un conteneur publie (le premier nombre de -p 8080:80), et qui peut le "
            "joindre\u00a0; TCP seulement. Un port publié par vos conteneurs qui ne figure pas ici "
            "reste fermé depuis l'extérieur."
        ),
        "builder_published_add": "Ajouter un port publié",
        "builder_published_remove": "Retirer le port publié {number}",
        "builder_published_number": "Port publié {number}",
        "builder_admin": "Votre adresse d'administration",
        "builder_admin_help": (
            "Une adresse (203.0.113.7) ou un réseau (203.0.113.0/24) pour chaque famille par "
            "laquelle vous administrez le serveur. Laissez vide le champ d'une famille que vous "
            "n'utilisez pas\u00a0: ce que vous réservez à votre adresse est alors fermé à tous dans cette famille."
        ),
        "builder_admin4": "Adresse ou réseau IPv4",
        "builder_admin6": "Adresse ou réseau IPv6",
        "builder_options": "Options",
        "builder_malformed": (
            "Abandonner (DROP) les paquets TCP malformés par des règles explicites (NULL, XMAS, tous "
            "les drapeaux, nouvelle connexion sans SYN), en plus de la règle INVALID du suivi de connexion"
        ),
        "builder_ftp": (
            "Le module de suivi FTP n'est pas une option\u00a0: cocher FTP l'attache, et seulement au port de FTP."
        ),
        "builder_invalid": (
            "Corrigez les champs signalés plus haut\u00a0: aucun jeu de règles n'est affiché tant "
            "qu'un champ est invalide."
        ),
        "builder_link_copy": "Copier le lien vers cette configuration",
        "builder_link_copied": "Lien copié\u00a0: il ouvre cette page avec le formulaire tel qu'il est maintenant.",
        "builder_link_refused": "Votre navigateur n'a pas permis la copie\u00a0: copiez l'adresse de la page.",
        "builder_nojs": (
            "Cette page construit votre jeu de règles dans votre navigateur, et il lui faut "
            "JavaScript pour cela. Sans JavaScript, prenez une table toute prête dans {link}\u00a0: "
            "chaque bloc y est éprouvé tel quel."
        ),
        "builder_basics": "Les bases du pare-feu",
        "builder_datafile": (
            "La même table en fichier de données. Enregistrez-la sous `snippets/{file}` dans une "
            "copie de ce guide\u00a0: `python -m fwguide verify snippets/{file}` applique chaque bloc "
            "ci-dessus dans le labo d'espaces de noms et le sonde."
        ),
        "builder_download_datafile": "Télécharger le fichier de données\u00a0: {link}",
        "builder_family_left_out": (
            "Pas d'adresse d'administration IPv{family}\u00a0: {names}, réservé à votre adresse, "
            "n'est joignable par personne en IPv{family}."
        ),
        "danger_title": "Attention à ne pas perdre l'accès",
        "danger_no_ssh": (
            "SSH n'est pas coché\u00a0: une fois ce jeu de règles appliqué, personne ne peut ouvrir "
            "de nouvelle session SSH, vous compris. Cochez SSH, sauf si vous passez toujours par la "
            "console de votre hébergeur."
        ),
        "danger_ssh_family": (
            "SSH est réservé à votre adresse d'administration, et vous n'avez donné aucune adresse "
            "{families}\u00a0: personne ne peut joindre SSH en {families}, vous compris. Si vous vous "
            "connectez en {families}, saisissez votre adresse\u00a0; sinon, connectez-vous toujours "
            "par la famille que vous avez donnée."
        ),
        "err_name_empty": "Donnez un nom court à ce port.",
        "err_name_long": "{max}\u00a0caractères au plus.",
        "err_name_char": (
            "«\u00a0{char}\u00a0» n'est pas permis\u00a0: lettres sans accent, chiffres, espace et "
            ". _ : / + -, en commençant par une lettre ou un chiffre."
        ),
        "err_port_format": "Saisissez un port (8080) ou une plage (60000-61000), en chiffres seulement.",
        "err_port_range": "Le port {port} est hors limites\u00a0: les ports vont de 1 à 65535.",
        "err_port_reversed": "Dans une plage, le premier port doit être inférieur au dernier.",
        "err_port_dead": (
            "Ce port est déjà ouvert aux mêmes sources par une règle précédente\u00a0: {rules}. "
            "Retirez-le ou modifiez-le."
        ),
        "err_published_host": (
            "Le port {port} est aussi ouvert sur le serveur lui-même ({name})\u00a0: un port ne peut "
            "pas être les deux, le proxy de Docker écoute dessus."
        ),
        "err_addr_invalid": "Ce n'est pas une adresse ou un réseau IPv{family}.",
        "err_addr_other_family": "C'est une adresse IPv{other}\u00a0: elle va dans le champ IPv{other}.",
        "err_addr_host_bits": (
            "{typed} a des bits d'hôte à 1\u00a0: écrivez le réseau ({network}) ou une seule adresse."
        ),
        "err_addr_zone": "Un identifiant de zone (%...) n'a pas de sens dans une règle de pare-feu\u00a0: retirez-le.",
        "err_addr_mapped": (
            "Une adresse IPv4 mappée n'atteint jamais les règles IPv6\u00a0: écrivez l'adresse IPv4 dans le champ IPv4."
        ),
        "builder_results_none": (
            "Cette construction n'a aucun résultat d'épreuve des configurations de la page\u00a0: "
            "`./dev test` les écrit."
        ),
        "builder_results": (
            "Le dernier passage des tests a appliqué {configs}\u00a0configurations de cette page dans "
            "le labo, {dates}\u00a0: {passed} blocs sur {records} ont réussi. Le lien d'une "
            "configuration la charge dans le formulaire."
        ),
        "builder_results_seed": (
            "`FWGUIDE_BUILDER_SEED={seed} ./dev test` tire à nouveau les mêmes configurations."
        ),
        "builder_config": "Configuration",
        "err_link": "Ce lien contient un élément que la page ne connaît pas ({what})\u00a0: il a été ignoré.",
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
