"""No usage reports leave the machine: dlt's and dbt's are off unless a deployment turns them
on (Prefect's and Meltano's are switched off where they are started)."""

from __future__ import annotations

import dlt
import yaml

from beejan.core.connections import PostgresConnection
from beejan.core.settings import Settings
from beejan.dbt_runner import DBT_PROJECT_DIR
from extract_load.pipeline import dlt_pipeline


def test_dlt_starts_without_its_usage_tracker(tmp_path) -> None:
    from dlt.common.runtime import anon_tracker

    connection = PostgresConnection("127.0.0.1", 9, "nobody", "x", "nowhere")
    pipeline = dlt_pipeline("telemetry_probe", connection, Settings(data_dir=tmp_path))
    assert isinstance(pipeline, dlt.Pipeline)
    assert anon_tracker._ANON_TRACKER_ENDPOINT is None


def test_the_dbt_project_sends_no_anonymous_usage_stats() -> None:
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["flags"]["send_anonymous_usage_stats"] is False
