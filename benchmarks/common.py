"""What the benchmark scripts share."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write_report(lines: list[str], path: Path) -> int:
    """Write a Markdown report (and print it); the scripts' exit status."""
    report = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report)
    print(report)
    return 0
