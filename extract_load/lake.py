"""The spark engine's raw layer: dlt lands each source as Parquet under the lake root
(BEEJAN_LAKE_URL), one folder per table: `<lake>/raw_<source>/<table>/<load_id>.<file>.parquet`.
dbt registers those folders as Spark tables on every run (macros/lake/register_raw_tables.sql).

A folder of Parquet files has no merge: every load appends, and staging keeps the newest row of
each key (macro `newest_raw_rows`), as PostgreSQL's merge does on load. What the PostgreSQL path
reads back from its raw tables after a load (the file registry, the load's quarantine) the lake
path reads from these files.
"""

from __future__ import annotations

from collections import Counter

import dlt
import fsspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from dlt.common.destination import DestinationCapabilitiesContext

from beejan.core.settings import Settings
from extract_load.files import LANDED_FILES_TABLE, KnownFile
from extract_load.quarantine import QUARANTINE_TABLE


class ParquetLake(dlt.destinations.filesystem):
    """dlt's filesystem destination writing every table as Parquet, the bookkeeping tables too
    (their hint asks for INSERT files, which suit PostgreSQL): Spark reads them all alike."""

    def _raw_capabilities(self) -> DestinationCapabilitiesContext:
        capabilities = super()._raw_capabilities()
        capabilities.preferred_loader_file_format = "parquet"
        capabilities.supported_loader_file_formats = ["parquet"]
        return capabilities


def lake_destination(settings: Settings) -> ParquetLake:
    return ParquetLake(bucket_url=settings.lake_root)


def read_lake_table(
    settings: Settings, dataset: str, table: str, columns: list[str] | None = None
) -> pa.Table | None:
    """Every row the lake holds of `dataset.table` (only `columns`, when given); None when
    nothing landed in it yet. Files of different loads may differ by a column that came later:
    it is null in the older ones."""
    filesystem, root = fsspec.core.url_to_fs(settings.lake_root)
    paths = sorted(filesystem.glob(f"{root}/{dataset}/{table}/*.parquet"))
    if not paths:
        return None
    tables = [pq.read_table(path, filesystem=filesystem, columns=columns) for path in paths]
    return pa.concat_tables(tables, promote_options="permissive")


def known_files(settings: Settings, dataset: str) -> dict[str, KnownFile]:
    """The file registry of `dataset`: the newest entry of each path, as the PostgreSQL path's
    upsert keeps it."""
    registry = read_lake_table(settings, dataset, LANDED_FILES_TABLE)
    if registry is None:
        return {}
    newest_last = registry.sort_by([("_dlt_load_id", "ascending"), ("read_at", "ascending")])
    known = {}
    for row in newest_last.to_pylist():
        known[row["path"]] = KnownFile(
            row["size_bytes"],
            row["modified_at"],
            row["sha256"],
            row["outcome"],
            row["records"],
            row["quarantined_records"],
            row.get("header"),
        )
    return known


def quarantined_in(settings: Settings, dataset: str, load_id: str | None) -> Counter[str]:
    """Records that the load `load_id` set aside for the first time, per reason: a record read
    again lands again here, where PostgreSQL's insert-only merge skips it. Reads the ids and
    reasons alone: the original payloads are the bulk of the quarantine."""
    if load_id is None:
        return Counter()
    columns = ["_dlt_load_id", "quarantine_id", "reason"]
    records = read_lake_table(settings, dataset, QUARANTINE_TABLE, columns)
    if records is None:
        return Counter()
    # dlt's load ids are the instants the loads began, as text of one width: they sort as time
    seen_before = records.filter(pc.less(records["_dlt_load_id"], load_id))["quarantine_id"]
    loaded = records.filter(pc.equal(records["_dlt_load_id"], load_id))
    new = loaded.filter(pc.invert(pc.is_in(loaded["quarantine_id"], seen_before)))
    reasons = pc.value_counts(new["reason"]).to_pylist()
    return Counter({entry["values"]: entry["counts"] for entry in reasons})
