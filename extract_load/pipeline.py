"""Run one source's dlt pipeline into its raw schema, then its quarantine rows, and report.

Every pipeline writes to the warehouse resolved by beejan.core.settings; its local working state
lives under `<data_dir>/dlt` (dlt also keeps the incremental state in the destination, so a
fresh machine resumes where the warehouse says it stopped).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dlt

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings
from extract_load.quarantine import QUARANTINE_DATASET, QUARANTINE_TABLE, Quarantine

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    source: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows loaded this run
    quarantined: Counter[str] = field(default_factory=Counter)  # reason -> records
    load_id: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def rows_summary(self) -> str:
        """e.g. "messages 89, tweets 12" or "no rows"."""
        return ", ".join(f"{table} {n}" for table, n in sorted(self.rows.items())) or "no rows"


def destination(connection: PostgresConnection) -> dlt.destinations.postgres:
    return dlt.destinations.postgres(credentials=connection.dsn())


def pipeline_for(name: str, dataset: str, connection: PostgresConnection, settings: Settings):
    return dlt.pipeline(
        pipeline_name=f"beejan_{name}",
        destination=destination(connection),
        dataset_name=dataset,
        pipelines_dir=str(settings.data_dir / "dlt"),
        # dlt's own progress lines are detailed; show them with `beejan -v`
        progress="log" if log.isEnabledFor(logging.DEBUG) else None,
    )


def run_source(
    name: str,
    source: dlt.sources.DltSource,
    quarantine: Quarantine,
    connection: PostgresConnection,
    settings: Settings,
    full_refresh: bool = False,
) -> LoadResult:
    """Load `source` into `raw_<name>`; with `full_refresh`, drop its tables and state first."""
    pipeline = pipeline_for(name, f"raw_{name}", connection, settings)
    extracted_at = datetime.now(UTC)
    for resource in source.selected_resources.values():
        resource.add_map(lambda row: {**row, "_extracted_at": extracted_at})
    info = pipeline.run(source, refresh="drop_sources" if full_refresh else None)
    load_id = info.loads_ids[0] if info.loads_ids else None
    result = LoadResult(name, rows=_rows_loaded(pipeline), load_id=load_id)
    if quarantine.records:
        for record in quarantine.records:
            record["load_id"] = load_id or ""
        quarantine_pipeline = pipeline_for("quarantine", QUARANTINE_DATASET, connection, settings)
        quarantine_pipeline.run(
            quarantine.records,
            table_name=QUARANTINE_TABLE,
            write_disposition="merge",
            primary_key="quarantine_id",
        )
        result.quarantined = quarantine.reasons()
    return result


def _rows_loaded(pipeline: dlt.Pipeline) -> dict[str, int]:
    trace = pipeline.last_trace
    if trace is None or trace.last_normalize_info is None:
        return {}
    counts = trace.last_normalize_info.row_counts
    return {table: count for table, count in counts.items() if not table.startswith("_dlt")}
