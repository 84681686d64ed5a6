"""The suite's breakdown (issue 24): spans are written only when asked, and summed as they should be."""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

from fwguide.lab import timing
from support import ROOT, SHORT, balanced_order

sys.path.insert(0, str(ROOT / "benchmarks"))

import breakdown  # noqa: E402


def test_nothing_is_written_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(timing.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with timing.span("apply", "x"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_span_is_one_line_in_the_process_file(tmp_path, monkeypatch):
    monkeypatch.setenv(timing.ENV, str(tmp_path))

    @timing.timed("dump")
    def listed():
        return "ruleset"

    assert listed() == "ruleset"
    with timing.span("apply", "block"):
        pass
    [path] = tmp_path.iterdir()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(s["kind"], s["what"]) for s in lines] == [("dump", "listed"), ("apply", "block")]
    assert all(s["seconds"] >= 0 and s["start"] > 1e9 for s in lines)


def test_wall_time_is_the_union_of_intervals():
    assert breakdown.union([]) == 0
    assert breakdown.union([(0, 2), (1, 3), (5, 6)]) == 4  # overlapping, then apart
    assert breakdown.union([(0, 10), (2, 3)]) == 10  # one inside another


def test_the_summary_sums_worker_seconds_and_wall_time(tmp_path):
    spans = [
        {"kind": "test:test", "what": "tests/test_a.py::one", "start": 100.0, "seconds": 4.0, "pid": 1},
        {"kind": "test:test", "what": "tests/test_a.py::two", "start": 101.0, "seconds": 4.0, "pid": 2},
        {"kind": "test:browser", "what": "tests/test_b.py::three", "start": 105.0, "seconds": 1.0, "pid": 2},
        {"kind": "window", "what": "observed 6", "start": 102.0, "seconds": 0.5, "pid": 2},
        {"kind": "probes", "what": "observed 6", "start": 101.5, "seconds": 0.5, "pid": 2},
        {"kind": "scenario", "what": "run_scenario", "start": 101.0, "seconds": 3.0, "pid": 2},
    ]
    (tmp_path / "1.jsonl").write_text("".join(json.dumps(s) + "\n" for s in spans))
    s = breakdown.summarise(tmp_path)
    assert s["wall"] == 6 and s["tests"] == 3 and s["worker_seconds"] == 9
    assert s["files"][0] == ("tests/test_a.py", 2, 8.0, 5.0)
    kinds = {k[0]: k[2:] for k in s["kinds"]}
    assert kinds["window"] == (1, 0.5, 0.5) and kinds["test:browser"] == (1, 1.0, 1.0)
    assert s["probes"] == 12 and s["proofs"] == 1
    # The window (at 102, worker 2) falls in test two (101 to 105), not in three (105 to 106).
    assert s["waiting"] == {"tests/test_a.py::one": 0, "tests/test_a.py::two": 0.5, "tests/test_b.py::three": 0}
    # Worker 1 ended at 104, worker 2 at 106: worker 1 idled 2 s at the end.
    assert s["workers"] == [(4.0, 2.0), (5.0, 0.0)]
    table = breakdown.markdown(s, "t")
    assert "| `tests/test_a.py` | 2 | 8.0 s | 89 % | 5.0 s |" in table


def test_cpu_samples_are_summed_per_program():
    """perf's process names (15 characters at most) go to their program; each sample is
    1/frequency of a CPU-second; a name no program claims is "other", not dropped."""
    comms = ["chromium-headle", "ThreadPoolForeg", "Chrome_ChildIOT", "node-MainThread", "python", "python3", "ufw",
             "ufw-init", "iptables", "ip6tables-resto", "nft", "firewall-cmd", "dockerd", "exe", "runc:[2:INIT]",
             "f2b/a.sshd", "fail2ban-client", "ip", "nsenter", "ksoftirqd/0", "swapper", "swapper", "no-such-tool"]
    seconds = breakdown.cpu_from_comms(comms, frequency=2)
    assert seconds == {"chromium": 2.0, "python": 1.0, "ufw": 1.0, "iptables, nftables": 1.5, "firewalld": 0.5,
                       "docker": 1.5, "fail2ban": 1.0, "lab plumbing": 1.0, "kernel": 0.5, "idle": 1.0, "other": 0.5}
    assert sum(seconds.values()) == len(comms) / 2
    table = breakdown.cpu_markdown(seconds, wall=5.0, cpus=2)
    assert "| chromium | " in table and "| 2 s | 17 % |" in table  # 2 of 11.5 sampled seconds


def test_the_kinds_of_tests_go_out_side_by_side_each_longest_first():
    def item(name: str, *fixtures: str):
        return SimpleNamespace(nodeid=name, fixturenames=["request", *fixtures])

    # As in the suite: the tests that wait are the longest, the browser tests the shortest.
    browser = [item(f"b{n}", "page", "browser") for n in range(3)]
    proofs = [item(f"p{n}", "lab_mode") for n in range(3)]
    waits = [item(f"w{n}", "lab_mode") for n in range(3)]
    from_page = item("p-from-page", "browser", "lab_mode")  # a proof whose block comes from the page
    unknown = item("p-unlisted", "lab_mode")  # shorter than what durations.json lists
    known = {"b0": [4, 0], "b1": [5, 0], "b2": [3, 0], "p0": [8, 1], "p1": [10, 2], "p2": [6, 0],
             "w0": [35, 30], "w1": [40, 31], "w2": [30, 15], "p-from-page": [5, 1]}
    items = [*browser, *proofs, *waits, from_page, unknown]
    order = [i.nodeid for i in balanced_order(items, known)]
    assert sorted(order) == sorted(i.nodeid for i in items)
    # Longest first within each kind: browser tests; proofs (the one from the page included,
    # the unlisted one last); tests that waited at least half their time.
    assert [n for n in order if n[0] == "b"] == ["b1", "b0", "b2"]
    assert [n for n in order if n[0] == "p"] == ["p1", "p0", "p2", "p-from-page", "p-unlisted"]
    assert [n for n in order if n[0] == "w"] == ["w1", "w0", "w2"]

    def side_by_side(order: list[str]) -> bool:
        """The first three are one of each kind, and each kind's last test goes out in the
        last third, not once the other kinds are done."""
        last = {kind: max(i for i, n in enumerate(order) if n[0] == kind) for kind in "bpw"}
        return {n[0] for n in order[:3]} == set("bpw") and min(last.values()) >= len(order) * 2 // 3

    assert side_by_side(order), order
    # The control: longest first alone hands out the waiting tests first, the browser tests last.
    longest = sorted(items, key=lambda i: -known.get(i.nodeid, [SHORT])[0])
    assert not side_by_side([i.nodeid for i in longest])
