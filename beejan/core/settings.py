"""The one place that reads configuration: environment variables prefixed ``BEEJAN_`` and an
optional ``.env`` file in the working directory. Every other module asks ``get_settings()``.

The warehouse is resolved in this order:
1. ``BEEJAN_WAREHOUSE_DSN`` (``postgresql://user:password@host:port/database``);
2. the usual libpq variables, when ``PGHOST`` is set (``PGPORT``, ``PGUSER``, ``PGPASSWORD``,
   ``PGDATABASE``);
3. otherwise the embedded PostgreSQL that ``beejan warehouse start`` runs under ``data/``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import limits
from croniter import croniter
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from beejan.core.connections import PostgresConnection
from beejan.core.errors import BeejanError

PROJECT_DIR = Path(__file__).resolve().parents[2]


# Where no data directory can live: kernel file systems.
VIRTUAL_FILE_SYSTEMS = (Path("/proc"), Path("/sys"), Path("/dev"))
ENVIRONMENTS = ("dev", "ci", "staging", "prod")


class SettingsError(BeejanError):
    """A setting has a value the project cannot use; the message names it."""


class Settings(BaseSettings):
    """Every setting of the project, with its default. See README "Configuration"."""

    model_config = SettingsConfigDict(
        env_prefix="BEEJAN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Warehouse
    warehouse_dsn: SecretStr | None = Field(
        default=None, description="External warehouse; unset means the embedded one."
    )
    warehouse_database: str = Field(
        default="beejan", min_length=1, description="Database that holds raw_*, staging and marts."
    )
    warehouse_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Fixed port for the embedded warehouse (default: a free one).",
    )
    data_dir: Path = Field(
        default=PROJECT_DIR / "data", description="Local state: embedded server, pipeline state."
    )
    landing_dir: Path | None = Field(
        default=None, description="Where file sources are dropped (default: <data_dir>/landing)."
    )
    environment: Literal["dev", "ci", "staging", "prod"] = Field(
        default="dev",
        description="dev, ci, staging or prod: the dbt target and Meltano environment.",
    )
    loader_password: SecretStr | None = Field(default=None, description="Login of role loader.")
    transformer_password: SecretStr | None = Field(
        default=None, description="Login of role transformer."
    )
    reporter_password: SecretStr | None = Field(default=None, description="Login of role reporter.")
    pii_salt: SecretStr | None = Field(
        default=None, description="Salt of the PII hashes (required in prod; generated in dev)."
    )

    log_file: Path | None = Field(
        default=None,
        description="JSON-lines log of every command and flow run, rotated at 10 MB "
        "(default: <data_dir>/logs/beejan.jsonl).",
    )

    # Engine (README "One dbt project, two engines")
    engine: Literal["postgres", "spark"] = Field(
        default="postgres",
        description="postgres: raw lands in the warehouse and dbt builds there; spark: raw lands "
        "as Parquet under the lake and dbt-spark builds.",
    )
    lake_url: str | None = Field(
        default=None,
        description="Root of the Parquet lake of the spark engine: a folder or an object-store "
        "URL such as s3://bucket/beejan (default: <data_dir>/lake).",
    )
    spark_method: Literal["session", "thrift"] = Field(
        default="session",
        description="How dbt reaches Spark: session (a driver in dbt's own process, on "
        "BEEJAN_SPARK_MASTER) or thrift (a Spark Thrift server).",
    )
    spark_master: str = Field(
        default="local[*]",
        description="The session's master: local[N] or spark://host:7077 (for Spark Connect, "
        "pyspark's own SPARK_REMOTE=sc://host:15002 wins).",
    )
    spark_host: str = Field(default="localhost", description="Spark Thrift server (thrift).")
    spark_port: int = Field(default=10000, ge=1, le=65535, description="Its port.")
    spark_user: str | None = Field(default=None, description="Its login, if it needs one.")

    # Loads (extract_load/)
    max_record_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="A line or CSV row longer than this is quarantined, not parsed.",
    )

    # Scheduled production runs (flows/)
    load_retries: int = Field(
        default=2, ge=0, le=100, description="Retries of a source load that failed."
    )
    load_retry_delay_seconds: float = Field(
        default=120, ge=0, description="Wait before each retry of a source load."
    )
    schedule_cron: str = Field(default="0 6 * * *", description="When the flow runs (cron).")
    schedule_timezone: str = Field(default="Africa/Lagos", description="Zone of schedule_cron.")
    load_concurrency: int = Field(
        default=3, ge=1, le=16, description="Sources a run loads at the same time."
    )
    near_real_time_minutes: int = Field(
        default=15, ge=1, le=1440, description="How often the near-real-time lane runs."
    )

    # Alerts (flows/notify.py): where they go, and the thresholds beside failures
    alert_webhook_url: SecretStr | None = Field(
        default=None, description="Slack-compatible webhook (JSON `text`) for alerts."
    )
    alert_email_to: str | None = Field(
        default=None, description="Alert recipients, comma-separated (needs BEEJAN_SMTP_HOST)."
    )
    alert_email_from: str = Field(default="beejan-warehouse@localhost", description="Sender.")
    smtp_host: str | None = Field(default=None, description="SMTP server for alert emails.")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Its port.")
    smtp_user: str | None = Field(default=None, description="SMTP login, if it needs one.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", description="starttls, ssl or none (a server on a trusted network)."
    )
    alert_quarantine_threshold: int = Field(
        default=50, ge=0, description="Alert when one run quarantines more records of a source."
    )
    alert_silent_source_runs: int = Field(
        default=3,
        ge=1,
        description="Alert when a source loads nothing although it did in each of this many "
        "previous runs.",
    )

    # Serving (serving/): the report and the read API, both logged in as the reporter role
    report_file: Path | None = Field(
        default=None,
        description="Where `beejan report` and every pipeline run write the report "
        "(default: <data_dir>/reports/complaint_report.html).",
    )
    report_days: int = Field(
        default=365, ge=7, le=3660, description="Days the report covers, up to the newest one."
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="Hashes of the keys `beejan api keys issue` gave out "
        "(default: <data_dir>/api/keys.json).",
    )
    api_key_hashes: SecretStr | None = Field(
        default=None,
        description="More API keys, from a secret store: `name:sha256hex` pairs, comma-separated.",
    )
    api_rate_limit: str = Field(
        default="120/minute", description="Requests per API key (e.g. `120/minute`, `10/second`)."
    )
    api_max_page_size: int = Field(
        default=500, ge=1, le=10_000, description="The largest page an API client may ask for."
    )

    # Source systems (SOURCES.md); the simulator serves the same contracts locally.
    crm_dsn: SecretStr | None = Field(
        default=None, description="The CRM database (default: database `crm` on the warehouse)."
    )
    social_api_base: str = "http://127.0.0.1:8701"
    social_bearer_token: SecretStr = SecretStr("")
    social_query: str = "@BeejanCare OR #BeejanDown"
    sms_api_base: str = "http://127.0.0.1:8702"
    sms_account_sid: str = ""
    sms_auth_token: SecretStr = SecretStr("")
    sms_short_code: str = "32123"

    @field_validator("warehouse_dsn", "crm_dsn")
    @classmethod
    def _is_a_postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            PostgresConnection.from_dsn(value.get_secret_value())  # ValueError says what is wrong
        return value

    @field_validator("data_dir", "landing_dir")
    @classmethod
    def _can_hold_files(cls, value: Path | None) -> Path | None:
        return None if value is None else _real_folder(value, value)

    @field_validator("log_file", "report_file", "api_keys_file")
    @classmethod
    def _can_be_written(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        if value.is_dir():
            raise ValueError(f"{value} is a folder; name a file")
        return _real_folder(value.expanduser().absolute().parent, value) / value.name

    @field_validator("api_rate_limit")
    @classmethod
    def _is_rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError as error:
            raise ValueError(f"{value!r} is not a rate (e.g. '120/minute')") from error
        return value

    @field_validator("schedule_cron")
    @classmethod
    def _is_cron(cls, value: str) -> str:
        if not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression (e.g. '0 6 * * *')")
        return value

    @field_validator("schedule_timezone")
    @classmethod
    def _is_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"{value!r} is not a time zone (e.g. 'Africa/Lagos')") from error
        return value

    @field_validator("social_api_base", "sms_api_base")
    @classmethod
    def _is_http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")

    @property
    def landing_path(self) -> Path:
        return self.landing_dir or self.data_dir / "landing"

    @property
    def on_lake(self) -> bool:
        """The spark engine: raw lands in the Parquet lake and Spark builds the models, so the
        marts are not in the warehouse (which keeps the CRM, the run audit and the roles)."""
        return self.engine == "spark"

    @property
    def lake_root(self) -> str:
        """Where the spark engine's raw data lives, as a URL dlt and Spark both read."""
        url = self.lake_url or str(self.data_dir / "lake")
        return url if "://" in url else Path(url).expanduser().absolute().as_uri()

    @property
    def report_path(self) -> Path:
        return self.report_file or self.data_dir / "reports" / "complaint_report.html"

    @property
    def api_keys_path(self) -> Path:
        return self.api_keys_file or self.data_dir / "api" / "keys.json"

    @property
    def embedded_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def uses_embedded_warehouse(self) -> bool:
        return self.warehouse_dsn is None and not os.environ.get("PGHOST")

    def external_warehouse(self) -> PostgresConnection:
        """The configured external warehouse (only when ``uses_embedded_warehouse`` is false)."""
        if self.warehouse_dsn is not None:
            return PostgresConnection.from_dsn(self.warehouse_dsn.get_secret_value())
        env = os.environ
        try:
            port = int(env.get("PGPORT", "5432"))
        except ValueError as error:
            raise SettingsError(f"PGPORT: {env['PGPORT']!r} is not a port number") from error
        return PostgresConnection(
            host=env["PGHOST"],
            port=port,
            user=env.get("PGUSER", "postgres"),
            password=env.get("PGPASSWORD", ""),
            database=env.get("PGDATABASE", self.warehouse_database),
        )

    def prepare_data_dir(self) -> None:
        """Create the data directory (mode 0700: it holds the pipeline's state and logins)."""
        try:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise SettingsError(
                f"BEEJAN_DATA_DIR: cannot create {self.data_dir}: {error.strerror}"
            ) from error


def _real_folder(folder: Path, setting: Path) -> Path:
    """`folder` made absolute, when it is or can become a folder on a real file system."""
    path = folder.expanduser().absolute()
    if any(path.is_relative_to(virtual) for virtual in VIRTUAL_FILE_SYSTEMS):
        raise ValueError(f"{setting} is on a kernel file system; choose a real folder")
    for parent in (path, *path.parents):
        if parent.exists() and not parent.is_dir():
            raise ValueError(f"{parent} is a file, so {path} cannot be a folder")
    return path


def explain_invalid(error: ValidationError) -> str:
    """One line that names the setting (as it is spelled in the environment) and the problem."""
    problems = []
    for problem in error.errors():
        name = "BEEJAN_" + "_".join(str(part) for part in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        value = problem.get("input")
        secret = any(word in name for word in ("PASSWORD", "TOKEN", "SALT", "DSN", "URL"))
        if value is not None and not secret and str(value) not in message:
            message += f" (got {str(value)[:60]!r})"
        problems.append(f"{name}: {message}")
    return "; ".join(problems)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process; SettingsError (one line) when one of them is invalid."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(explain_invalid(error)) from None
