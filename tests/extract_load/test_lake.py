"""The spark engine's raw layer read back from the Parquet files dlt lands in a real lake
folder: what a load quarantined for the first time."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import dlt

from beejan.core.settings import Settings
from extract_load.lake import lake_destination, quarantined_in
from extract_load.quarantine import QUARANTINE_TABLE


def test_a_load_counts_only_the_records_it_quarantined_first(tmp_path: Path) -> None:
    """Files are appended, so a record read again lands again: the count follows PostgreSQL's
    insert-only merge, which keeps the first landing alone. A later load changes no earlier
    load's count."""
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    pipeline = dlt.pipeline(
        pipeline_name="lake_quarantine",
        destination=lake_destination(settings),
        dataset_name="raw_demo",
        pipelines_dir=str(tmp_path / "dlt"),
    )

    def land(*records: tuple[str, str]) -> str:
        rows = [
            {"quarantine_id": key, "reason": reason, "payload": "x" * 50} for key, reason in records
        ]
        info = pipeline.run(rows, table_name=QUARANTINE_TABLE, loader_file_format="parquet")
        return info.loads_ids[-1]

    first = land(("q1", "bad_json"), ("q2", "cut_off_line"))
    second = land(("q2", "cut_off_line"), ("q3", "bad_json"), ("q4", "bad_json"))

    assert quarantined_in(settings, "raw_demo", second) == Counter({"bad_json": 2})
    assert quarantined_in(settings, "raw_demo", first) == Counter(
        {"bad_json": 1, "cut_off_line": 1}
    )
    assert quarantined_in(settings, "raw_nothing", first) == Counter()
