"""What the read API accepts and answers: the query parameters of each endpoint (unknown ones are
refused, so no parameter can name a table) and the rows it serves, which are the marts' columns
without personal data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

# a channel, category or region code: checked against the dimensions before any query
Code = Annotated[str | None, Field(min_length=1, max_length=64)]


class Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=100, ge=1, description="Rows per page (at most the server's max).")
    cursor: str | None = Field(
        default=None, max_length=512, description="`next_cursor` of the previous page."
    )


class Dated(Parameters):
    date_from: date | None = Field(default=None, description="First day, inclusive.")
    date_to: date | None = Field(default=None, description="Last day, inclusive.")

    @model_validator(mode="after")
    def _in_order(self) -> Dated:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from {self.date_from} is after date_to {self.date_to}")
        return self


class ComplaintCountParameters(Dated):
    grain: Literal["day", "week", "month", "quarter", "year"] = "day"
    channel: Code = None
    category: Code = None
    region: Code = None


class ComplaintParameters(Dated):
    channel: Code = None
    category: Code = None
    region: Code = None
    priority: Literal["P1", "P2", "P3", "P4"] | None = None


class OutageSignalParameters(Dated):
    region: Code = None
    category: Code = None
    explained: bool | None = Field(default=None, description="Explained by an incident or not.")


class ChurnRiskParameters(Parameters):
    band: Literal["churned", "high", "medium", "low", "none"] | None = None
    region: Code = None


class PipelineRunParameters(Dated):
    status: Literal["running", "completed", "failed"] | None = None


class ComplaintCount(BaseModel):
    period_key: str
    period_grain: str
    period_start: date
    channel: str
    category_code: str
    region_code: str | None
    complaints: int
    complaint_contacts: int
    repeat_complaints: int
    p1_complaints: int
    outage_complaints: int
    resolved_complaints: int


class Complaint(BaseModel):
    complaint_key: str
    customer_id: int | None
    category_code: str
    first_contact_at: datetime
    last_contact_at: datetime
    contact_count: int
    channel_count: int
    channels: str
    first_channel: str
    region_code: str | None
    ticket_id: int | None
    ticket_status: str | None
    is_resolved: bool | None
    incident_id: str | None
    outage_spike_key: str | None
    recurrence: str
    priority: str
    risk_level: str


class OutageSignal(BaseModel):
    outage_spike_key: str
    region_code: str
    category_code: str
    window_start_at: datetime
    detected_at: datetime
    last_flagged_at: datetime
    peak_complaints_per_window: int
    expected_complaints_per_window: float
    flagged_complaints: int
    incident_id: str | None
    is_explained: bool
    detection_lag_minutes: float | None


class ChurnRisk(BaseModel):
    customer_id: int
    region_code: str | None
    plan_code: str | None
    technology: str | None
    account_status: str | None
    complaints_30d: int
    complaints_90d: int
    repeat_complaints_90d: int
    open_tickets_past_sla: int
    outage_complaints_90d: int
    last_complaint_at: datetime | None
    churn_risk_score: int
    churn_risk_band: str


class PipelineRun(BaseModel):
    run_id: str
    run_status: str
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None
    source_count: int
    failed_source_count: int
    failed_sources: str | None
    failure_message: str | None


Row = TypeVar("Row", bound=BaseModel)


class Page(BaseModel, Generic[Row]):
    items: list[Row]
    limit: int
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: done.")


class Problem(BaseModel):
    detail: str
