"""The simulator's copy of the two APIs' descriptions is the contract's, not a variant."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulator.conftest import SPECS

SHARED_SPECS = Path(__file__).resolve().parents[3] / "shared" / "specs"


@pytest.mark.skipif(not SHARED_SPECS.is_dir(), reason="no ../shared/specs beside this checkout")
def test_the_simulator_serves_the_shared_contract() -> None:
    """simulator/specs is a copy of the contract's specs (../shared/specs), not a variant."""
    for shared in SHARED_SPECS.glob("*.json"):
        assert (SPECS / shared.name).read_bytes() == shared.read_bytes(), shared.name
