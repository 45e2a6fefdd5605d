{#- The spark engine's raw layer, registered in Spark's catalog at the start of every run
    (on-run-start), so that sources read the same names on both engines:
    - every table folder of the Parquet lake that dlt writes (extract_load/lake.py), as an
      external table, dropped and created again so that a column a newer load added is seen;
    - `raw_quarantine.quarantined_records`, the view over every source's quarantine;
    - the tables that stay in the PostgreSQL warehouse (the CRM's raw tables, which Meltano
      lands, the run audit and the PII salt), as views over the JDBC catalog `warehouse_pg`
      (profiles.yml), read as the transformer role.
    On PostgreSQL raw is in place already: nothing to do. -#}
{% macro register_raw_tables() -%}
    {{ return(adapter.dispatch('register_raw_tables')()) }}
{%- endmacro %}

{% macro postgres__register_raw_tables() -%}
{%- endmacro %}

{% macro spark__register_raw_tables() -%}
    {%- if execute %}
        {%- set lake_root = run_query('set spark.beejan.lake_root').columns[1].values()[0] %}
        {%- set tables = lake_tables(lake_root) %}
        {%- for table in tables %}
            {%- do run_query('create schema if not exists ' ~ table.dataset) %}
            {%- do run_query('drop table if exists ' ~ table.dataset ~ '.' ~ table.name) %}
            {%- do run_query(
                'create table ' ~ table.dataset ~ '.' ~ table.name
                ~ " using parquet options (mergeSchema 'true') location '"
                ~ lake_root ~ '/' ~ table.dataset ~ '/' ~ table.name ~ "'"
            ) %}
        {%- endfor %}
        {%- do register_quarantine_view(tables) %}
        {%- do register_warehouse_views() %}
    {%- endif %}
{%- endmacro %}

{% macro lake_tables(lake_root) -%}
    {#- (dataset, name) of each table folder under `lake_root` that holds Parquet files (dlt's
        own tables are JSON lines) -#}
    {%- do run_query(
        'create or replace temporary view beejan_lake_files using binaryFile'
        ~ " options (path '" ~ lake_root ~ "', recursiveFileLookup 'true',"
        ~ " pathGlobFilter '*.parquet')"
    ) %}
    {%- set found = run_query(
        "select distinct regexp_extract(path, '/(raw_[a-z0-9_]+)/([a-z0-9_]+)/[^/]+$', 1) as dataset,"
        ~ " regexp_extract(path, '/(raw_[a-z0-9_]+)/([a-z0-9_]+)/[^/]+$', 2) as name"
        ~ ' from beejan_lake_files order by 1, 2'
    ) %}
    {{- return(found.rows | selectattr('dataset') | list) }}
{%- endmacro %}

{% macro register_quarantine_view(tables) -%}
    {#- extract_load/quarantine.py builds the same view on PostgreSQL: each record once, as it
        was first set aside (the lake appends a record read again), with its latest decision -#}
    {%- set records = tables | selectattr('name', 'equalto', 'quarantined_records') | list %}
    {%- set decisions = tables | selectattr('name', 'equalto', 'quarantine_decisions') | list %}
    {%- if records %}
        {%- do run_query('create schema if not exists raw_quarantine') %}
        {%- set decision_columns = {
            'decision_id': 'string', 'quarantine_id': 'string', 'source': 'string',
            'outcome': 'string', 'reason': 'string', 'detail': 'string', 'payload': 'binary',
            'decided_by': 'string', 'decided_at': 'timestamp', '_dlt_load_id': 'string'
        } %}
        {%- set no_decisions = [] %}
        {%- for name, type in decision_columns.items() %}
            {%- do no_decisions.append('cast(null as ' ~ type ~ ') as ' ~ name) %}
        {%- endfor %}
        {%- do run_query(
            'create or replace view raw_quarantine.quarantine_decisions as '
            ~ union_of(decisions, decision_columns.keys() | join(', '), no_decisions | join(', '))
        ) %}
        {%- set columns = 'quarantine_id, source, reason, detail, payload, payload_bytes, origin,'
            ~ ' quarantined_at, _dlt_load_id' %}
        {%- do run_query(
            'create or replace view raw_quarantine.quarantined_records as'
            ~ ' with records as (' ~ first_row_per(
                '(' ~ union_of(records, columns) ~ ')', 'quarantine_id', '_dlt_load_id asc'
            ) ~ '),'
            ~ ' latest as (' ~ first_row_per(
                'raw_quarantine.quarantine_decisions', 'quarantine_id', 'decided_at desc'
            ) ~ '),'
            ~ ' failed as (' ~ first_row_per(
                "(select * from raw_quarantine.quarantine_decisions where outcome = 'requarantined')",
                'quarantine_id', 'decided_at desc'
            ) ~ ')'
            ~ ' select records.*,'
            ~ " case when latest.outcome in ('replayed', 'dismissed') then latest.outcome"
            ~ " else 'open' end as status,"
            ~ ' coalesce(failed.reason, records.reason) as current_reason,'
            ~ ' coalesce(failed.detail, records.detail) as current_detail,'
            ~ ' latest.decided_by, latest.decided_at, latest.detail as decision_detail'
            ~ ' from records'
            ~ ' left join latest on records.quarantine_id = latest.quarantine_id'
            ~ ' left join failed on records.quarantine_id = failed.quarantine_id'
        ) %}
    {%- endif %}
{%- endmacro %}

{% macro union_of(tables, columns, no_rows=none) -%}
    {#- `columns` of each of `tables`, one after the other; `no_rows` typed, without tables -#}
    {%- if not tables %}
        {{- return('select ' ~ no_rows ~ ' where false') }}
    {%- endif %}
    {%- set selects = [] %}
    {%- for table in tables %}
        {%- do selects.append('select ' ~ columns ~ ' from ' ~ table.dataset ~ '.' ~ table.name) %}
    {%- endfor %}
    {{- return(selects | join(' union all ')) }}
{%- endmacro %}

{% macro register_warehouse_views() -%}
    {#- the sources that stay in PostgreSQL (all but dlt's: the CRM that Meltano lands, the run
        audit, the PII salt), as views over the JDBC catalog, once their table exists there -#}
    {%- set schemas = run_query('show namespaces in warehouse_pg').columns[0].values() %}
    {%- for source in graph.sources.values()
        if source.loader != 'dlt' and source.schema in schemas %}
        {%- set tables = run_query('show tables in warehouse_pg.' ~ source.schema) %}
        {%- if source.identifier in tables.columns[1].values() %}
            {%- do run_query('create schema if not exists ' ~ source.schema) %}
            {%- do run_query(
                'create or replace view ' ~ source.schema ~ '.' ~ source.identifier
                ~ ' as select * from warehouse_pg.' ~ source.schema ~ '.' ~ source.identifier
            ) %}
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
