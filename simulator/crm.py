"""The CRM: a real PostgreSQL database with the five tables of SOURCES.md part 5, changing day
by day as an operational system does: rows change in place and bump ``updated_at``, accounts
close (never deleted), tickets move through their statuses."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

import psycopg
from psycopg import sql

from beejan.core.connections import PostgresConnection
from simulator.world import PLANS, REGIONS, Complaint, Incident, World

SCHEMA = """
create table if not exists regions (
    region_code text primary key,
    region_name text not null,
    state text not null,
    updated_at timestamptz not null
);
create table if not exists plans (
    plan_code text primary key,
    plan_name text not null,
    technology text not null check (technology in ('2G', '3G', '4G', '5G', 'fibre')),
    monthly_fee numeric(12, 2) not null,
    updated_at timestamptz not null
);
create table if not exists customers (
    customer_id bigint primary key,
    account_number text unique not null,
    full_name text,
    msisdn text,
    email text,
    twitter_handle text,
    region_code text references regions,
    plan_code text references plans,
    status text not null check (status in ('active', 'suspended', 'closed')),
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create table if not exists tickets (
    ticket_id bigint primary key,
    customer_id bigint references customers,
    source_channel text not null
        check (source_channel in ('social', 'sms', 'call_center', 'web_form')),
    source_ref text not null,
    category_code text,
    priority text check (priority in ('P1', 'P2', 'P3', 'P4')),
    status text not null check (status in ('open', 'in_progress', 'resolved', 'closed')),
    opened_at timestamptz not null,
    first_response_at timestamptz,
    resolved_at timestamptz,
    updated_at timestamptz not null
);
create table if not exists network_incidents (
    incident_id text primary key,
    region_code text references regions,
    service text not null check (service in ('voice', 'data', 'sms')),
    severity text not null check (severity in ('minor', 'major', 'critical')),
    started_at timestamptz not null,
    resolved_at timestamptz,
    updated_at timestamptz not null
);
"""
TABLES = ["customers", "plans", "regions", "tickets", "network_incidents"]


def ensure_database(server: PostgresConnection) -> None:
    """Create the CRM database on the server when it is missing."""
    with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
        if not conn.execute(
            "select 1 from pg_database where datname = %s", (server.database,)
        ).fetchone():
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(server.database)))


class CrmDay:
    """Applies one simulated day to the CRM in one transaction."""

    def __init__(self, world: World, day: int, crm: PostgresConnection) -> None:
        self.world = world
        self.day = day
        self.crm = crm
        self.rng = random.Random(f"{world.seed}:{day}:crm")
        self.tickets: list[tuple[object, ...]] = []

    def add_ticket(self, complaint: Complaint, channel: str, source_ref: str) -> None:
        assert complaint.customer is not None
        opened = complaint.occurred_at + timedelta(minutes=self.rng.randint(1, 30))
        priority = "P1" if complaint.incident_id else self.rng.choice(["P2", "P3", "P3", "P4"])
        ticket_id = (self.day + 1) * 1_000_000 + len(self.tickets) + 1
        self.tickets.append(
            (
                ticket_id,
                complaint.customer.customer_id,
                channel,
                source_ref,
                complaint.category,
                priority,
                "open",
                opened,
                None,
                None,
                opened,
            )
        )

    def apply(self, incidents: Iterable[Incident]) -> None:
        start = self.world.day_start(self.day)
        with psycopg.connect(self.crm.dsn()) as conn:
            conn.execute(SCHEMA)
            if self.day == 0:
                self._seed_reference_data(conn, start)
            self._copy(
                conn,
                "network_incidents",
                [
                    (
                        i.incident_id,
                        i.region_code,
                        i.service,
                        i.severity,
                        i.started_at,
                        i.resolved_at,
                        i.resolved_at,
                    )
                    for i in incidents
                ],
            )
            self._progress_tickets(conn, start)
            self._copy(conn, "tickets", self.tickets)
            self._change_customers(conn, start)

    def _seed_reference_data(self, conn: psycopg.Connection, start: datetime) -> None:
        origin = start - timedelta(days=365)
        self._copy(conn, "regions", [(*region, origin) for region in REGIONS])
        self._copy(conn, "plans", [(*plan, origin) for plan in PLANS])
        self._copy(
            conn,
            "customers",
            (
                (
                    c.customer_id,
                    c.account_number,
                    c.full_name,
                    c.msisdn,
                    c.email,
                    c.twitter_handle,
                    c.region_code,
                    c.plan_code,
                    "active",
                    c.created_at,
                    c.created_at,
                )
                for c in self.world.population
            ),
        )

    def _progress_tickets(self, conn: psycopg.Connection, start: datetime) -> None:
        """Tickets opened before today move one status on; the response delay varies by ticket,
        so some breach their SLA."""
        conn.execute(
            """
            update tickets set status = case status when 'open' then 'in_progress'
                                                    when 'in_progress' then 'resolved'
                                                    else 'closed' end,
                first_response_at = coalesce(first_response_at,
                                             opened_at + (ticket_id %% 2880) * interval '1 minute'),
                resolved_at = case when status = 'in_progress'
                                   then opened_at + (4 + ticket_id %% 60) * interval '1 hour'
                                   else resolved_at end,
                updated_at = %(now)s
            where status <> 'closed' and opened_at < %(start)s
            """,
            {"now": start + timedelta(hours=6), "start": start},
        )

    def _change_customers(self, conn: psycopg.Connection, start: datetime) -> None:
        size = self.world.population.size
        for _ in range(max(2, size // 200)):
            customer_id = 100_000 + self.rng.randrange(size)
            moment = start + timedelta(seconds=self.rng.randint(0, 86_399))
            change = self.rng.choice(["plan", "plan", "suspended", "closed", "active"])
            if change == "plan":
                conn.execute(
                    "update customers set plan_code = %s, updated_at = %s where customer_id = %s",
                    (self.rng.choice(PLANS)[0], moment, customer_id),
                )
            else:
                conn.execute(
                    "update customers set status = %s, updated_at = %s where customer_id = %s",
                    (change, moment, customer_id),
                )
        if self.day % 3 == 2:  # a price change
            conn.execute(
                "update plans set monthly_fee = monthly_fee + 500, updated_at = %s "
                "where plan_code = %s",
                (start + timedelta(hours=9), self.rng.choice(PLANS)[0]),
            )

    @staticmethod
    def _copy(conn: psycopg.Connection, table: str, rows: Iterable[tuple[object, ...]]) -> None:
        with conn.cursor().copy(
            sql.SQL("copy {} from stdin").format(sql.Identifier(table))
        ) as copy:
            for row in rows:
                copy.write_row(row)
