"""The complaint report: one self-contained HTML file (Plotly's bundle, the styles and the data
all inlined, so it opens offline) with a chart per question stakeholders ask. Written by
`beejan report` and after every pipeline run."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, StrictUndefined
from plotly.offline import get_plotlyjs

from serving.marts import Marts
from serving.report_data import GRAINS, ReportData, Rows, read_report_data

COUNT = "%{y:,}"
KPI_LABELS = {
    "complaints": "Complaints",
    "contacts": "Contacts (all channels)",
    "repeat_complaints": "Repeat complaints",
    "p1_complaints": "P1 complaints",
    "sla_breaches": "Tickets past their resolution SLA",
    "unexplained_spikes": "Outage spikes no incident explains",
    "high_risk_customers": "Customers at high churn risk",
    "open_quarantined": "Quarantined records awaiting review",
}
EXPLAINED_COLOURS = {True: "#2a9d8f", False: "#e63946"}


def write_report(marts: Marts, path: Path, days: int) -> ReportData:
    """Read the marts and write the report to `path` (atomically: a reader never sees half a
    file). Returns what it shows."""
    data = read_report_data(marts, days, datetime.now(UTC))
    page = render(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, path)
    return data


def render(data: ReportData) -> str:
    template = Environment(
        loader=PackageLoader("serving"), autoescape=True, undefined=StrictUndefined
    ).get_template("report.html.j2")
    charts = figures(data) if data.window else {}
    return template.render(
        data=data,
        kpis=[(KPI_LABELS[name], f"{value:,}", name) for name, value in data.kpis.items()],
        charts={
            name: (title, _script_json(fig.to_plotly_json()))
            for name, (title, fig) in charts.items()
        },
        numbers=_script_json({"window": data.window, "kpis": data.kpis}),
        plotly_js=get_plotlyjs(),
    )


def figures(data: ReportData) -> dict[str, tuple[str, go.Figure]]:
    """Chart id -> (section title, figure); a section with nothing to show has no chart."""
    builders = {
        "volume": ("Complaints by channel", volume_chart, data.volume),
        "categories": ("Top categories", category_chart, data.categories),
        "category_trend": (
            "Top five categories, week by week",
            category_trend_chart,
            data.category_trend,
        ),
        "regions": ("Complaints by region", region_chart, data.regions),
        "sla": ("Ticket SLA breaches by priority", sla_chart, data.sla),
        "sla_weekly": (
            "Tickets past their resolution SLA, week by week",
            sla_weekly_chart,
            data.sla_weekly,
        ),
        "outages": (
            "Outage spikes and recorded incidents",
            outage_chart,
            data.spikes or data.incidents,
        ),
        "repeat": ("Repeat complainers", repeat_chart, data.repeat_complainers),
        "churn": ("Customers by churn-risk band", churn_chart, data.churn_bands),
        "quarantine": ("Quarantined records per day", quarantine_chart, data.quarantine_daily),
        "pipeline": ("Pipeline runs", pipeline_chart, data.pipeline_runs),
    }
    return {
        name: (title, _styled(build(data)))
        for name, (title, build, rows) in builders.items()
        if rows
    }


def volume_chart(data: ReportData) -> go.Figure:
    """Complaints per channel, stacked; buttons switch day / week / month / quarter."""
    series: dict[tuple[str, str], tuple[list, list]] = defaultdict(lambda: ([], []))
    for row in data.volume:
        xs, ys = series[row["grain"], row["channel"]]
        xs.append(row["period_start"])
        ys.append(row["complaints"])
    figure = go.Figure()
    for (grain, channel), (xs, ys) in sorted(series.items()):
        figure.add_bar(
            x=xs,
            y=ys,
            name=channel,
            meta=grain,
            visible=grain == "day",
            hovertemplate=f"{channel}: {COUNT}<extra>%{{x}}</extra>",
        )
    traces = [trace.meta for trace in figure.data]
    buttons = [
        {
            "label": grain.title(),
            "method": "update",
            "args": [{"visible": [meta == grain for meta in traces]}],
        }
        for grain in GRAINS
    ]
    figure.update_layout(
        barmode="stack",
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "buttons": buttons,
                "x": 0,
                "y": 1.18,
                "xanchor": "left",
                "showactive": True,
            }
        ],
    )
    return figure


def category_chart(data: ReportData) -> go.Figure:
    rows = list(reversed(data.categories))
    return go.Figure(
        go.Bar(
            x=[row["complaints"] for row in rows],
            y=[row["category_name"] for row in rows],
            orientation="h",
            hovertemplate="%{y}: %{x:,}<extra></extra>",
            marker_color="#457b9d",
        )
    )


def category_trend_chart(data: ReportData) -> go.Figure:
    figure = go.Figure()
    for name, rows in _grouped(data.category_trend, "category_name").items():
        figure.add_scatter(
            x=[r["week_start"] for r in rows],
            y=[r["complaints"] for r in rows],
            name=name,
            mode="lines+markers",
            hovertemplate=f"{name}: {COUNT}<extra>week of %{{x}}</extra>",
        )
    return figure


def region_chart(data: ReportData) -> go.Figure:
    rows = data.regions[:15]
    figure = go.Figure()
    figure.add_bar(
        x=[r["region_name"] for r in rows],
        y=[r["complaints"] for r in rows],
        name="all complaints",
        hovertemplate=COUNT,
        marker_color="#457b9d",
    )
    figure.add_bar(
        x=[r["region_name"] for r in rows],
        y=[r["outage_complaints"] for r in rows],
        name="during an outage",
        hovertemplate=COUNT,
        marker_color="#e76f51",
    )
    figure.update_layout(barmode="group")
    return figure


def sla_chart(data: ReportData) -> go.Figure:
    priorities = [row["priority"] for row in data.sla]
    figure = go.Figure()
    for column, label in (
        ("first_response_breaches", "first response late"),
        ("resolution_breaches", "resolution late"),
    ):
        figure.add_bar(
            x=priorities,
            y=[row[column] for row in data.sla],
            name=label,
            customdata=[row["tickets"] for row in data.sla],
            hovertemplate=f"{COUNT} of %{{customdata:,}} tickets<extra>{label}</extra>",
        )
    figure.update_layout(barmode="group")
    return figure


def sla_weekly_chart(data: ReportData) -> go.Figure:
    rows = data.sla_weekly
    return go.Figure(
        go.Scatter(
            x=[r["week_start"] for r in rows],
            y=[r["resolution_breaches"] for r in rows],
            customdata=[r["tickets"] for r in rows],
            mode="lines+markers",
            marker_color="#e76f51",
            hovertemplate=f"{COUNT} of %{{customdata:,}} tickets<extra>week of %{{x}}</extra>",
        )
    )


def outage_chart(data: ReportData) -> go.Figure:
    """Spikes as dots (green: an incident explains it; red: none does), incidents as crosses,
    on one time line per region."""
    figure = go.Figure()
    for explained, rows in _grouped(data.spikes, "is_explained").items():
        label = "spike, explained by an incident" if explained else "spike, no incident"
        figure.add_scatter(
            x=[r["window_start_at"] for r in rows],
            y=[r["region_name"] for r in rows],
            mode="markers",
            name=label,
            marker={
                "size": [8 + min(r["flagged_complaints"], 40) for r in rows],
                "color": EXPLAINED_COLOURS[explained],
            },
            customdata=[[r["category_code"], r["flagged_complaints"]] for r in rows],
            hovertemplate="%{customdata[0]}: %{customdata[1]:,} complaints<extra>%{x}</extra>",
        )
    if data.incidents:
        rows = data.incidents
        figure.add_scatter(
            x=[r["started_at"] for r in rows],
            y=[r["region_name"] for r in rows],
            mode="markers",
            name="recorded incident",
            marker={"symbol": "x", "size": 11, "color": "#1d3557"},
            customdata=[[r["incident_id"], r["service"], r["severity"]] for r in rows],
            hovertemplate="%{customdata[0]} (%{customdata[1]}, %{customdata[2]})"
            "<extra>%{x}</extra>",
        )
    return figure


def repeat_chart(data: ReportData) -> go.Figure:
    rows = data.repeat_complainers
    return go.Figure(
        go.Bar(
            x=[f"{r['bucket']} complaints" for r in rows],
            y=[r["customers"] for r in rows],
            hovertemplate=f"{COUNT} customers<extra></extra>",
            marker_color="#457b9d",
        )
    )


def churn_chart(data: ReportData) -> go.Figure:
    colours = {
        "churned": "#6c757d",
        "high": "#e63946",
        "medium": "#f4a261",
        "low": "#2a9d8f",
        "none": "#a8dadc",
    }
    rows = data.churn_bands
    return go.Figure(
        go.Bar(
            x=[r["churn_risk_band"] for r in rows],
            y=[r["customers"] for r in rows],
            marker_color=[colours.get(r["churn_risk_band"], "#457b9d") for r in rows],
            hovertemplate=f"{COUNT} customers<extra></extra>",
        )
    )


def quarantine_chart(data: ReportData) -> go.Figure:
    figure = go.Figure()
    for source, rows in _grouped(data.quarantine_daily, "source_system").items():
        figure.add_bar(
            x=[r["quarantined_date"] for r in rows],
            y=[r["records"] for r in rows],
            name=source,
            hovertemplate=f"{source}: {COUNT}<extra>%{{x}}</extra>",
        )
    # a date axis of few days would be drawn in milliseconds: show at least a fortnight
    days = [r["quarantined_date"] for r in data.quarantine_daily]
    first = min(min(days), max(days) - timedelta(days=13))
    figure.update_layout(
        barmode="stack",
        xaxis_type="date",
        xaxis_tickformat="%d %b",
        xaxis_range=[first - timedelta(hours=12), max(days) + timedelta(hours=12)],
    )
    return figure


def pipeline_chart(data: ReportData) -> go.Figure:
    figure = go.Figure()
    colours = {"completed": "#2a9d8f", "failed": "#e63946", "running": "#f4a261"}
    for status, rows in _grouped(data.pipeline_runs, "run_status").items():
        figure.add_scatter(
            x=[r["started_at"] for r in rows],
            y=[float(r["duration_seconds"] or 0) / 60 for r in rows],
            mode="markers",
            name=status,
            marker={"size": 9, "color": colours.get(status)},
            customdata=[r["failed_sources"] or "" for r in rows],
            hovertemplate="%{y:,.1f} min %{customdata}<extra>%{x}</extra>",
        )
    figure.update_layout(yaxis_title="minutes", yaxis_tickformat=",.1f")
    return figure


def _grouped(rows: Rows, column: str) -> dict[Any, Rows]:
    groups: dict[Any, Rows] = defaultdict(list)
    for row in rows:
        groups[row[column]].append(row)
    return dict(sorted(groups.items(), key=lambda item: str(item[0])))


def _styled(figure: go.Figure) -> go.Figure:
    return figure.update_layout(
        template="plotly_white",
        height=380,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.18},
        separators=".,",
        hovermode="closest",
        font={"family": "system-ui, sans-serif", "size": 13},
    ).update_yaxes(tickformat=figure.layout.yaxis.tickformat or ",d", rangemode="tozero")


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(value, default=_jsonable, separators=(",", ":"))
    return text.replace("</", "<\\/")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    return str(value)  # Decimal
