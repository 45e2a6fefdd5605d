"""Where a PostgreSQL database is and how to log in to it: one value type every layer passes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import quote, unquote, urlsplit


@dataclass(frozen=True)
class PostgresConnection:
    """Where a PostgreSQL database is and how to log in to it."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    database: str

    def dsn(self, database: str | None = None) -> str:
        """A libpq URL for this server, optionally for another database on it."""
        credentials = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return f"postgresql://{credentials}@{self.host}:{self.port}/{database or self.database}"

    def for_database(self, database: str) -> PostgresConnection:
        return replace(self, database=database)

    def as_login(self, user: str, password: str) -> PostgresConnection:
        """The same server and database, logged in as another role."""
        return replace(self, user=user, password=password)

    def describe(self) -> str:
        """Where it is, without the password: safe for logs and error messages."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    @classmethod
    def from_dsn(cls, dsn: str) -> PostgresConnection:
        """The connection of a libpq URL; ValueError (without the password) when it is not one."""
        url = urlsplit(dsn)
        if url.scheme not in {"postgresql", "postgres"} or not url.hostname:
            raise ValueError("must look like postgresql://user:password@host:port/database")
        try:
            port = url.port
        except ValueError:
            raise ValueError("its port must be a number from 1 to 65535") from None
        if port == 0:
            raise ValueError("its port must be a number from 1 to 65535")
        return cls(
            host=url.hostname,
            port=port or 5432,
            user=unquote(url.username or "postgres"),
            password=unquote(url.password or ""),
            database=url.path.lstrip("/") or "postgres",
        )
