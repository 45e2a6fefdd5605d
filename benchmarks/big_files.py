"""Peak memory and rate of loading one big landed file per file source: memory must follow the
batch size, not the file size.

    uv run python benchmarks/big_files.py --rows 1000000

Writes one call-centre log of N lines and one web-form export of N rows (distinct keys, the
sources' usual fields, quoted text with commas), loads each with `beejan load <source>` in a
process of its own into a scratch database, and prints rows, seconds, rows/s, the file's size and
the load process's peak RSS; appends them to benchmarks/results/big_files.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from end_to_end import run_stage
from record import append_results
from scratch import scratch_databases

START = datetime(2026, 11, 20, tzinfo=UTC)
FILES = {  # source -> the landed file's path under the landing folder
    "call_center": "call_center/2026/11/20/calls_LAG1_2026112000.log",
    "web_forms": "web_forms/web_complaints_20261120.csv",
}
WEB_FORM_HEADER = "submission_id,submitted_at,full_name,email,phone,category,message\r\n"


def call_line(number: int) -> str:
    moment = START + timedelta(milliseconds=number)
    return (
        f"ts={moment:%Y-%m-%dT%H:%M:%S.%f}+00:00 level=INFO site=LAG1 event=call_closed "
        f"call_id=C-{number:09d} agent_id=A-{number % 300} caller=0905{number % 10**7:07d} "
        f"duration_s={number % 900} queue=general disposition=complaint reason_code=NET-01 "
        f'notes="No signal in Ikeja since morning, \\"urgent\\" (case {number})"\n'
    )


def web_form_row(number: int) -> str:
    moment = START + timedelta(seconds=number)
    return (
        f"WF-{number:09d},{moment:%Y-%m-%dT%H:%M:%SZ},Ada Obi {number},ada{number}@example.ng,"
        f'0803{number % 10**7:07d},Network,"No signal since Monday, line {number}."\r\n'
    )


def write_file(path: Path, header: str, row: Callable[[int], str], rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as landed:
        landed.write(header)
        for start in range(0, rows, 50_000):
            landed.write("".join(map(row, range(start, min(start + 50_000, rows)))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in each file")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="beejan-big-files-"))
    write_file(root / "landing" / FILES["call_center"], "", call_line, args.rows)
    write_file(root / "landing" / FILES["web_forms"], WEB_FORM_HEADER, web_form_row, args.rows)

    table = []
    with scratch_databases() as (target, _):
        env = os.environ | {
            "BEEJAN_WAREHOUSE_DSN": target.dsn(),
            "BEEJAN_DATA_DIR": str(root / "state"),
            "BEEJAN_LANDING_DIR": str(root / "landing"),
            "BEEJAN_ENVIRONMENT": "ci",
        }
        for source, path in FILES.items():
            mib = (root / "landing" / path).stat().st_size / 2**20
            seconds, peak_mib, outcome = run_stage(source, ["load", source], env)
            rate = args.rows / seconds
            measured = [f"{mib:,.0f}", f"{seconds:,.1f}", f"{rate:,.0f}", f"{peak_mib:,.0f}"]
            table.append([source, f"{args.rows:,}", *measured, outcome])
            print(" | ".join(table[-1]), flush=True)
    append_results(
        "big_files",
        "One big landed file per file source (benchmarks/big_files.py)",
        f"{args.rows:,} rows a file",
        ["source", "rows", "file MiB", "load s", "rows/s", "peak RSS MiB", "outcome"],
        table,
    )


if __name__ == "__main__":
    main()
