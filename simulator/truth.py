"""Ground truth: what really happened behind every raw record, written beside the sources.

``<scenario>/truth/day-NNNN.jsonl`` holds one JSON object per raw record delivered on day NNNN
(fields in ``TruthRecord``). A later day can restate a record (a corrected re-delivery): when
loading, the last statement of each (channel, key) wins.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class TruthRecord:
    channel: str  # social | sms | call_center | web_form
    key: str  # the source's natural key (tweet id, SMS sid, "<call_id>:<event>", submission id)
    occurred_at: datetime  # UTC
    is_complaint: bool  # a complaint contact that is not noise
    noise: str | None  # why it is not a complaint (retweet, own_reply, praise, debug_heartbeat...)
    quarantine: str | None  # why a correct extractor must quarantine it (e.g. cut_off_line)
    customer_id: int | None  # the true CRM customer behind it (None: not a customer)
    category: str | None  # the true category code (simulator/README.md)
    complaint_id: str | None  # the complaint it belongs to: records sharing it are one complaint
    incident_id: str | None  # the network incident that caused it
    origin: str  # file and line, or API day file, for humans chasing a record

    @property
    def day(self) -> str:
        return self.occurred_at.date().isoformat()


class TruthWriter:
    """Appends the truth of one delivery day."""

    def __init__(self, folder: Path, day: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = (folder / f"day-{day:04d}.jsonl").open("w", encoding="utf-8")

    def record(
        self,
        channel: str,
        key: str,
        occurred_at: datetime,
        *,
        origin: str,
        is_complaint: bool = False,
        noise: str | None = None,
        quarantine: str | None = None,
        customer_id: int | None = None,
        category: str | None = None,
        complaint_id: str | None = None,
        incident_id: str | None = None,
    ) -> None:
        row = {
            "channel": channel,
            "key": key,
            "occurred_at": occurred_at.astimezone(UTC).isoformat(),
            "is_complaint": is_complaint and noise is None,
            "noise": noise,
            "quarantine": quarantine,
            "customer_id": customer_id,
            "category": category,
            "complaint_id": complaint_id,
            "incident_id": incident_id,
            "origin": origin,
        }
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self._file.close()


def iter_truth(folder: Path) -> Iterator[TruthRecord]:
    """Every statement in delivery order (restatements included)."""
    for path in sorted(folder.glob("day-*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                row["occurred_at"] = datetime.fromisoformat(row["occurred_at"])
                yield TruthRecord(**row)


def load_truth(folder: Path) -> dict[tuple[str, str], TruthRecord]:
    """The truth of every raw record, keyed by (channel, key); the latest statement wins."""
    return {(record.channel, record.key): record for record in iter_truth(folder)}
