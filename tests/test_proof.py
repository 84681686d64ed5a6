"""Proof records read back (fwguide/proof.py) and the words around them (fwguide/render/proven.py),
with no MkDocs: what a record must hold, which record wins, and when a block is proven."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from fwguide import proof
from fwguide.errors import DataError
from fwguide.releases import releases
from fwguide.render import proven

TEXT = "nft flush ruleset\n"  # a block as rendered; the reader copies it without the final newline
SHA = hashlib.sha256(b"nft flush ruleset").hexdigest()


def record(**changes) -> dict:
    """A valid record of the nftables block of basics.md's inbound-minimum table, with Debian 12."""
    data = {
        "schema": 1, "sha256": SHA, "page": "basics.md", "table": "inbound-minimum", "frontend": "nftables",
        "release": "bookworm", "release_version": "12", "backend": None,
        "tools": {"iptables": "1.8.9", "nftables": "1.0.6", "ufw": "0.36.2", "firewalld": "1.3.3"},
        "packages": {"iptables": "1.8.9-2", "nftables": "1.0.6-2+deb12u2"},
        "kernel": "6.18.44-fc-v669",
        "probes": {"ipv4/tcp": 40, "ipv4/udp": 12, "ipv6/tcp": 40, "ipv6/udp": 12},
        "probes_total": 104, "probes_failed": 0, "crafted": {"total": 6, "failed": 0},
        "result": "pass", "failures": [], "date": "2026-11-21T10:12:03Z", "seconds": 1.84,
    }
    data.update(changes)
    return data


def write(directory: Path, name: str, data) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def every_release(**changes) -> list[dict]:
    """The same block passing with every release of releases.toml."""
    return [record(release=r.codename, release_version=r.version, **changes) for r in releases()]


def evidence(tmp_path: Path, records: list[dict]) -> proof.Evidence:
    for i, data in enumerate(records):
        write(tmp_path, f"run/{i}.json", data)
    return proof.Evidence(proof.load_records(tmp_path, tmp_path))


BLOCK = proof.block("basics.md", "inbound-minimum", "nftables", TEXT)


def test_the_hash_is_of_the_copied_text_without_its_final_newline():
    assert BLOCK.sha256 == SHA
    assert proof.block("basics.md", "t", "ufw", TEXT + "\n").sha256 != SHA


def test_a_docker_host_record_names_dockers_packages_and_version(tmp_path):
    """Debian package names may hold dots (docker.io); its proof line names the Docker it ran with."""
    docker = {"tools": {**record()["tools"], "docker": "20.10.24"},
              "packages": {**record()["packages"], "docker.io": "20.10.24+dfsg1-1+deb12u1+b6"}}
    status = evidence(tmp_path, every_release(**docker)).status(BLOCK)
    assert status.proven
    line = proven.proof_line(status, "en", "proof/")
    assert line.count("Docker 20.10.24") == 1, line


def test_records_are_read_from_subdirectories_and_a_missing_directory_has_none(tmp_path):
    write(tmp_path, "a/b/one.json", record())
    write(tmp_path, "notes.txt", "not a record")
    assert [r.path for r in proof.load_records(tmp_path, tmp_path)] == ["a/b/one.json"]
    assert proof.load_records(tmp_path / "absent", tmp_path) == []


def test_a_block_passing_with_every_release_is_proven(tmp_path):
    status = evidence(tmp_path, every_release()).status(BLOCK)
    assert status.proven
    assert [r.release for r in status.records] == [r.codename for r in releases()]


@pytest.mark.parametrize("records, problem, where", [
    ([], "no-record", None),
    (every_release(sha256="0" * 64), "changed", 0),
    (every_release()[:-1], "missing", -1),
    ([*every_release()[:-1], record(release=releases()[-1].codename, release_version=releases()[-1].version,
                                    result="fail", probes_failed=1, failures=["anyone -> server IPv4 22/tcp"])],
     "failed", -1),
])
def test_a_block_is_not_proven_and_the_reason_is_given(tmp_path, records, problem, where):
    status = evidence(tmp_path, records).status(BLOCK)
    assert not status.proven
    assert status.problem == problem
    assert status.release == (None if where is None else releases()[where])


def test_the_newest_record_of_a_key_wins_whatever_the_file_order(tmp_path):
    last = releases()[-1]
    older_pass = record(release=last.codename, release_version=last.version, date="2026-11-20T09:00:00Z")
    newer_fail = record(release=last.codename, release_version=last.version, date="2026-11-21T09:00:00Z",
                        result="fail", failures=["x"])
    records = [*every_release()[:-1], newer_fail, older_pass]  # the older one is written last
    assert evidence(tmp_path / "1", records).status(BLOCK).problem == "failed"
    newer_pass = dict(older_pass, date="2026-11-22T09:00:00Z")
    assert evidence(tmp_path / "2", [*records, newer_pass]).status(BLOCK).proven


def test_an_iptables_block_needs_both_backends_for_every_release(tmp_path):
    block = proof.block("basics.md", "inbound-minimum", "rules.v4", TEXT)
    nft_only = every_release(frontend="rules.v4", backend="nft")
    status = evidence(tmp_path / "1", nft_only).status(block)
    assert (status.problem, status.release, status.backend) == ("missing", releases()[0], "legacy")
    both = nft_only + every_release(frontend="rules.v4", backend="legacy")
    assert evidence(tmp_path / "2", both).status(block).proven


def test_records_of_another_page_table_or_front_end_prove_nothing(tmp_path):
    for i, change in enumerate(({"page": "iptables.md"}, {"table": "inbound-optional"}, {"frontend": "ufw"})):
        assert evidence(tmp_path / str(i), every_release(**change)).status(BLOCK).problem == "no-record"


def test_the_strict_check_names_each_block_and_why(tmp_path):
    shown = [("docs/en/basics.md", BLOCK), ("docs/en/basics.md", proof.block("basics.md", "x", "ufw", "y\n"))]
    lines = proof.unproven(evidence(tmp_path, every_release()), shown)
    assert lines == ["docs/en/basics.md: table x, front-end ufw: not proven: no test record for this block"]


# Malformed records: `path: what is wrong`, never a traceback


MALFORMED = {
    "not JSON": ('{"schema": 1,', "is not valid JSON: Expecting property name enclosed in double quotes "
                                  "(line 1, column 14)"),
    "a list": ("[]", "a proof record is a JSON object, not a list"),
    "no schema": ({"sha256": SHA}, "has no 'schema': not a proof record (this build reads schema 1)"),
    "schema 2": (record(schema=2), "schema 2 is not one this build reads (it reads schema 1)"),
    "missing field": ({k: v for k, v in record().items() if k != "kernel"}, "missing field 'kernel'"),
    "short hash": (record(sha256="abc"), "'sha256' must be 64 lowercase hexadecimal digits (got \"abc\")"),
    "unknown front-end": (record(frontend="pf"), "'frontend' must be one of iptables, ip6tables, rules.v4, "
                                                 "rules.v6, nftables, ufw, firewalld (got \"pf\")"),
    "backend for nftables": (record(backend="nft"), "'backend' must be null for front-end nftables (got \"nft\")"),
    "no backend for iptables": (record(frontend="iptables"),
                                "'backend' must be \"nft\" or \"legacy\" for front-end iptables (got null)"),
    "wrong release version": (record(release_version="13"),
                              "'release_version' 13 does not match bookworm, which is Debian 12"),
    "tool missing": (record(tools={"iptables": "1.8.9"}),
                     "'tools' has no version of nftables, the tool front-end nftables runs"),
    "probes do not add up": (record(probes_total=100), "'probes_total' is 100, but 'probes' add up to 104"),
    "pass with failures": (record(probes_failed=2), "'result' is pass, but the record counts failures"),
    "local time": (record(date="2026-11-21T10:12:03+01:00"),
                   "'date' must be a UTC date and time in ISO 8601, like 2026-11-21T10:12:03Z "
                   "(got \"2026-11-21T10:12:03+01:00\")"),
    "a string for a number": (record(seconds="1.8"), "'seconds' must be a number, not a string"),
    "true for a count": (record(probes_failed=True), "'probes_failed' must be a whole number, not true or false"),
    "NaN": ('{"schema": 1, "seconds": NaN}', "is not valid JSON: NaN is not a number JSON allows"),
    "not UTF-8": (b'{"schema": 1, "page": "\xff"}', "is not UTF-8 text"),
    "negative seed": (record(seed=-4), "'seed' must be a whole number, 0 or more (got -4)"),
    "a string for a seed": (record(seed="12"), "'seed' must be a whole number, not a string"),
    "a bad fragment": (record(fragment="s=ssh<b>"), "'fragment' must be a builder page configuration, "
                                                     "percent-encoded (got \"s=ssh<b>\")"),
}


@pytest.mark.parametrize("content, message", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_record_names_its_file_and_what_is_wrong(tmp_path, content, message):
    write(tmp_path, "proof/bad.json", content)
    with pytest.raises(DataError) as caught:
        proof.load_records(tmp_path / "proof", tmp_path)
    assert str(caught.value) == f"proof/bad.json: {message}"


def test_settings_come_from_the_environment(tmp_path):
    assert proof.settings({}, tmp_path) == (tmp_path / "test-artifacts/proof", False)
    assert proof.settings({"FWGUIDE_PROOF_DIR": "runs/7", "FWGUIDE_REQUIRE_PROOF": "1"}, tmp_path) == (
        tmp_path / "runs/7", True)
    assert proof.settings({"FWGUIDE_PROOF_DIR": "/srv/proof"}, tmp_path)[0] == Path("/srv/proof")
    with pytest.raises(DataError, match=r"^FWGUIDE_REQUIRE_PROOF: must be 1 \(every block proven\) or 0, not 'yes'$"):
        proof.settings({"FWGUIDE_REQUIRE_PROOF": "yes"}, tmp_path)


# Words


@pytest.mark.parametrize("lang, day, expected", [
    ("en", 21, "21 Nov 2026"), ("fr", 21, "21 novembre 2026"), ("en", 1, "1 Nov 2026"), ("fr", 1, "1er novembre 2026"),
])
def test_dates_are_written_as_each_language_does(lang, day, expected):
    assert proven.date(lang, datetime(2026, 11, day, 23, 59, tzinfo=timezone.utc)) == expected


@pytest.mark.parametrize("lang, number, expected", [
    ("en", 1, "1 probe"), ("en", 0, "0 probes"), ("en", 1212, "1,212 probes"),
    ("fr", 1, "1\u00a0sonde"), ("fr", 0, "0\u00a0sonde"), ("fr", 1212, "1\u202f212\u00a0sondes"),
])
def test_probe_counts_agree_and_group_thousands(lang, number, expected):
    assert proven.count(lang, "probe_count", number) == expected


def test_the_proof_line_of_a_failed_block_names_the_release_and_backend(tmp_path):
    first = releases()[0]
    records = every_release(frontend="rules.v4", backend="nft")
    records += every_release(frontend="rules.v4", backend="legacy")
    records[len(releases())] = dict(records[len(releases())], result="fail", failures=["x"])
    block = proof.block("basics.md", "inbound-minimum", "rules.v4", TEXT)
    status = evidence(tmp_path, records).status(block)
    assert proven.proof_line(status, "en", "../proof/") == (
        f'<a href="../proof/">Not proven</a>: its last test failed with Debian {first.version} tools '
        "(legacy backend)\n{: .fw-proof }")


# The builder page's results: the configurations of the last run only


def builder_record(table: str, frontend: str, release, date: str, seed: int | None, **changes) -> dict:
    backend = "nft" if frontend in ("iptables", "rules.v4") else None
    return record(page="builder.md", table=table, frontend=frontend, backend=backend, release=release.codename,
                  release_version=release.version, date=date, fragment=f"s=ssh&a4=192.0.2.{len(table)}",
                  **({"seed": seed} if seed is not None else {}), **changes)


def result_rows(markdown: str) -> list[list[str]]:
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in markdown.splitlines()
            if line.startswith("|")]
    return rows[2:]  # without the header and its rule


def test_the_builder_results_show_the_newest_run_only(tmp_path):
    from fwguide.render.builder import results

    first, last = releases()[0], releases()[-1]
    older = [  # an earlier run drew other configurations under the same names
        builder_record("builder-random-01", "firewalld", first, "2026-11-20T09:00:00Z", 7, result="fail",
                       failures=["x"], probes_failed=1),
        builder_record("builder-random-02", "ufw", first, "2026-11-20T09:00:01Z", 7),
        builder_record("builder-random-03", "nftables", first, "2026-11-20T09:00:02Z", None),
    ]
    newest = [  # one run in two CI jobs, one per release, sharing the seed
        builder_record("builder-random-01", "nftables", first, "2026-11-21T10:00:00Z", 9),
        builder_record("builder-ssh-alone", "iptables", last, "2026-11-21T10:05:00Z", 9),
    ]
    text = results(evidence(tmp_path, older + newest), "en", "")
    rows = result_rows(text)
    assert [(row[1], row[2]) for row in rows] == [("nftables", first.version), ("iptables", last.version)]
    assert [row[-1] for row in rows] == ["passed", "passed"]
    assert 'href="#s=ssh&amp;a4=192.0.2.17"' in rows[0][0] and ">builder-random-01<" in rows[0][0]
    assert "2 configurations" in text and "2 of 2 blocks passed" in text
    assert "`FWGUIDE_BUILDER_SEED=9 ./dev test`" in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_builder_results_say_when_there_is_no_record(tmp_path, lang):
    from fwguide.render.builder import results

    others = evidence(tmp_path, every_release())  # records of other pages only
    expected = {"en": "This build has no proof record", "fr": "Cette construction n'a aucun résultat"}[lang]
    assert results(others, lang, "").startswith(expected)
    assert results(None, lang, "").startswith(expected)
