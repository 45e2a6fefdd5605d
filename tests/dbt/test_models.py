"""dbt on the simulator's data: the models build and test clean, mask PII, and tell the truth."""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from beejan.core.connections import PostgresConnection
from beejan.core.roles import ensure_roles
from beejan.core.settings import Settings
from beejan.dbt_runner import DBT_PROJECT_DIR, DbtError, run_dbt
from extract_load.registry import ALL_SOURCES
from extract_load.runner import load_sources
from simulator.live import LiveScenario
from tests.dbt.steps import (
    CONTACTS,
    INCREMENTAL_MODELS,
    INTERMEDIATE,
    TRANSFORMER,
    build,
    incremental_rows,
    load_all,
)

TEXT_MODELS = "path:models/intermediate/texts"
UNIONED = "int_complaints__unioned"
UNIONED_TABLE = f"{INTERMEDIATE}.{UNIONED}"
MATCHED = "int_complaint_texts__matched"
TEXT_STAGES = ("tokenized", "matched", "scored")
SEEDS_SCHEMA = "ci_staging"  # the ci target's seeds


@pytest.mark.slow
def test_project_builds_before_and_after_the_schema_drift(
    loaded: LiveScenario, project_env
) -> None:
    build(project_env)
    loaded.advance(2)  # CMS v3: preferred_contact and the honeypot column arrive
    load_all(project_env)
    build(project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        bots = conn.execute(
            "select count(*) from ci_staging.stg_web_forms__submissions "
            "where noise_reason = 'honeypot_bot'"
        ).fetchone()[0]
    assert bots > 0


@pytest.mark.slow
def test_no_customer_phone_or_email_survives_staging(loaded: LiveScenario, project_env) -> None:
    """Every text column of every model (staging, intermediate, marts) is searched for each
    customer's phone number (E.164 and national digits) and email."""
    build(project_env)
    with psycopg.connect(loaded.scenario.crm.dsn()) as conn:
        personal = [
            value
            for row in conn.execute("select msisdn, substr(msisdn, 5), email from customers")
            for value in row
        ]
    with psycopg.connect(project_env.dsn()) as conn:
        columns = conn.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in ('ci_staging', 'ci_intermediate', 'ci_marts') "
            "and data_type in ('text', 'character varying')"
        ).fetchall()
        assert {schema for schema, _, _ in columns} == {"ci_staging", "ci_intermediate", "ci_marts"}
        found = []
        for schema, table, column in columns:
            values = {
                row[0]
                for row in conn.execute(
                    sql.SQL("select {} from {}").format(
                        sql.Identifier(column), sql.Identifier(schema, table)
                    )
                )
                if row[0]
            }
            found += [
                (table, column) for value in values if any(secret in value for secret in personal)
            ]
    assert found == []


@pytest.mark.slow
def test_complaint_contacts_per_day_and_channel_equal_the_ground_truth(
    loaded: LiveScenario, project_env
) -> None:
    loaded.advance(2)
    load_all(project_env)
    build(project_env)
    truth = Counter(
        (record.day, record.channel)
        for record in loaded.scenario.truth().values()
        if record.is_complaint and not record.quarantine
    )
    with psycopg.connect(project_env.dsn()) as conn:
        marts = Counter(
            {
                (day.isoformat(), channel): count
                for day, channel, count in conn.execute(
                    "select received_date, channel, count(*) from ci_marts.fct_complaint_contacts "
                    "group by 1, 2"
                )
            }
        )
    assert len(truth) >= 12  # three days, four channels
    assert marts == truth


@pytest.mark.slow
def test_incremental_contacts_take_late_arrivals_and_equal_a_full_refresh(
    loaded: LiveScenario, project_env
) -> None:
    """Built after day one, then incrementally after two more days and a call log of day one
    delivered late, and again after that log was corrected: contacts of a day the first build
    had covered are added, and the contacts and the incremental intermediate models (all
    contacts, their texts) equal a full refresh. A change to a text seed rebuilds every
    contact's text rows."""
    build(project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        first_keys = {key for (key,) in conn.execute(f"select contact_key from {CONTACTS}")}
        covered_until = conn.execute(f"select max(received_at) from {CONTACTS}").fetchone()[0]
    loaded.advance(2)
    deliver_late_call(loaded, "no network since morning")
    load_all(project_env)
    build(project_env)
    assert "network" in late_call_terms(project_env)
    deliver_late_call(loaded, "ok")  # corrected: nothing in it matches any more
    load_all(project_env)
    build(project_env)
    assert late_call_terms(project_env) == set()
    incremental = contact_rows(project_env)
    late = [
        key
        for key, row in incremental.items()
        if key not in first_keys and row["received_at"] < covered_until
    ]
    assert "call_center:C-LATE-1:call_closed" in late
    assert len(incremental) > len(first_keys)
    intermediate = incremental_rows(project_env)
    full_refresh(project_env, "fct_complaint_contacts", UNIONED, TEXT_MODELS)
    assert contact_rows(project_env) == incremental
    assert incremental_rows(project_env) == intermediate
    # a run with nothing new rewrites no contact (compared row by row, not by load time)
    written = [row_versions(project_env, table) for table in (CONTACTS, UNIONED_TABLE)]
    run_models(project_env, "fct_complaint_contacts", UNIONED)
    assert [row_versions(project_env, table) for table in (CONTACTS, UNIONED_TABLE)] == written

    # a term added to the dictionary is found in texts built before it
    with psycopg.connect(project_env.dsn()) as conn:
        word, contacts = conn.execute(
            f"select term, count(distinct contact_key) from {INTERMEDIATE}.{MATCHED} "
            "where term_class = 'unknown_word' group by term order by 2 desc, 1 limit 1"
        ).fetchone()
        conn.execute("insert into ci_staging.text_terms values (%s, 'NETWORK', 2)", [word])
    # the builds above found the contacts to build once (int_complaint_texts__contacts_to_build);
    # a run of the text models alone finds them itself
    run_models(project_env, *(f"int_complaint_texts__{model}" for model in TEXT_STAGES))
    with psycopg.connect(project_env.dsn()) as conn:
        classes = conn.execute(
            f"select term_class, count(distinct contact_key) from {INTERMEDIATE}.{MATCHED} "
            "where term = %s group by term_class",
            [word],
        ).fetchall()
    assert classes == [("NETWORK", contacts)]
    assert_a_full_refresh_changes_nothing(project_env, TEXT_MODELS)


@pytest.mark.slow
def test_a_new_keyword_seed_or_pii_salt_builds_every_contact_again(
    loaded: LiveScenario, project_env
) -> None:
    """int_complaints__unioned is incremental on the records' loads, yet a message added to the
    keyword seed is noise in contacts built before it, and a new PII salt hashes every contact
    again: each as a full refresh would."""
    build(project_env)
    contact, text = fetch_one(
        project_env,
        f"select contact_key, lower(trim(message_text)) from {UNIONED_TABLE} "
        "where channel = 'sms' and noise_reason is null order by contact_key limit 1",
    )
    execute(project_env, "insert into ci_staging.keyword_messages values (%s, 'test')", [text])
    run_models(project_env, UNIONED)
    noise = fetch_one(
        project_env, f"select noise_reason from {UNIONED_TABLE} where contact_key = %s", [contact]
    )
    assert noise == ("keyword",)
    assert_a_full_refresh_changes_nothing(project_env, UNIONED)

    salted_before = phone_hashes(project_env)
    execute(project_env, "update private.pii_salt set salt = 'another salt'")
    # with what it reads: stg_web_forms__submissions is a table, hashed when it was built
    run_models(project_env, f"+{UNIONED}")
    salted_after = phone_hashes(project_env)
    assert salted_before and salted_after and not salted_before & salted_after
    assert_a_full_refresh_changes_nothing(project_env, UNIONED)


@pytest.mark.slow
def test_a_unique_index_holds_every_incremental_models_key(
    loaded: LiveScenario, project_env
) -> None:
    """Each incremental model's unique_key (the intermediate ones and fct_complaint_contacts)
    has a unique index, which refuses a duplicate row; without it unique_key_enforced fails,
    and the next run puts it back."""
    build(project_env)
    tokens = f"{INTERMEDIATE}.int_complaint_texts__tokenized"
    with pytest.raises(psycopg.errors.UniqueViolation):
        execute(project_env, f"insert into {tokens} select * from {tokens} limit 1")

    (index,) = fetch_one(
        project_env,
        "select indexrelid::regclass::text from pg_index where indrelid = %s::regclass "
        "and indisunique",
        [tokens],
    )
    execute(project_env, f"drop index {index}")
    key_tests = ["test", "--select", "test_name:unique_key_enforced"]
    with pytest.raises(DbtError, match="unique_key_enforced_int_complaint_texts__tokenized"):
        run_dbt(key_tests, project_env, Settings(_env_file=None))
    run_models(project_env, "int_complaint_texts__tokenized")
    results = run_dbt(key_tests, project_env, Settings(_env_file=None)).result
    tested = {
        result.node.attached_node.split(".")[-1]
        for result in results
        if result.node.resource_type == "test"
    }
    assert tested == {*INCREMENTAL_MODELS, "fct_complaint_contacts"}


@pytest.mark.slow
def test_every_seed_is_analyzed_when_a_build_loads_it(loaded: LiveScenario, project_env) -> None:
    """A reloaded seed has no statistics until autovacuum comes by, and the planner misjudged
    an anti join to a dictionary seed without them (a day's matching nested-looped for
    minutes): a build analyzes every seed it loads."""
    (started,) = fetch_one(project_env, "select now()")
    build(project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        analyzed = dict(
            conn.execute(
                "select relname, last_analyze from pg_stat_user_tables where schemaname = %s",
                [SEEDS_SCHEMA],
            ).fetchall()
        )
    seeds = {path.stem for path in (DBT_PROJECT_DIR / "seeds").glob("*.csv")}
    assert len(seeds) > 5
    unanalyzed = {seed for seed in seeds if not analyzed.get(seed) or analyzed[seed] < started}
    assert unanalyzed == set()


def fetch_one(warehouse: PostgresConnection, query: str, params: list | None = None) -> tuple:
    with psycopg.connect(warehouse.dsn()) as conn:
        return conn.execute(query, params).fetchone()


def execute(warehouse: PostgresConnection, statement: str, params: list | None = None) -> None:
    with psycopg.connect(warehouse.dsn()) as conn:
        conn.execute(statement, params)


def phone_hashes(warehouse: PostgresConnection) -> set[str]:
    with psycopg.connect(warehouse.dsn()) as conn:
        query = f"select msisdn_hash from {UNIONED_TABLE} where msisdn_hash is not null"
        return {hash_ for (hash_,) in conn.execute(query)}


def row_versions(warehouse: PostgresConnection, table: str) -> dict[str, str]:
    """Where each contact's row of `table` is stored: a row deleted and written again moves."""
    with psycopg.connect(warehouse.dsn()) as conn:
        return dict(conn.execute(f"select contact_key, ctid::text from {table}").fetchall())


def deliver_late_call(loaded: LiveScenario, notes: str) -> None:
    """A call log of day one (2026-11-16), landed after that day was loaded and built."""
    day_one = loaded.scenario.landing / "call_center" / "2026" / "11" / "16"
    (day_one / "calls_LAG1_2026111610.log").write_text(
        "ts=2026-11-16T10:00:00.000+01:00 level=INFO site=LAG1 event=call_closed "
        'call_id=C-LATE-1 agent_id=A-100 caller="0803 555 0134" duration_s=120 queue=technical '
        f'disposition=complaint reason_code=NET-01 notes="{notes}"\n'
    )


def late_call_terms(warehouse: PostgresConnection) -> set[str]:
    with psycopg.connect(warehouse.dsn()) as conn:
        matches = conn.execute(
            f"select term from {INTERMEDIATE}.{MATCHED} where contact_key = %s",
            ["call_center:C-LATE-1:call_closed"],
        )
        return {term for (term,) in matches}


def run_models(warehouse: PostgresConnection, *selected: str) -> None:
    run_dbt(["run", "--select", *selected], warehouse, Settings(_env_file=None))


def full_refresh(warehouse: PostgresConnection, *selected: str) -> None:
    run_dbt(["run", "--full-refresh", "--select", *selected], warehouse, Settings(_env_file=None))


def assert_a_full_refresh_changes_nothing(warehouse: PostgresConnection, *selected: str) -> None:
    """The incremental intermediate models hold what a full refresh of `selected` gives."""
    built = incremental_rows(warehouse)
    full_refresh(warehouse, *selected)
    assert incremental_rows(warehouse) == built


def contact_rows(warehouse: PostgresConnection) -> dict[str, dict]:
    with psycopg.connect(warehouse.dsn(), row_factory=dict_row) as conn:
        return {row["contact_key"]: row for row in conn.execute(f"select * from {CONTACTS}")}


@pytest.mark.slow
def test_loader_owns_raw_transformer_owns_the_models_and_cannot_write_raw(
    loaded: LiveScenario, project_env
) -> None:
    build(project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        owners = dict(
            conn.execute(
                "select case when nspname like 'raw\\_%' then 'raw' else 'models' end, "
                "array_agg(distinct pg_get_userbyid(relowner)) from pg_class "
                "join pg_namespace on pg_namespace.oid = relnamespace "
                "where nspname like 'raw\\_%' or nspname like 'ci\\_%' group by 1"
            ).fetchall()
        )
    assert owners == {"raw": ["loader"], "models": ["transformer"]}
    transformer = project_env.as_login("transformer", TRANSFORMER)
    with psycopg.connect(transformer.dsn(), autocommit=True) as conn:
        assert conn.execute("select count(*) from raw_sms.messages").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("delete from raw_sms.messages")


@pytest.mark.slow
def test_reporter_reads_marts_and_is_denied_raw_and_staging(
    loaded: LiveScenario, project_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEEJAN_REPORTER_PASSWORD", "reporter-test-password")
    assert "reporter" in ensure_roles(project_env, Settings(_env_file=None))
    build(project_env)
    reporter = project_env.as_login("reporter", "reporter-test-password")
    with psycopg.connect(reporter.dsn(), autocommit=True) as conn:
        assert (
            conn.execute("select count(*) from ci_marts.fct_complaint_contacts").fetchone()[0] > 0
        )
        for relation in (
            "raw_social.tweets",
            "raw_crm.customers",
            "ci_staging.stg_crm__customers",
            "ci_intermediate.int_complaints__unioned",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select 1 from {relation} limit 1")


@pytest.mark.slow
def test_every_complaint_contact_resolves_to_its_true_customer_or_to_none(
    loaded: LiveScenario, project_env
) -> None:
    build(project_env)
    truth = loaded.scenario.truth()
    with psycopg.connect(project_env.dsn()) as conn:
        rows = conn.execute(
            "select channel, source_ref, customer_id from ci_marts.fct_complaint_contacts"
        ).fetchall()
    resolved = {}
    for channel, source_ref, customer_id in rows:
        key = f"{source_ref}:call_closed" if channel == "call_center" else source_ref
        resolved[(channel, key)] = customer_id
    wrong = {
        key: (customer, truth[key].customer_id)
        for key, customer in resolved.items()
        if customer is not None and customer != truth[key].customer_id
    }
    assert wrong == {}
    # what a record carries identifies its customer: only tweets from an X handle the CRM
    # does not know (and that never typed a number) stay unidentified
    missed = {
        key
        for key, customer in resolved.items()
        if customer is None and truth[key].customer_id is not None
    }
    assert {channel for channel, _ in missed} <= {"social"}
    assert sum(1 for customer in resolved.values() if customer is not None) > 20


@pytest.mark.slow
def test_snapshots_keep_every_version_of_customers_and_plans(
    loaded: LiveScenario, project_env
) -> None:
    """Each build snapshots the CRM as loaded: every (key, updated_at) seen stays as a version,
    and the current versions are the CRM's rows of today."""
    queries = {
        "customers": "select customer_id::text, updated_at from {}",
        "plans": "select plan_code, updated_at from {}",
    }
    build(project_env)
    before = {table: crm_versions(loaded, query, table) for table, query in queries.items()}
    loaded.advance(2)  # the CRM changes some customers every day and a plan's price on day 3
    load_all(project_env)
    build(project_env)
    after = {table: crm_versions(loaded, query, table) for table, query in queries.items()}
    with psycopg.connect(project_env.dsn()) as conn:
        for table, query in queries.items():
            snapshot = f"ci_snapshots.snp_crm__{table}"
            versions = set(conn.execute(query.format(snapshot)).fetchall())
            current = set(conn.execute(query.format(f"{snapshot} where dbt_valid_to is null")))
            assert after[table] - before[table], f"the CRM changed no {table}"
            assert versions == before[table] | after[table]
            assert current == after[table]


def crm_versions(live: LiveScenario, query: str, table: str) -> set[tuple]:
    with psycopg.connect(live.scenario.crm.dsn()) as conn:
        return set(conn.execute(query.format(table)).fetchall())


@pytest.mark.slow
def test_every_source_can_be_fully_refreshed_under_the_built_views(
    loaded: LiveScenario, project_env
) -> None:
    """Staging views depend on the raw tables: a full refresh empties and refills the tables
    (they stay, and so do the views), and the next build passes."""
    build(project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        before = conn.execute(f"select count(*) from {CONTACTS}").fetchone()[0]
    settings = Settings(_env_file=None)
    results = load_sources(ALL_SOURCES, settings, project_env, full_refresh=True)
    assert [r.error for r in results] == [None] * len(ALL_SOURCES)
    build(project_env)
    with psycopg.connect(project_env.dsn()) as conn:
        assert conn.execute(f"select count(*) from {CONTACTS}").fetchone()[0] == before > 0
