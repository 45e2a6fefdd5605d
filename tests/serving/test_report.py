"""The complaint report, written by `beejan report` from the simulated month: one file that needs
no network, whose every number is the marts', and which renders in a real Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import requests
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import BEEJAN, Month
from tests.dbt.steps import MARTS
from tests.serving.conftest import beejan, free_port, serving

pytestmark = pytest.mark.slow

# every chart, drawn: Plotly's SVG is there and its plot area holds marks (bars, points, lines)
CHARTS_DRAWN = """() => {
    const charts = [...document.querySelectorAll('.chart')];
    return charts.length > 0 && charts.every(c => c.querySelector('.main-svg g.trace path'));
}"""
# dbt's docs page asks for two URLs before its templates fill them in (`{{ getIcon(...) }}` and
# a bundler's `${require(...favicon.ico)}`): 404s of dbt-core's own page, not of this project.
DBT_DOCS_OWN_404 = re.compile(r"^Failed to load resource: .* 404 .*(%7B%7B|\$%7Brequire)")
CHART_POINTS = """() => Object.fromEntries([...document.querySelectorAll('.chart')].map(
    c => [c.id, c.data.reduce((n, trace) => n + (trace.x || []).length, 0)]))"""


@pytest.fixture(scope="module")
def report_file(served_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "complaint_report.html"
    done = beejan(served_env, "report", "--output", str(path))
    assert done.returncode == 0, done.stderr
    assert f"report written to {path}" in done.stdout
    return path


def embedded_numbers(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-numbers">(.*?)</script>', html)
    assert found, "the report carries no numbers block"
    return json.loads(found.group(1))


def marts_numbers(month: Month, first_day: str, last_day: str) -> dict[str, int]:
    """The report's headline numbers, asked of the marts directly (as an analyst would)."""
    window = {"first": first_day, "last": last_day}
    complaints = f"{MARTS}.fct_complaints where first_contact_date between %(first)s and %(last)s"
    queries = {
        "complaints": f"select count(*) from {complaints}",
        "contacts": f"select coalesce(sum(contact_count), 0) from {complaints}",
        "repeat_complaints": f"select count(*) from {complaints} and recurrence <> 'first'",
        "p1_complaints": f"select count(*) from {complaints} and priority = 'P1'",
        "sla_breaches": f"select count(*) from {MARTS}.fct_tickets where is_resolution_breached"
        " and opened_date between %(first)s and %(last)s",
        "unexplained_spikes": f"select count(*) from {MARTS}.fct_outage_spikes where not"
        " is_explained and detected_date between %(first)s and %(last)s",
        "high_risk_customers": f"select count(*) from {MARTS}.fct_customer_churn_risk"
        " where churn_risk_band = 'high'",
        "open_quarantined": f"select coalesce(sum(open_records), 0)"
        f" from {MARTS}.agg_quarantined_records__status",
    }
    with psycopg.connect(month.warehouse.dsn()) as conn:
        return {name: int(conn.execute(q, window).fetchone()[0]) for name, q in queries.items()}


def test_the_report_is_one_file_that_needs_no_network(report_file: Path) -> None:
    html = report_file.read_text()
    assert re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=", html) == []
    assert "Plotly.newPlot" in html
    assert re.search(r"plotly\.js v\d+\.\d+", html)  # the bundle itself, inlined


def test_the_headline_numbers_are_the_marts_numbers(report_file: Path, served: Month) -> None:
    html = report_file.read_text()
    numbers = embedded_numbers(html)
    window = numbers["window"]
    with psycopg.connect(served.warehouse.dsn()) as conn:
        [newest] = conn.execute(f"select max(first_contact_date) from {MARTS}.fct_complaints")
    assert window["last_day"] == newest[0].isoformat()
    expected = marts_numbers(served, window["first_day"], window["last_day"])
    assert expected["complaints"] > 1000  # the month is in the window
    assert numbers["kpis"] == expected
    tiles = dict(re.findall(r'data-kpi="(\w+)"><div class="value">([\d,]+)</div>', html))
    assert tiles == {name: f"{value:,}" for name, value in expected.items()}


@contextmanager
def browser_page(chromium: str) -> Iterator[tuple[Page, list[str]]]:
    """A headless Chromium page, and the JavaScript errors it logs."""
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.on(
            "console",
            lambda m: errors.append(f"{m.text} {m.location['url']}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield page, errors
        finally:
            browser.close()


def wait_for_charts(page: Page, errors: list[str]) -> None:
    try:
        page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    except PlaywrightTimeout:
        undrawn = page.evaluate("""() => [...document.querySelectorAll('.chart')]
            .filter(c => !c.querySelector('.main-svg g.trace path')).map(c => c.id)""")
        pytest.fail(f"charts not drawn: {undrawn}; JavaScript errors: {errors}")


def test_every_chart_renders_in_chromium_with_the_marts_numbers(
    report_file: Path, served: Month, chromium: str, screenshots: Path
) -> None:
    window = embedded_numbers(report_file.read_text())["window"]
    with browser_page(chromium) as (page, errors):
        page.goto(report_file.as_uri())
        wait_for_charts(page, errors)
        page.screenshot(path=screenshots / "report.png", full_page=True)
        points = page.evaluate(CHART_POINTS)
        per_channel = page.evaluate("""() => Object.fromEntries(
            document.getElementById('chart-volume').data.filter(t => t.meta === 'day')
                .map(t => [t.name, t.y.reduce((a, b) => a + b, 0)]))""")
        bands = page.evaluate("""() => { const [t] = document.getElementById('chart-churn').data;
            return Object.fromEntries(t.x.map((band, i) => [band, t.y[i]])); }""")
        page.locator("#chart-volume .updatemenu-button", has_text="Week").click()
        shown = page.evaluate("""() => [...new Set(document.getElementById('chart-volume').data
            .filter(t => t.visible === true).map(t => t.meta))]""")
        page.screenshot(path=screenshots / "report-weekly.png")
    assert errors == []
    expected_charts = {
        "volume",
        "categories",
        "category_trend",
        "regions",
        "sla",
        "sla_weekly",
        "outages",
        "repeat",
        "churn",
        "quarantine",
        "pipeline",
    }
    assert set(points) == {f"chart-{name}" for name in expected_charts}
    assert [chart for chart, count in points.items() if count == 0] == []
    assert shown == ["week"]
    with psycopg.connect(served.warehouse.dsn()) as conn:
        channels = conn.execute(
            f"select first_channel, count(*) from {MARTS}.fct_complaints"
            " where first_contact_date between %s and %s group by 1",
            (window["first_day"], window["last_day"]),
        ).fetchall()
        churn = conn.execute(
            f"select churn_risk_band, count(*) from {MARTS}.fct_customer_churn_risk group by 1"
        ).fetchall()
    assert per_channel == dict(channels)
    assert bands == dict(churn)


def test_the_docs_site_renders_and_its_lineage_runs_from_the_loaders_to_the_report_and_api(
    served_env: dict[str, str], chromium: str, screenshots: Path
) -> None:
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    command = [BEEJAN, "docs", "--serve", "--port", str(port)]
    with serving(command, served_env, f"{site}/catalog.json"):
        manifest = requests.get(f"{site}/manifest.json", timeout=30).json()
        with browser_page(chromium) as (page, errors):
            for exposure in ("complaint_report", "read_api"):
                page.goto(f"{site}/#!/exposure/exposure.beejan_warehouse.{exposure}")
                page.get_by_text(
                    manifest["exposures"][f"exposure.beejan_warehouse.{exposure}"]["label"]
                ).first.wait_for(timeout=60_000)
                page.screenshot(path=screenshots / f"docs-{exposure}.png", full_page=True)
                page.locator('[title="View Lineage Graph"]').click()
                page.locator("#cy canvas").first.wait_for(timeout=30_000)
                page.wait_for_timeout(1_000)  # the graph lays itself out
                page.screenshot(path=screenshots / f"docs-{exposure}-lineage.png")
                page.goto("about:blank")  # the next exposure starts from a fresh page
    assert [error for error in errors if not DBT_DOCS_OWN_404.search(error)] == []
    exposures = manifest["exposures"]
    assert exposures["exposure.beejan_warehouse.read_api"]["url"].endswith("/docs")
    assert exposures["exposure.beejan_warehouse.complaint_report"]["meta"]["command"] == (
        "beejan report"
    )
    for exposure in ("complaint_report", "read_api"):
        loaders = {
            manifest["sources"][uid]["loader"]
            for uid in upstream(manifest, f"exposure.beejan_warehouse.{exposure}")
            if uid.startswith("source.")
        }
        assert {"dlt", "meltano"} <= loaders, exposure


def upstream(manifest: dict, unique_id: str) -> set[str]:
    """Every node and source `unique_id` rests on, through the manifest's parent map."""
    seen: set[str] = set()
    pending = [unique_id]
    while pending:
        for parent in manifest["parent_map"].get(pending.pop(), []):
            if parent not in seen:
                seen.add(parent)
                pending.append(parent)
    return seen
