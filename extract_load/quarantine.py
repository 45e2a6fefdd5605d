"""The dead-letter table shared by every source: `raw_quarantine.quarantined_records`.

A record we cannot use is kept with its source, the reason, the original payload untouched and
where it came from. Rows are keyed by a hash of (source, origin, payload), so re-reading the same
broken input never adds it twice.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

QUARANTINE_DATASET = "raw_quarantine"
QUARANTINE_TABLE = "quarantined_records"


@dataclass
class Quarantine:
    """Collects the records of one source's load that could not be used."""

    source: str
    records: list[dict[str, str]] = field(default_factory=list)

    def add(self, reason: str, payload: str, origin: str) -> None:
        digest = hashlib.sha256(f"{self.source}\x1f{origin}\x1f{payload}".encode()).hexdigest()
        self.records.append(
            {
                "quarantine_id": digest,
                "source": self.source,
                "reason": reason,
                "payload": payload,
                "origin": origin,
                "quarantined_at": datetime.now(UTC).isoformat(),
            }
        )

    def reasons(self) -> Counter[str]:
        return Counter(record["reason"] for record in self.records)


def as_json(record: object) -> str:
    """The original payload of an API record, as text."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
