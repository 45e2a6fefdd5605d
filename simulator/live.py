"""A scenario with its APIs up: what the CLI's `serve`, the pipeline's `--simulate` run and the
test fixtures all use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from beejan.core.settings import Settings
from simulator.scenario import NO_FAULTS, Scenario
from simulator.serving import ApiServer, Faults


@dataclass
class LiveScenario:
    scenario: Scenario
    social_api: ApiServer
    sms_api: ApiServer

    @property
    def env(self) -> dict[str, str]:
        """BEEJAN_* variables pointing the pipeline at this scenario."""
        return self.scenario.settings_env(self.social_api, self.sms_api)

    def settings(self, **fields: object) -> Settings:
        """The pipeline's settings pointed at this scenario (``fields`` set the rest)."""
        overrides = {
            name.removeprefix("BEEJAN_").lower(): value for name, value in self.env.items()
        }
        return Settings(**overrides, **fields)

    def advance(self, days: int = 1) -> None:
        """Move the world on: new and changed data in every system, APIs included."""
        self.scenario.advance(days)
        self.scenario.reload_apis()


@contextmanager
def live(
    scenario: Scenario, faults: Faults = NO_FAULTS, social_port: int = 0, sms_port: int = 0
) -> Iterator[LiveScenario]:
    with scenario.serve(faults, social_port, sms_port) as (social_api, sms_api):
        yield LiveScenario(scenario, social_api, sms_api)
