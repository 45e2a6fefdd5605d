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

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from beejan.core.connections import PostgresConnection

PROJECT_DIR = Path(__file__).resolve().parents[2]


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
        default="beejan", description="Database that holds raw_*, staging and marts."
    )
    warehouse_port: int | None = Field(
        default=None, description="Fixed port for the embedded warehouse (default: a free one)."
    )
    data_dir: Path = Field(
        default=PROJECT_DIR / "data", description="Local state: embedded server, pipeline state."
    )
    landing_dir: Path | None = Field(
        default=None, description="Where file sources are dropped (default: <data_dir>/landing)."
    )
    dbt_target: str = Field(default="dev", description="dbt target: dev, ci or prod.")
    loader_password: SecretStr | None = Field(default=None, description="Login of role loader.")
    transformer_password: SecretStr | None = Field(
        default=None, description="Login of role transformer."
    )
    reporter_password: SecretStr | None = Field(default=None, description="Login of role reporter.")
    pii_salt: SecretStr | None = Field(
        default=None, description="Salt of the PII hashes (required in prod; dev has a fallback)."
    )

    # Scheduled production runs (flows/)
    load_retries: int = Field(default=2, description="Retries of a source load that failed.")
    load_retry_delay_seconds: float = Field(
        default=120, description="Wait before each retry of a source load."
    )
    schedule_cron: str = Field(default="0 6 * * *", description="When the flow runs (cron).")
    schedule_timezone: str = Field(default="Africa/Lagos", description="Zone of schedule_cron.")
    alert_webhook_url: SecretStr | None = Field(
        default=None, description="Slack-style webhook that gets a message when a run fails."
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

    @property
    def landing_path(self) -> Path:
        return self.landing_dir or self.data_dir / "landing"

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
        return PostgresConnection(
            host=env["PGHOST"],
            port=int(env.get("PGPORT", "5432")),
            user=env.get("PGUSER", "postgres"),
            password=env.get("PGPASSWORD", ""),
            database=env.get("PGDATABASE", self.warehouse_database),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
