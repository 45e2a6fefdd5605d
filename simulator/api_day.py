"""What the two API channels share when rendering a day: a JSON-lines file the API serves,
a random stream of their own, and the rule that nothing happens after the day's end."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

from simulator.truth import TruthWriter
from simulator.world import World


class ApiDay:
    def __init__(
        self, channel: str, world: World, day: int, folder: Path, truth: TruthWriter
    ) -> None:
        self.world = world
        self.day = day
        self.rng = random.Random(f"{world.seed}:{day}:{channel}")
        self.truth = truth
        # Reactions and follow-ups later than the day's end are left out: the day is what the
        # API serves when the scenario clock stands at its end.
        self.last_moment = world.day_start(day + 1) - timedelta(seconds=1)
        self.origin = f"api/{channel}/day-{day:04d}.jsonl"
        folder.mkdir(parents=True, exist_ok=True)
        self._file = (folder / f"day-{day:04d}.jsonl").open("w", encoding="utf-8")

    def write(self, record: dict[str, object]) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._file.close()
