"""Run one source's dlt pipeline into its raw schema, and say what it wrote.

Every pipeline writes to the warehouse resolved by beejan.core.settings; its local working state
lives under `<data_dir>/dlt` (dlt also keeps the state in the destination, so a fresh machine
resumes where the warehouse says it stopped).

A load that was interrupted (killed, or the warehouse went away) leaves its package behind; the
next run finishes it first and reports it apart, then extracts what is new. The cursor and the
quarantined records travel in the same package as the rows, so nothing is lost either way.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dlt
import psycopg
from dlt.common.storages.load_package import PackageStorage, ParsedLoadJobFileName
from dlt.pipeline.exceptions import PipelineStepFailed
from psycopg import sql

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings
from extract_load import lake
from extract_load.bulk import DLT_CONFIG, stamp
from extract_load.files import LANDED_FILES_TABLE, KnownFile, known_files
from extract_load.quarantine import QUARANTINE_TABLE

log = logging.getLogger(__name__)

BOOKKEEPING_TABLES = (QUARANTINE_TABLE, LANDED_FILES_TABLE)
ROWS_ALREADY_THERE = re.compile(r'duplicate key value violates unique constraint "\w+__dlt_id_key"')


class ExpectedWarnings(logging.Filter):
    """Drops dlt warnings that describe the design: an Arrow text column meets a `json` column
    hint (the bulk path hands JSON over as text, which the warehouse parses on COPY); on the
    lake, tables fall back from merge to append (staging keeps the newest row per key) and the
    bookkeeping tables from INSERT files to Parquet."""

    EXPECTED = (
        "several column hints were different",
        "Falling back to `append`",
        "The configured value `insert_values` for `loader_file_format` is not supported",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(text in record.getMessage() for text in self.EXPECTED)


logging.getLogger("dlt").addFilter(ExpectedWarnings())


@dataclass
class LoadResult:
    source: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows loaded this run
    quarantined: Counter[str] = field(default_factory=Counter)  # reason -> records
    resumed: list[str] = field(default_factory=list)  # interrupted loads this run finished
    load_id: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def rows_summary(self) -> str:
        """e.g. "messages 89, tweets 12" or "no rows"."""
        return ", ".join(f"{table} {n}" for table, n in sorted(self.rows.items())) or "no rows"


def dlt_pipeline(name: str, connection: PostgresConnection, settings: Settings) -> dlt.Pipeline:
    """The source's pipeline into the engine's raw layer: the warehouse's `raw_<name>` schema,
    or the lake's `raw_<name>` folder (extract_load/lake.py)."""
    for key, value in DLT_CONFIG.items():
        dlt.config[key] = value
    return dlt.pipeline(
        pipeline_name=f"beejan_{name}",
        destination=(
            lake.lake_destination(settings)
            if settings.on_lake
            else dlt.destinations.postgres(credentials=connection.dsn())
        ),
        dataset_name=f"raw_{name}",
        # each engine's own working state: a pipeline's state follows its destination
        pipelines_dir=str(
            settings.data_dir
            / "dlt"
            / (f"{settings.environment}-lake" if settings.on_lake else settings.environment)
        ),
        # dlt's own progress lines are detailed; show them with `beejan -v`
        progress="log" if log.isEnabledFor(logging.DEBUG) else None,
    )


def run_dlt_source(
    name: str,
    build: Callable[[dict[str, KnownFile]], dlt.sources.DltSource],
    connection: PostgresConnection,
    settings: Settings,
) -> LoadResult:
    """Load the source that `build(known_files)` makes into `raw_<name>`."""
    pipeline = dlt_pipeline(name, connection, settings)
    resumed = finish_interrupted_load(pipeline)
    dataset = pipeline.dataset_name
    on_lake = settings.on_lake
    known = lake.known_files(settings, dataset) if on_lake else known_files(connection, dataset)
    source = build(known)
    # raw stays as sent: no guessing that a text value is a timestamp
    source.schema.remove_type_detection("iso_timestamp")
    extracted_at = datetime.now(UTC)
    for resource in source.selected_resources.values():
        resource.add_map(lambda item: stamp(item, "_extracted_at", extracted_at))
    # dlt's three steps one by one, so that a long load says where it is
    log.info("%s: extracting", name)
    pipeline.extract(source)
    log.info("%s: normalizing", name)
    normalized = pipeline.normalize()
    log.info("%s: loading", name)
    info = pipeline.load()
    load_id = info.loads_ids[-1] if info.loads_ids else None
    return LoadResult(
        name,
        rows=_data_rows(normalized.row_counts),
        quarantined=(
            lake.quarantined_in(settings, dataset, load_id)
            if on_lake
            else _quarantined_in(connection, dataset, load_id)
        ),
        resumed=resumed,
        load_id=load_id,
    )


def finish_interrupted_load(pipeline: dlt.Pipeline) -> list[str]:
    """Normalize and load what an interrupted run left behind; the ids of those loads."""
    if not pipeline.has_pending_data:
        return []
    log.warning("%s: finishing an interrupted load first", pipeline.pipeline_name)
    drop_committed_extracted_packages(pipeline)
    pipeline.normalize()
    while True:  # each pass marks at least one more job, so it ends
        try:
            info = pipeline.load()
            break
        except PipelineStepFailed:
            if not mark_committed_jobs_done(pipeline):
                raise
    # None when nothing reached the load step: a first run killed before dlt saved its schema
    # leaves an extracted package that this run's own extract and load take along
    return list(info.loads_ids) if info else []


def drop_committed_extracted_packages(pipeline: dlt.Pipeline) -> None:
    """Finish dlt's normalize commit where the interrupted run left it.

    Normalize commits a package to the load storage, then deletes its extracted package. A run
    killed in between, or halfway through the delete, leaves the extracted package (or what is
    left of it) for the next normalize, which fails on it, or would commit it a second time. Its
    rows are all in the committed package, so what is left of it goes."""
    extracted = pipeline._get_normalize_storage().extracted_packages  # no public API for this
    load_storage = pipeline._get_load_storage()
    committed = _load_ids(load_storage.normalized_packages) | _load_ids(
        load_storage.loaded_packages
    )
    for load_id in _load_ids(extracted) & committed:
        log.warning("%s: normalized before the interruption: %s", pipeline.pipeline_name, load_id)
        extracted.delete_package(load_id)


def _load_ids(packages: PackageStorage) -> set[str]:
    # a first run killed before its first normalize has no folder for normalized packages yet
    return set(packages.list_packages()) if os.path.isdir(packages.storage.storage_path) else set()


def mark_committed_jobs_done(pipeline: dlt.Pipeline) -> list[str]:
    """The jobs of the pending package that the interrupted run had committed, marked done.

    A run killed after a load job committed but before dlt recorded it leaves the job to be run
    again, and its rows then clash with themselves on `_dlt_id` (unique, one transaction per
    job): every later run would fail on it. Such a clash proves the job's rows are all there, so
    the job is handed back to dlt as committed (its own "pending transition" record), and dlt
    completes it, follow-up merge included, without running it again."""
    packages = pipeline._get_load_storage().normalized_packages  # no public API for this
    marked = []
    for load_id in packages.list_packages():
        for file_name in map(os.path.basename, packages.list_new_jobs(load_id)):
            job = ParsedLoadJobFileName.parse(file_name)
            _, message = packages.get_last_job_exception(load_id, job)
            if message and ROWS_ALREADY_THERE.search(message):
                packages.start_job(load_id, file_name)
                packages.save_pending_transition(load_id, file_name, "completed")
                marked.append(file_name)
    if marked:
        log.warning("%s: committed before the interruption: %s", pipeline.pipeline_name, marked)
    return marked


def _data_rows(counts: dict[str, int]) -> dict[str, int]:
    """Rows per table, without dlt's own tables and the quarantine and file registry."""
    return {
        table: count
        for table, count in counts.items()
        if not table.startswith("_dlt") and table not in BOOKKEEPING_TABLES
    }


def _quarantined_in(
    connection: PostgresConnection, dataset: str, load_id: str | None
) -> Counter[str]:
    """Records this load set aside, per reason, as the warehouse holds them."""
    if load_id is None:
        return Counter()
    with psycopg.connect(connection.dsn()) as conn:
        if (
            conn.execute("select to_regclass(%s)", (f"{dataset}.{QUARANTINE_TABLE}",)).fetchone()[0]
            is None
        ):
            return Counter()
        rows = conn.execute(
            sql.SQL("select reason, count(*) from {} where _dlt_load_id = %s group by 1").format(
                sql.Identifier(dataset, QUARANTINE_TABLE)
            ),
            (load_id,),
        )
        return Counter(dict(rows.fetchall()))
