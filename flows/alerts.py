"""Failure alerts of the flow: an error in the run's log and, when BEEJAN_ALERT_WEBHOOK_URL is
set, a message to that Slack-style webhook (`{"text": ...}`)."""

from __future__ import annotations

import httpx
from prefect.client.schemas.objects import FlowRun, State
from prefect.flows import Flow
from prefect.logging.loggers import flow_run_logger

from beejan.core.settings import get_settings


def alert_on_failure(flow: Flow, run: FlowRun, state: State) -> None:
    logger = flow_run_logger(run, flow)
    text = f"Beejan warehouse run {run.name} ({run.id}) {state.name.lower()}: {state.message}"
    logger.error(text)
    webhook = get_settings().alert_webhook_url
    if webhook is None:
        return
    transport = httpx.HTTPTransport(retries=3)  # connection errors only: never posts twice
    try:
        with httpx.Client(transport=transport, timeout=10) as client:
            client.post(webhook.get_secret_value(), json={"text": text}).raise_for_status()
    except httpx.HTTPError as error:  # a lost alert must not hide the run's own failure
        logger.error("the failure alert could not be sent: %s", error)
