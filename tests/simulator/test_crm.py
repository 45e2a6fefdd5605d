"""The CRM database: the contract's tables and columns, and changes over time."""

from __future__ import annotations

import psycopg

from simulator.live import LiveScenario

CONTRACT = {
    "customers": {
        "customer_id",
        "account_number",
        "full_name",
        "msisdn",
        "email",
        "twitter_handle",
        "region_code",
        "plan_code",
        "status",
        "created_at",
        "updated_at",
    },
    "plans": {"plan_code", "plan_name", "technology", "monthly_fee", "updated_at"},
    "regions": {"region_code", "region_name", "state", "updated_at"},
    "tickets": {
        "ticket_id",
        "customer_id",
        "source_channel",
        "source_ref",
        "category_code",
        "priority",
        "status",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "updated_at",
    },
    "network_incidents": {
        "incident_id",
        "region_code",
        "service",
        "severity",
        "started_at",
        "resolved_at",
        "updated_at",
    },
}


def test_crm_has_the_tables_and_columns_of_the_contract(scenario: LiveScenario) -> None:
    with psycopg.connect(scenario.scenario.crm.dsn()) as conn:
        for table, columns in CONTRACT.items():
            found = {
                row[0]
                for row in conn.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'public' and table_name = %s",
                    (table,),
                )
            }
            assert found == columns, table
        kinds = dict(
            conn.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_name = 'customers'"
            ).fetchall()
        )
    assert kinds["customer_id"] == "bigint"
    assert kinds["updated_at"] == "timestamp with time zone"


def test_advancing_changes_rows_in_place_and_bumps_updated_at(scenario: LiveScenario) -> None:
    dsn = scenario.scenario.crm.dsn()
    with psycopg.connect(dsn) as conn:
        before = conn.execute("select max(updated_at), count(*) from customers").fetchone()
        tickets_before = conn.execute("select count(*) from tickets").fetchone()[0]
    scenario.advance(2)
    with psycopg.connect(dsn) as conn:
        after = conn.execute("select max(updated_at), count(*) from customers").fetchone()
        statuses = dict(conn.execute("select status, count(*) from tickets group by 1").fetchall())
        refs = conn.execute("select count(*) from tickets where source_ref = ''").fetchone()
    assert after[1] == before[1]  # no hard deletes: closing an account only changes its status
    assert after[0] > before[0]
    assert sum(statuses.values()) > tickets_before
    assert statuses.get("in_progress", 0) + statuses.get("resolved", 0) > 0
    assert refs == (0,)
