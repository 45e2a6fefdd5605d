"""Results of a benchmark, appended as a Markdown table to its file under benchmarks/results/,
headed by when and on what machine they were measured."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def machine() -> str:
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory_gib:.0f} GiB"


def append_results(
    name: str, title: str, setup: str, columns: list[str], rows: list[list[object]]
) -> Path:
    """Append a table of `rows` to benchmarks/results/<name>.md (created with `title`)."""
    path = RESULTS / f"{name}.md"
    lines = [
        f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {machine()}; {setup}\n",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(map(str, row)) + " |" for row in rows),
    ]
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        path.write_text(f"# {title}\n")
    with path.open("a") as results:
        results.write("\n".join(lines) + "\n")
    print(f"appended to {path}")
    return path
