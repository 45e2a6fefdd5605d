"""API keys: issued once, kept as hashes in a private file or given as hashes in the settings."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from beejan.core.settings import Settings
from serving import api_keys
from serving.api_keys import ApiKeyError, KeyRing


def settings_for(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)


def test_an_issued_key_is_known_by_its_hash_only_in_a_private_file(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    key = api_keys.issue("crm-sync", settings)
    stored = settings.api_keys_path.read_text()
    assert key.startswith("bjk_") and len(key) > 40
    assert key not in stored
    assert hashlib.sha256(key.encode()).hexdigest() in stored
    assert stat.S_IMODE(settings.api_keys_path.stat().st_mode) == 0o600
    ring = KeyRing(settings)
    assert ring.name_of(key) == "crm-sync"
    assert ring.name_of(key[:-1]) is None
    assert ring.name_of(None) is None


def test_a_ring_sees_keys_issued_and_revoked_after_it_started(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    ring = KeyRing(settings)
    first = api_keys.issue("first", settings)
    assert ring.name_of(first) == "first"
    second = api_keys.issue("second", settings)
    api_keys.revoke("first", settings)
    assert (ring.name_of(first), ring.name_of(second)) == (None, "second")
    assert [record.name for record in api_keys.issued(settings)] == ["second"]


def test_keys_can_come_from_the_settings_as_hashes(tmp_path: Path) -> None:
    key = "bjk_from-the-secret-store"
    digest = hashlib.sha256(key.encode()).hexdigest()
    settings = settings_for(tmp_path, api_key_hashes=SecretStr(f"billing:{digest}"))
    assert KeyRing(settings).name_of(key) == "billing"
    with pytest.raises(ApiKeyError, match="name:<64 hex digits>"):
        KeyRing(settings_for(tmp_path, api_key_hashes=SecretStr("billing:not-a-hash")))


@pytest.mark.parametrize("name", ["", "has space", "semi;colon", "dots.and/slash"])
def test_a_key_name_must_be_a_plain_word(tmp_path: Path, name: str) -> None:
    with pytest.raises(ApiKeyError, match="name a key with"):
        api_keys.issue(name, settings_for(tmp_path))


def test_a_duplicate_or_unknown_name_is_a_clear_error(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    api_keys.issue("crm-sync", settings)
    with pytest.raises(ApiKeyError, match="exists; revoke it first"):
        api_keys.issue("crm-sync", settings)
    with pytest.raises(ApiKeyError, match="no key named 'other'"):
        api_keys.revoke("other", settings)
