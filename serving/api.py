"""The read API: the marts for other systems, over HTTP (`beejan api serve`).

Every endpoint under /v1 needs an `X-API-Key` (see `serving.api_keys`), is rate limited per key
(BEEJAN_API_RATE_LIMIT) and pages with stable keyset cursors: a page ends at a row's sort key,
and the next one starts after it, so rows never repeat or go missing between pages. Queries run
as the reporter role, with every value bound as a parameter. Each request leaves one structured
access-log line; a failure the client did not cause answers 5xx with no internals in it.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

import limits
import psycopg
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from beejan.core.settings import Settings
from serving.api_keys import KeyRing
from serving.api_models import (
    ChurnRisk,
    ChurnRiskParameters,
    Complaint,
    ComplaintCount,
    ComplaintCountParameters,
    ComplaintParameters,
    Dated,
    OutageSignal,
    OutageSignalParameters,
    Page,
    Parameters,
    PipelineRun,
    PipelineRunParameters,
    Problem,
)
from serving.marts import Marts, MartsNotBuilt

access_log = logging.getLogger("beejan.api.access")
log = logging.getLogger(__name__)
VOCABULARY_TTL_S = 300


class ClientError(Exception):
    """A request the API refuses, with the status and the message the client gets."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers


@dataclass(frozen=True)
class Listing:
    """One endpoint's mart, its columns (the row model's fields) and its sort key: (expression,
    type) pairs that are unique together, so a cursor names exactly one position."""

    table: str
    row: type[BaseModel]
    key: tuple[tuple[str, str], ...]
    date_column: str | None = None

    @property
    def columns(self) -> str:
        return ", ".join(self.row.model_fields)


COMPLAINT_COUNTS = Listing(
    "agg_complaints__periods",
    ComplaintCount,
    (("period_start", "date"), ("period_key", "text")),
    "period_start",
)
COMPLAINTS = Listing(
    "fct_complaints",
    Complaint,
    (("first_contact_at", "timestamptz"), ("complaint_key", "text")),
    "first_contact_date",
)
OUTAGE_SIGNALS = Listing(
    "fct_outage_spikes",
    OutageSignal,
    (("window_start_at", "timestamptz"), ("outage_spike_key", "text")),
    "detected_date",
)
CHURN_RISK = Listing(  # riskiest first
    "fct_customer_churn_risk",
    ChurnRisk,
    (("-churn_risk_score", "integer"), ("customer_id", "bigint")),
)
PIPELINE_RUNS = Listing(
    "fct_pipeline_runs",
    PipelineRun,
    (("started_at", "timestamptz"), ("run_id", "text")),
    "started_date",
)


def create_app(marts: Marts, settings: Settings) -> FastAPI:
    keys = KeyRing(settings)
    limiter = limits.strategies.MovingWindowRateLimiter(limits.storage.MemoryStorage())
    rate = limits.parse(settings.api_rate_limit)
    vocabulary = Vocabulary(marts)

    def client(
        request: Request,
        key: Annotated[str | None, Depends(APIKeyHeader(name="X-API-Key", auto_error=False))],
    ) -> str:
        name = keys.name_of(key)
        if name is None:
            raise ClientError(401, "missing or unknown API key (header X-API-Key)")
        request.state.client = name
        if not limiter.hit(rate, name):
            reset = limiter.get_window_stats(rate, name).reset_time
            retry = str(max(1, round(reset - time.time())))
            raise ClientError(
                429, f"rate limit {settings.api_rate_limit} reached", {"Retry-After": retry}
            )
        return name

    def listing(spec: Listing, parameters: Parameters, filters: Filters) -> dict[str, Any]:
        if parameters.limit > settings.api_max_page_size:
            raise invalid(
                "limit", parameters.limit, f"at most {settings.api_max_page_size} rows per page"
            )
        if isinstance(parameters, Dated) and spec.date_column:
            filters.compare(spec.date_column, ">=", parameters.date_from, "date_from")
            filters.compare(spec.date_column, "<=", parameters.date_to, "date_to")
        return page(marts, spec, filters, parameters.limit, parameters.cursor)

    v1 = APIRouter(
        prefix="/v1",
        dependencies=[Depends(client)],
        responses={401: {"model": Problem}, 429: {"model": Problem}, 503: {"model": Problem}},
    )

    @v1.get("/complaint-counts", response_model=Page[ComplaintCount])
    def complaint_counts(parameters: Annotated[ComplaintCountParameters, Query()]) -> Any:
        """Complaints (de-duplicated across channels) per period, channel, category and region,
        counted in the period of their first contact."""
        filters = Filters(vocabulary).equal("period_grain", parameters.grain, "grain")
        filters.known("channel", parameters.channel, "channel")
        filters.known("category", parameters.category, "category_code")
        filters.known("region", parameters.region, "region_code")
        return listing(COMPLAINT_COUNTS, parameters, filters)

    @v1.get("/complaints", response_model=Page[Complaint])
    def complaints(parameters: Annotated[ComplaintParameters, Query()]) -> Any:
        """One row per complaint, oldest first contact first (no message text, no contact
        details)."""
        filters = Filters(vocabulary).equal("priority", parameters.priority, "priority")
        filters.known("channel", parameters.channel, "first_channel")
        filters.known("category", parameters.category, "category_code")
        filters.known("region", parameters.region, "region_code")
        return listing(COMPLAINTS, parameters, filters)

    @v1.get("/outage-signals", response_model=Page[OutageSignal])
    def outage_signals(parameters: Annotated[OutageSignalParameters, Query()]) -> Any:
        """Complaint spikes per region and category, and the incident that explains each."""
        filters = Filters(vocabulary).equal("is_explained", parameters.explained, "explained")
        filters.known("region", parameters.region, "region_code")
        filters.known("category", parameters.category, "category_code")
        return listing(OUTAGE_SIGNALS, parameters, filters)

    @v1.get("/churn-risk", response_model=Page[ChurnRisk])
    def churn_risk(parameters: Annotated[ChurnRiskParameters, Query()]) -> Any:
        """Customers by churn risk, riskiest first: CRM ids only, no personal data."""
        filters = Filters(vocabulary).equal("churn_risk_band", parameters.band, "band")
        filters.known("region", parameters.region, "region_code")
        return listing(CHURN_RISK, parameters, filters)

    @v1.get("/pipeline-runs", response_model=Page[PipelineRun])
    def pipeline_runs(parameters: Annotated[PipelineRunParameters, Query()]) -> Any:
        """Every pipeline run: when, how long, and which sources failed."""
        filters = Filters(vocabulary).equal("run_status", parameters.status, "status")
        return listing(PIPELINE_RUNS, parameters, filters)

    app = FastAPI(
        title="Beejan complaint warehouse: read API",
        version="1",
        description="The complaint marts for other systems. Send the key `beejan api keys issue` "
        "gave you in the `X-API-Key` header; follow `next_cursor` to page.",
    )
    app.include_router(v1)
    app.add_exception_handler(ClientError, _client_error)
    app.add_exception_handler(psycopg.OperationalError, _warehouse_unavailable)
    app.add_exception_handler(MartsNotBuilt, _marts_not_built)
    app.add_exception_handler(Exception, _internal_error)
    app.middleware("http")(_access_log)
    return app


class Filters:
    """The conditions of one request: a column compared with a named parameter whose value is
    bound, never spliced; a condition whose value is None is left out."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.where: list[str] = []
        self.values: dict[str, Any] = {}
        self._vocabulary = vocabulary

    def compare(self, column: str, operator: str, value: Any, parameter: str) -> Filters:
        if value is not None:
            self.where.append(f"{column} {operator} %({parameter})s")
            self.values[parameter] = value
        return self

    def equal(self, column: str, value: Any, parameter: str) -> Filters:
        return self.compare(column, "=", value, parameter)

    def known(self, dimension: str, code: str | None, column: str) -> Filters:
        """`column` equal to a code the dimension knows (an unknown one is a 422)."""
        if code is not None:
            self._vocabulary.check(dimension, code)
        return self.equal(column, code, dimension)


class Vocabulary:
    """The channels, categories and regions the dimensions know, re-read every few minutes: an
    unknown code is a clear 422, not an empty page."""

    DIMENSIONS: ClassVar[dict[str, str]] = {
        "channel": "select channel as code from {marts}.dim_channels",
        "category": "select category_code as code from {marts}.dim_categories",
        "region": "select region_code as code from {marts}.dim_regions",
    }

    def __init__(self, marts: Marts) -> None:
        self._marts = marts
        self._codes: dict[str, set[str]] = {}
        self._read_at = 0.0

    def check(self, name: str, code: str) -> None:
        known = self._known(name)
        if code not in known:
            raise invalid(name, code, f"unknown {name}; one of: {', '.join(sorted(known))}")

    def _known(self, name: str) -> set[str]:
        if time.monotonic() - self._read_at > VOCABULARY_TTL_S:
            self._codes = {
                dimension: {row["code"] for row in self._marts.rows(query)}
                for dimension, query in self.DIMENSIONS.items()
            }
            self._read_at = time.monotonic()
        return self._codes[name]


def page(
    marts: Marts, spec: Listing, filters: Filters, limit: int, cursor: str | None
) -> dict[str, Any]:
    """One page of `spec` after `cursor`, and the cursor of the next page."""
    keys = [expression for expression, _ in spec.key]
    where, values = filters.where, filters.values
    if cursor is not None:
        after = decode_cursor(cursor, len(keys))
        bound = ", ".join(f"%(after_{i})s::{kind}" for i, (_, kind) in enumerate(spec.key))
        where = [*where, f"({', '.join(keys)}) > ({bound})"]
        values = {**values, **{f"after_{i}": value for i, value in enumerate(after)}}
    sort_key = ", ".join(f"{expression} as _key_{i}" for i, expression in enumerate(keys))
    query = (
        f"select {spec.columns}, {sort_key} from {{marts}}.{spec.table}"
        + (f" where {' and '.join(where)}" if where else "")
        + f" order by {', '.join(keys)} limit {limit + 1}"
    )
    try:
        rows = marts.rows(query, values)
    except psycopg.DataError as error:  # a cursor value the key's type does not take
        raise invalid("cursor", cursor, "not a cursor this API gave out") from error
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1][f"_key_{i}"] for i in range(len(keys))]) if more else None
    return {
        "items": [{column: row[column] for column in spec.row.model_fields} for row in rows],
        "limit": limit,
        "next_cursor": next_cursor,
    }


def encode_cursor(values: list[Any]) -> str:
    text = json.dumps([str(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[str]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as error:
        raise invalid("cursor", cursor, "not a cursor this API gave out") from error
    if not (
        isinstance(values, list)
        and len(values) == length
        and all(isinstance(value, str) for value in values)
    ):
        raise invalid("cursor", cursor, "not a cursor this API gave out")
    return values


def invalid(parameter: str, value: Any, message: str) -> RequestValidationError:
    """A 422 shaped like FastAPI's own validation errors (the OpenAPI document's schema)."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", parameter), "msg": message, "input": value}]
    )


async def _access_log(request: Request, call_next: Callable) -> Any:
    started = time.perf_counter()
    response = await call_next(request)
    access_log.info(
        "%s %s %d",
        request.method,
        request.url.path,
        response.status_code,
        extra={
            "client": getattr(request.state, "client", None),
            "method": request.method,
            "path": request.url.path,
            "query": str(request.url.query),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "remote": request.client.host if request.client else None,
        },
    )
    return response


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _client_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ClientError)
    return _problem(error.status, error.detail, error.headers)


async def _warehouse_unavailable(_: Request, error: Exception) -> JSONResponse:
    log.error("the warehouse is unavailable", exc_info=error)
    return _problem(503, "the warehouse is unavailable; try again later")


async def _marts_not_built(_: Request, error: Exception) -> JSONResponse:
    log.error("a mart is missing", exc_info=error)
    return _problem(503, "the marts are not built yet; try again after the next pipeline run")


async def _internal_error(_: Request, error: Exception) -> JSONResponse:
    log.error("the API failed", exc_info=error)
    return _problem(500, "internal error; the server log has the details")
