"""Generate a large scenario and print how fast and in how much memory.

    uv run python benchmarks/simulate_scale.py --complaints 1000000 --days 10

Memory must stay bounded by one day, not grow with the scenario: the script prints the peak RSS
after the first day and at the end, and their ratio. The CRM is left out unless --crm is given
(it needs the warehouse).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from simulator.scenario import Scenario, ScenarioConfig
from simulator.truth import iter_truth


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=1_000_000, help="about this many in all")
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--crm", action="store_true", help="also write the CRM (warehouse needed)")
    parser.add_argument("--keep", type=Path, help="generate here and keep the files")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="beejan-sim-"))
    crm = None
    if args.crm:
        from beejan.core.warehouse import crm_connection

        crm = crm_connection()
    scenario = Scenario(
        root, ScenarioConfig(seed=args.seed, scale=args.complaints // args.days), crm
    )
    started = time.perf_counter()
    after_first_day = 0.0

    def progress(days_done: int, _scale: int) -> None:
        nonlocal after_first_day
        after_first_day = after_first_day or peak_rss_mib()
        print(
            f"day {days_done}/{args.days}: {time.perf_counter() - started:7.1f} s, "
            f"peak RSS {peak_rss_mib():7.1f} MiB",
            flush=True,
        )

    scenario.advance(args.days, progress=progress)
    elapsed = time.perf_counter() - started
    complaints = sum(1 for record in iter_truth(root / "truth") if record.is_complaint)
    records = sum(1 for _ in iter_truth(root / "truth"))
    size = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    print(f"complaint records : {complaints:,}")
    print(f"raw records       : {records:,} ({size / 2**20:,.0f} MiB on disk)")
    print(f"time              : {elapsed:,.1f} s ({records / elapsed:,.0f} records/s)")
    print(
        f"peak RSS          : {peak_rss_mib():,.1f} MiB after {args.days} days, "
        f"{after_first_day:,.1f} MiB after day 1 (ratio {peak_rss_mib() / after_first_day:.2f})"
    )
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
