"""The failure alert of the flow (its on_failure and on_crashed hook): an error in the run's log
and a message to every configured target (flows/notify.py), naming what failed."""

from __future__ import annotations

from prefect.client.schemas.objects import FlowRun, State
from prefect.flows import Flow
from prefect.logging.loggers import flow_run_logger

from beejan.core.settings import get_settings
from flows.notify import send_alert


def alert_on_failure(flow: Flow, run: FlowRun, state: State) -> None:
    logger = flow_run_logger(run, flow)
    title = f"Beejan warehouse run {run.name} {state.name.lower()}"
    body = f"{state.message} (flow run {run.id})"
    logger.error("%s: %s", title, body)
    send_alert(get_settings(), title, body)
