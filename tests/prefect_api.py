"""Reading runs back from the Prefect API, as the UI shows them."""

from __future__ import annotations

import time
from uuid import UUID

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import TaskRun
from prefect.client.schemas.sorting import TaskRunSort

PAGE = 200  # the most the server returns at once


def task_runs(flow_run_id: UUID) -> list[TaskRun]:
    """Every task run of one flow run (a build has a task per dbt node: hundreds). The server
    records task runs from events, a little after they happen: wait until their number stops
    growing, then read them page by page."""
    only_this_run = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    with get_client(sync_client=True) as client:
        expected = settled_count(client, only_this_run)
        runs: dict[UUID, TaskRun] = {}
        for offset in range(0, expected, PAGE):
            page = client.read_task_runs(
                flow_run_filter=only_this_run, sort=TaskRunSort.ID_DESC, limit=PAGE, offset=offset
            )
            runs |= {run.id: run for run in page}
    assert len(runs) == expected, f"read {len(runs)} of the {expected} task runs"
    return list(runs.values())


def settled_count(client: SyncPrefectClient, flow_runs: FlowRunFilter, timeout: float = 60) -> int:
    filters = {"flow_runs": flow_runs.model_dump(mode="json")}
    deadline, last = time.monotonic() + timeout, -1
    while (count := client.request("POST", "/task_runs/count", json=filters).json()) != last:
        if time.monotonic() > deadline:
            break
        last = count
        time.sleep(2)
    return count
