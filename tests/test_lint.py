"""Lint is part of the test suite, so a lint failure fails CI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from beejan.core.connections import PostgresConnection
from beejan.core.settings import PROJECT_DIR, Settings
from beejan.dbt_runner import DBT_PROJECT_DIR, dbt_artifacts, dbt_environment, run_dbt

TOOLS = Path(sys.executable).parent


def run_tool(
    *command: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOOLS / command[0]), *command[1:]],
        cwd=PROJECT_DIR,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_python_passes_ruff_lint() -> None:
    result = run_tool("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_is_ruff_formatted() -> None:
    result = run_tool("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


# macros that write no SQL of their own (a schema name, relation lookups, a question to the
# warehouse) or only inside an incremental run (a pre-hook that deletes what the run rebuilds)
MACROS_WITHOUT_SQL = {
    "existing_source",
    "generate_schema_name",
    "optional_column",
    "built_with_inputs",
    "key_columns",
    "delete_text_rows_to_build",
    # statements that register the lake's tables in Spark, and Spark's seed loader
    "register_raw_tables",
    "lake_tables",
    "register_quarantine_view",
    "union_of",
    "register_warehouse_views",
    "load_csv_rows",
    "spark_literal",
}
MACRO_CALLS = Path(__file__).parent / "dbt" / "macro_calls.sql"


def macros_defined(folder: Path) -> set[str]:
    """The macros the SQL files under `folder` define, an engine's implementation of a
    dispatched macro (`postgres__x`, `spark__x`) counted as the macro it implements (`x`)."""
    return {
        re.sub(r"^(postgres|spark)__", "", name)
        for path in folder.rglob("*.sql")
        for name in re.findall(r"{%-? macro (\w+)\(", path.read_text())
    }


def test_sql_the_macros_write_passes_sqlfluff(warehouse: PostgresConnection) -> None:
    """sqlfluff's dbt templater skips macro files, so each macro is called once (macro_calls.sql),
    compiled by dbt and the result linted. Layout follows the call site and dbt quotes the
    relations it renders, so those two rule groups are left to the model lint; a macro that
    passes rows through selects `*`, whose columns the call site knows (AM04)."""
    defined = macros_defined(DBT_PROJECT_DIR / "macros")
    calls = MACRO_CALLS.read_text()
    assert {name for name in defined if f"{name}(" not in calls} == MACROS_WITHOUT_SQL

    env = {**os.environ, **dbt_environment(warehouse, Settings(environment="ci"))}
    project = ("--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR))
    compiled = run_tool("dbt", "compile", "--quiet", "--inline", calls, *project, env=env)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    assert "{{" not in compiled.stdout and "grant usage" in compiled.stdout

    lint = ("lint", "-", "--templater", "raw", "--exclude-rules", "layout,RF06,AM04")
    result = run_tool("sqlfluff", *lint, stdin=compiled.stdout)
    assert result.returncode == 0, compiled.stdout + result.stdout + result.stderr


def test_dbt_project_follows_its_conventions(warehouse: PostgresConnection) -> None:
    """dbt-bouncer checks the rules of dbt-project-evaluator (dbt_project/dbt-bouncer.yml) on
    the parsed manifest; every model, seed and snapshot also belongs to an owning group."""
    settings = Settings(environment="ci")
    run_dbt(["parse"], warehouse, settings)
    bouncer = subprocess.run(
        [str(TOOLS / "dbt-bouncer"), "--config-file", "dbt-bouncer.yml"],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bouncer.returncode == 0, bouncer.stdout + bouncer.stderr
    assert "All checks passed" in bouncer.stdout

    manifest = json.loads((dbt_artifacts(settings) / "manifest.json").read_text())
    owned = {"model", "seed", "snapshot"}
    nodes = [node for node in manifest["nodes"].values() if node["resource_type"] in owned]
    assert len(nodes) > 40
    assert [node["unique_id"] for node in nodes if not node["config"].get("group")] == []
    groups = {group["name"]: group for group in manifest["groups"].values()}
    assert {node["config"]["group"] for node in nodes} <= groups.keys()
    assert [name for name, group in groups.items() if not group["owner"].get("email")] == []


# SQL only PostgreSQL reads, each with the portable way to write it. Spark reads `::` casts to
# the types it knows, `filter (where ...)`, `interval '6 hours'` and `is not distinct from`.
ENGINE_ONLY_SQL = {
    "a PostgreSQL type name (type_instant(), dbt.type_string(), type_string_array())": (
        r"::\s*(?!(?:int|integer|bigint|smallint|numeric|decimal|date|boolean)\b)[a-z]"
        r"|\bas\s+(?:text|timestamptz|jsonb?)\b|\w\[\]"
    ),
    "at time zone (utc_instant, utc_date)": r"\bat\s+time\s+zone\b",
    "distinct on (first_row_per)": r"\bdistinct\s+on\b",
    "a regex operator (matches_regex)": r"\s!?~\*?\s",
    "regexp_replace, whose flags differ (regexp_replace_all)": r"\bregexp_replace\s*\(",
    "a PostgreSQL-only function (see macros/cross_db)": (
        r"\b(?:generate_series|regexp_split_to_table|regexp_matches|unnest|array_agg|string_agg"
        r"|jsonb?_\w+|to_jsonb?|sha256|encode|convert_to|date_part|levenshtein\w*|to_char"
        r"|to_timestamp|array_to_string)\s*\("
    ),
    "with ordinality (lateral_words)": r"\bwith\s+ordinality\b",
    "a JSON operator (json_keys_where_set)": r"->>?|#>>?",
    "an epoch or isodow field (epoch_seconds, elapsed, iso_day_of_week)": (
        r"\b(?:extract|date_part)\s*\(\s*'?(?:epoch|isodow|dow|doy|isoyear)\b"
    ),
    "a regex substring (regex_substring)": r"\bsubstring\s*\([^()]*\bfrom\s+'",
    # Spark reads left(x, -1) as '' and ltrim(x, '@') as ltrim(trimStr, str): wrong answers
    "a negative left() or right() length (substring)": r"\b(?:left|right)\s*\([^()]*,\s*-",
    "a two-argument ltrim or rtrim (trim(leading ... from ...))": r"\b[lr]trim\s*\([^()]*,",
    "an infinite timestamp": r"'[-+]?infinity'",
    "an escape string literal": r"\bE'",
    "analyze or vacuum (update_statistics)": r"^\s*(?:analyze|vacuum)\b",
}
# in the SQL or inside a string Jinja passes (whose own quotes are not looked at)
QUOTED_IDENTIFIER = r'"[^"\n]*"'
JINJA = re.compile(r"{#.*?#}|{{.*?}}|{%.*?%}", re.S)
JINJA_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
SQL_COMMENT = re.compile(r"--[^\n]*")


def engine_only_sql(text: str) -> list[str]:
    """What in a dbt SQL file only PostgreSQL reads: in its SQL, and in the strings its Jinja
    passes to macros (which end up in the SQL); SQL and Jinja comments are skipped."""
    blocks = [block for block in JINJA.findall(text) if not block.startswith("{#")]
    sql = SQL_COMMENT.sub("", JINJA.sub("_jinja_", text))
    strings = [string[1:-1] for block in blocks for string in JINJA_STRING.findall(block)]
    found = [
        name
        for name, rule in ENGINE_ONLY_SQL.items()
        if any(re.search(rule, part, re.I | re.M) for part in (sql, *strings))
    ]
    if any(re.search(QUOTED_IDENTIFIER, part) for part in (sql, *strings)):
        found.append("a double-quoted identifier, a string on Spark (adapter.quote())")
    return found


def dbt_sql_files() -> list[Path]:
    """Every SQL file of the dbt project but the dispatched macros, the one place for SQL that
    only one engine reads."""
    folders = ("models", "macros", "tests", "snapshots", "analyses")
    files = [path for folder in folders for path in (DBT_PROJECT_DIR / folder).rglob("*.sql")]
    cross_db = DBT_PROJECT_DIR / "macros" / "cross_db"
    return [path for path in files if cross_db not in path.parents]


def project_hooks() -> list[str]:
    """The hooks in dbt_project.yml (SQL too)."""
    hooks: list[str] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                walk(value, str(name))
        elif isinstance(node, list):
            for value in node:
                walk(value, key)
        elif isinstance(node, str) and ("hook" in key or key.startswith("on-run")):
            hooks.append(node)

    walk(yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text()))
    return hooks


def test_sql_outside_the_dispatched_macros_is_portable() -> None:
    """Models, tests and macros run on PostgreSQL and on Spark (README: one dbt project, two
    engines): SQL that only PostgreSQL reads belongs in a dispatched macro under macros/cross_db."""
    files = dbt_sql_files()
    assert len(files) > 50
    offending = {
        str(path.relative_to(DBT_PROJECT_DIR)): found
        for path in files
        if (found := engine_only_sql(path.read_text()))
    }
    offending |= {hook: found for hook in project_hooks() if (found := engine_only_sql(hook))}
    assert offending == {}


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select null::text as name", "a PostgreSQL type name"),
        ("select cast(x as timestamptz)", "a PostgreSQL type name"),
        ("select null::{{ dbt.type_string() }}[]", "a PostgreSQL type name"),
        ("select (at_ at time zone 'UTC')::date", "at time zone"),
        ("select distinct on (key) * from t order by key", "distinct on"),
        ("where token ~ '^[a-z]+$'", "a regex operator"),
        ("select regexp_replace(x, 'a', 'b', 'g')", "regexp_replace"),
        ("select (array_agg(x order by y))[1]", "a PostgreSQL-only function"),
        (
            "{{ first_row_per('(select string_agg(x, \\',\\') from t)', 'k', 'o') }}",
            "a PostgreSQL-only function",
        ),
        ("cross join lateral unnest(xs) with ordinality as t", "with ordinality"),
        ("where value ->> 'error' is not null", "a JSON operator"),
        ("select extract(epoch from at_)", "an epoch or isodow field"),
        ("select substring(text from '[0-9]+')", "a regex substring"),
        ("select left(token, -1)", "a negative left() or right() length"),
        ("{{ mask_pii(\"lower(ltrim(handle, '@'))\") }}", "a two-argument ltrim or rtrim"),
        ("select coalesce(x, '-infinity')", "an infinite timestamp"),
        ("select E'\\n'", "an escape string literal"),
        ('select "from" from sms', "a double-quoted identifier"),
        ("{{ normalize_msisdn('\"from\"') }}", "a double-quoted identifier"),
        ("analyze {{ this }}", "analyze or vacuum"),
    ],
)
def test_the_portability_lint_finds_engine_only_sql(sql: str, expected: str) -> None:
    assert any(found.startswith(expected) for found in engine_only_sql(sql))


def test_the_portability_lint_lets_portable_sql_pass() -> None:
    portable = """
        -- a comment may say anything: distinct on, ::text, ->
        {#- so may a Jinja one: at time zone -#}
        select
            count(*) filter (where kind = 'a')::bigint as a_count,
            received_at - interval '{{ var("complaint_window") }}' as window_start,
            {{ utc_date('received_at') }} as received_date,
            x is not distinct from y as same,
            substring(token, 1, length(token) - 1) as singular,
            trim(leading '@' from handle) as handle,
            {{ adapter.quote('from') }} as sender
        from {{ ref('stg_sms__messages') }}
        {% set label = 'a' ~ 'c' %}
    """
    assert engine_only_sql(portable) == []
