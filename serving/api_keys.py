"""API keys: issued by `beejan api keys issue NAME`, shown once, stored only as hashes.

The store is a JSON file (BEEJAN_API_KEYS_FILE, mode 0600); BEEJAN_API_KEY_HASHES adds keys
provisioned from a secret store. A key is 32 random bytes, so a plain SHA-256 is enough: there
is no password to guess, and a slow hash would cost every request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from beejan.core.errors import BeejanError
from beejan.core.settings import Settings

KEY_PREFIX = "bjk_"


class ApiKeyError(BeejanError):
    """An API key cannot be issued or revoked as asked; the message says why."""


@dataclass(frozen=True)
class KeyRecord:
    name: str
    sha256: str
    created_at: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(name: str, settings: Settings) -> str:
    """A new key for `name` (a client system); only its hash is kept."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ApiKeyError(f"{name!r}: name a key with letters, digits, - and _")
    stored = _read(settings.api_keys_path)
    if name in stored:
        raise ApiKeyError(f"a key named {name!r} exists; revoke it first")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    stored[name] = KeyRecord(name, hash_key(key), datetime.now(UTC).isoformat(timespec="seconds"))
    _write(settings.api_keys_path, stored)
    return key


def revoke(name: str, settings: Settings) -> None:
    stored = _read(settings.api_keys_path)
    if name not in stored:
        raise ApiKeyError(f"no key named {name!r} in {settings.api_keys_path}")
    del stored[name]
    _write(settings.api_keys_path, stored)


def issued(settings: Settings) -> list[KeyRecord]:
    return sorted(_read(settings.api_keys_path).values(), key=lambda record: record.name)


class KeyRing:
    """The keys the API accepts: the file's (re-read when it changes, so a key issued or revoked
    works at once) and the settings'."""

    def __init__(self, settings: Settings) -> None:
        self._path = settings.api_keys_path
        self._configured = _parse_hashes(settings)
        self._seen: tuple[int, int] | None = None  # the file's (mtime, size); None: no file
        self._hashes: dict[str, str] = dict(self._configured)

    def name_of(self, key: str | None) -> str | None:
        """The name of the client `key` belongs to; None for a wrong or missing key."""
        if not key:
            return None
        digest = hash_key(key)
        for known, name in self._current().items():
            if hmac.compare_digest(known, digest):
                return name
        return None

    def _current(self) -> dict[str, str]:
        stat = self._path.stat() if self._path.exists() else None
        seen = (stat.st_mtime_ns, stat.st_size) if stat else None
        if seen != self._seen:
            from_file = {record.sha256: record.name for record in _read(self._path).values()}
            self._hashes, self._seen = {**from_file, **self._configured}, seen
        return self._hashes


def _parse_hashes(settings: Settings) -> dict[str, str]:
    if settings.api_key_hashes is None:
        return {}
    hashes = {}
    for pair in settings.api_key_hashes.get_secret_value().split(","):
        name, _, digest = pair.strip().partition(":")
        if not name or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ApiKeyError("BEEJAN_API_KEY_HASHES: expected `name:<64 hex digits>` pairs")
        hashes[digest] = name
    return hashes


def _read(path: Path) -> dict[str, KeyRecord]:
    if not path.exists():
        return {}
    try:
        return {name: KeyRecord(**record) for name, record in json.loads(path.read_text()).items()}
    except (ValueError, TypeError) as error:
        raise ApiKeyError(f"{path} is not an API key store: {error}") from error


def _write(path: Path, records: dict[str, KeyRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.touch(mode=0o600)
    partial.write_text(json.dumps({n: r.__dict__ for n, r in records.items()}, indent=2))
    partial.replace(path)
