"""Run dbt against the warehouse, in-process, logged in as the transformer role.

`profiles.yml` (top level) is the one definition of the dbt profile; its values come from
`env_var()` so that people can run dbt by hand (`eval "$(beejan warehouse env)"`). The runner
does not rewrite this process's environment: it renders the profile with the resolved values
into a private temporary folder (mode 0700, removed after the run) and points dbt at it.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import jinja2
import yaml

from beejan.core.connections import PostgresConnection
from beejan.core.debian import spark_runtime
from beejan.core.errors import BeejanError
from beejan.core.locks import warehouse_lock
from beejan.core.roles import login_as
from beejan.core.settings import PROJECT_DIR, Settings, get_settings

DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
PROFILES_TEMPLATE = PROJECT_DIR / "profiles.yml"


class DbtError(BeejanError):
    """A dbt command failed (a model, a test or the invocation itself)."""


def dbt_environment(connection: PostgresConnection, settings: Settings) -> dict[str, str]:
    """The variables ``profiles.yml`` reads with ``env_var()``."""
    warehouse = {
        "BEEJAN_PG_HOST": connection.host,
        "BEEJAN_PG_PORT": str(connection.port),
        "BEEJAN_PG_USER": connection.user,
        "BEEJAN_PG_PASSWORD": connection.password,
        "BEEJAN_PG_DATABASE": connection.database,
    }
    if not settings.on_lake:
        return warehouse | {"DBT_TARGET": settings.environment}
    if importlib.util.find_spec("dbt.adapters.spark") is None:
        raise BeejanError(
            "BEEJAN_ENGINE=spark needs dbt-spark and pyspark: "
            "pip install 'beejan-complaint-warehouse[spark]'"
        )
    _, jdbc_jar = spark_runtime()
    return warehouse | {
        "DBT_TARGET": f"spark_{settings.environment}",
        "BEEJAN_SPARK_METHOD": settings.spark_method,
        "BEEJAN_SPARK_HOST": settings.spark_host,
        "BEEJAN_SPARK_PORT": str(settings.spark_port),
        "BEEJAN_SPARK_USER": settings.spark_user or "",
        "BEEJAN_SPARK_MASTER": settings.spark_master,
        "BEEJAN_SPARK_HOME": str(settings.data_dir / "spark"),
        "BEEJAN_SPARK_JDBC_JAR": jdbc_jar,
        "BEEJAN_LAKE_ROOT": settings.lake_root,
    }


def render_profiles(variables: dict[str, str]) -> dict[str, Any]:
    """profiles.yml with the target's `env_var()`s resolved from `variables` (not the
    environment)."""

    def env_var(name: str, default: str | None = None) -> str:
        if name in variables:
            return variables[name]
        if default is None:
            raise DbtError(f"profiles.yml needs {name}, which the runner does not provide")
        return default

    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    jinja.globals["env_var"] = env_var
    jinja.filters["as_number"] = lambda value: value

    def render(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: render(value) for key, value in node.items()}
        if isinstance(node, str) and "{{" in node:
            text = jinja.from_string(node).render()
            return int(text) if "as_number" in node else text
        return node

    profiles = yaml.safe_load(PROFILES_TEMPLATE.read_text())
    for profile in profiles.values():  # the chosen output alone: each engine's needs its own
        target = render(profile["target"])
        profile["outputs"] = {target: render(profile["outputs"][target])}
    return render(profiles)


def marts_schema(settings: Settings) -> str:
    """Where the marts of the settings' environment are (generate_schema_name's rule: the plain
    layer name in prod, `<target schema>_marts` elsewhere)."""
    if settings.environment == "prod":
        return "marts"
    profile = yaml.safe_load(PROFILES_TEMPLATE.read_text())["beejan_warehouse"]
    return f"{profile['outputs'][settings.environment]['schema']}_marts"


@contextmanager
def dbt_session(
    connection: PostgresConnection, settings: Settings, *, exclusive: bool = True
) -> Iterator[Path]:
    """Yield a profiles folder that logs in as the transformer role, holding the warehouse's
    dbt lock when `exclusive` (one dbt command at a time writes the marts and `target/`)."""
    transformer = login_as("transformer", connection, settings)
    with (
        warehouse_lock(connection, "beejan:dbt") if exclusive else nullcontext(),
        tempfile.TemporaryDirectory(prefix="beejan-dbt-") as folder,  # mode 0700
    ):
        profiles = Path(folder) / "profiles.yml"
        profiles.touch(mode=0o600)
        profiles.write_text(yaml.safe_dump(render_profiles(dbt_environment(transformer, settings))))
        yield Path(folder)


def dbt_artifacts(settings: Settings) -> Path:
    """dbt's `target/` (manifest, run results, the docs site) for this data directory: runs
    against different warehouses from one checkout (a test worker each, a staging and a prod
    deployment) must not write over each other's artifacts. Each engine has its own: dbt
    parses the whole project again when the adapter of its saved parse differs."""
    return settings.data_dir / "dbt" / ("target-spark" if settings.on_lake else "target")


def run_dbt(
    args: Sequence[str],
    connection: PostgresConnection,
    settings: Settings | None = None,
    *,
    exclusive: bool = True,
) -> Any:
    """Invoke dbt (e.g. ``["build"]``) as the transformer role and raise ``DbtError`` unless
    it succeeds. ``connection`` is the warehouse database (any login; the roles must exist).
    Only commands that write nothing (serving the docs) should pass ``exclusive=False``."""
    from dbt.cli.main import dbtRunner

    settings = settings or get_settings()
    artifacts = dbt_artifacts(settings)
    with dbt_session(connection, settings, exclusive=exclusive) as profiles_dir:
        result = dbtRunner().invoke(
            [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(profiles_dir)],
            target_path=str(artifacts),
            log_path=str(artifacts.parent / "logs"),
        )
    return succeeded(args, result)


def succeeded(args: Sequence[str], result: Any) -> Any:
    """The result of a dbt invocation, or ``DbtError`` naming the nodes that failed."""
    if not result.success:
        raise DbtError(f"dbt {' '.join(args)} failed: {failure_reason(result)}")
    return result


def failure_reason(result: Any) -> str:
    """The nodes that failed, by name, or the invocation's own error."""
    if result.exception is not None:
        return str(result.exception).strip().splitlines()[0]
    failed = [
        node.node.name
        for node in getattr(result.result, "results", None) or []
        if str(node.status) in ("error", "fail")
    ]
    return f"{', '.join(failed)} failed (see the dbt output above)" if failed else "see above"
