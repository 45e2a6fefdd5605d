"""How far the marts tell the truth about a simulated month: the accuracy report, kept.

    uv run python benchmarks/accuracy.py --days 30 --scale 100 --seed 7

Plays the scenario as production would (a load every six days, builds halfway and at the end)
into a scratch database, prints the report of `beejan simulate accuracy`, and appends it to
benchmarks/results/accuracy.md with the date, commit and machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from scratch import scratch_databases

from simulator.accuracy import measure
from simulator.live import live
from simulator.production import play
from simulator.scenario import Scenario, ScenarioConfig

RESULTS = Path(__file__).parent / "results" / "accuracy.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--scale", type=int, default=100, help="complaints per day")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    root = Path(tempfile.mkdtemp(prefix="beejan-accuracy-"))
    started = time.perf_counter()
    with scratch_databases() as (target, crm):
        scenario = Scenario(root / "scenario", ScenarioConfig(args.seed, args.scale), crm)
        scenario.advance(1)
        with live(scenario) as running:
            settings = running.settings(_env_file=None, data_dir=root / "data", environment="ci")
            play(running, target, settings, args.days, build_after=lambda day: day == 13)
        report = measure(scenario, target, "ci_marts")
    minutes = (time.perf_counter() - started) / 60

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit or '?'}, "
        f"{os.cpu_count()} cores",
        "",
        f"{args.days} days, {args.scale} complaints/day, seed {args.seed}; "
        f"played, loaded and built in {minutes:.1f} min.",
        "",
        "| measure | value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in report.rows()),
        "",
    ]
    print("\n".join(lines))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
