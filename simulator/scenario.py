"""A scenario: Beejan's five systems over a run of simulated days, under one folder.

    <root>/scenario.json       settings and how many days exist (so `serve` can pick it up)
    <root>/api/social|sms/     what the two APIs serve, one JSON line per tweet / message
    <landing>/call_center/...  the call-centre log files     (landing defaults to <root>/landing)
    <landing>/web_forms/...    the web-form CSV exports
    <root>/truth/              ground truth (simulator/truth.py), never read by the pipeline
    <root>/state/              the simulator's own memory (e.g. lines it cut off)
    database `crm`             the CRM (any PostgreSQL given as a connection)

The clock of the simulated world stands at the end of the last generated day: the APIs answer
as if it were then.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from beejan.core.connections import PostgresConnection
from simulator import call_center, crm, sms, social
from simulator.call_center import CallCenterDay
from simulator.serving import ApiServer, FaultDice, Faults
from simulator.truth import TruthRecord, TruthWriter, load_truth
from simulator.web_forms import WebFormsDay
from simulator.world import World

NO_FAULTS = Faults()
# How much noise each channel carries, per complaint on it.
NOISE_PER_COMPLAINT = {"social": 1.2, "sms": 0.3, "call_center": 1.5, "web_form": 0.15}


@dataclass(frozen=True)
class ScenarioConfig:
    seed: int = 7
    scale: int = 100  # average complaints per day
    start: str = "2026-11-16"  # first simulated day (ISO date)
    social_bearer_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    sms_auth_token: str = field(default_factory=lambda: secrets.token_hex(16))
    sms_short_code: str = "32123"

    @property
    def sms_account_sid(self) -> str:
        return sms.account_sid_for(self.seed)


class Scenario:
    def __init__(
        self,
        root: Path,
        config: ScenarioConfig | None = None,
        crm_connection: PostgresConnection | None = None,
        landing: Path | None = None,
    ) -> None:
        self.root = root
        self.landing = landing or root / "landing"
        self.crm = crm_connection
        state_file = root / "scenario.json"
        if config is None:
            stored = json.loads(state_file.read_text())
            config, self.days = ScenarioConfig(**stored["config"]), stored["days"]
        else:
            self.days = 0
        self.config = config
        self.world = World(config.seed, config.scale, date.fromisoformat(config.start))

    @classmethod
    def open(
        cls,
        root: Path,
        crm_connection: PostgresConnection | None = None,
        landing: Path | None = None,
    ) -> Scenario:
        """A scenario generated earlier (by the CLI or another process)."""
        return cls(root, None, crm_connection, landing)

    def now(self) -> datetime:
        return self.world.day_start(self.days)

    def advance(self, days: int = 1, progress: Callable[[int, int], None] | None = None) -> None:
        """Generate the next `days` days in every system (day 1, later days 2-3, ...)."""
        for _ in range(days):
            self._generate_day(self.days)
            self.days += 1
            self._save()
            if progress:
                progress(self.days, self.config.scale)

    def truth(self) -> dict[tuple[str, str], TruthRecord]:
        return load_truth(self.root / "truth")

    @contextmanager
    def serve(
        self, faults: Faults = NO_FAULTS, social_port: int = 0, sms_port: int = 0
    ) -> Iterator[tuple[ApiServer, ApiServer]]:
        """Both APIs, live, until the block ends; `reload_apis()` after `advance()`."""
        self._tweets = social.TweetStore(self.root / "api" / "social")
        self._messages = sms.MessageStore(self.root / "api" / "sms")
        social_app = social.create_app(
            self._tweets,
            self.config.social_bearer_token,
            self.now,
            FaultDice(faults, self.config.seed),
        )
        sms_app = sms.create_app(
            self._messages,
            self.config.sms_account_sid,
            self.config.sms_auth_token,
            self.now,
            FaultDice(faults, self.config.seed + 1),
        )
        with (
            ApiServer(social_app, social_port) as social_api,
            ApiServer(sms_app, sms_port) as sms_api,
        ):
            yield social_api, sms_api

    def reload_apis(self) -> None:
        self._tweets.reload()
        self._messages.reload()

    def settings_env(self, social_api: ApiServer, sms_api: ApiServer) -> dict[str, str]:
        """The BEEJAN_* variables that point the pipeline at this scenario."""
        env = {
            "BEEJAN_SOCIAL_API_BASE": social_api.base_url,
            "BEEJAN_SOCIAL_BEARER_TOKEN": self.config.social_bearer_token,
            "BEEJAN_SMS_API_BASE": sms_api.base_url,
            "BEEJAN_SMS_ACCOUNT_SID": self.config.sms_account_sid,
            "BEEJAN_SMS_AUTH_TOKEN": self.config.sms_auth_token,
            "BEEJAN_SMS_SHORT_CODE": self.config.sms_short_code,
            "BEEJAN_LANDING_DIR": str(self.landing),
        }
        if self.crm is not None:
            env["BEEJAN_CRM_DSN"] = self.crm.dsn()
        return env

    def _generate_day(self, day: int) -> None:
        state = self.root / "state"
        state.mkdir(parents=True, exist_ok=True)
        truth = TruthWriter(self.root / "truth", day)
        if day:
            call_center.redeliver(self.world, day, self.landing, state, truth)
        social_day = social.SocialDay(self.world, day, self.root / "api" / "social", truth)
        sms_day = sms.SmsDay(
            self.world,
            day,
            self.root / "api" / "sms",
            truth,
            self.config.sms_account_sid,
            self.config.sms_short_code,
        )
        calls = CallCenterDay(self.world, day, self.landing, state, truth)
        forms = WebFormsDay(self.world, day, self.landing, truth)
        crm_day = crm.CrmDay(self.world, day, self.crm) if self.crm else None
        renderers = {"social": social_day, "sms": sms_day, "call_center": calls, "web_form": forms}
        counts = dict.fromkeys(renderers, 0)
        last_moment = self.world.day_start(day + 1) - timedelta(seconds=1)
        for complaint in self.world.complaints(day):
            for number, channel in enumerate(complaint.channels):
                raised = complaint
                if number:  # the same problem raised again later (a tweet, then a call)
                    later = complaint.occurred_at + complaint.second_channel_delay
                    raised = replace(complaint, occurred_at=min(later, last_moment))
                source_ref = renderers[channel].add_complaint(raised)
                counts[channel] += 1
                if crm_day and complaint.opens_ticket and number == 0:
                    crm_day.add_ticket(complaint, channel, source_ref)
        day_start = self.world.day_start(day)
        social_day.add_noise(day_start, round(counts["social"] * NOISE_PER_COMPLAINT["social"]))
        sms_day.add_noise(day_start, round(counts["sms"] * NOISE_PER_COMPLAINT["sms"]))
        calls.add_noise(round(counts["call_center"] * NOISE_PER_COMPLAINT["call_center"]))
        forms.add_noise(max(3, round(counts["web_form"] * NOISE_PER_COMPLAINT["web_form"])))
        calls.write()
        forms.write()
        social_day.close()
        sms_day.close()
        truth.close()
        if crm_day:
            if day == 0:
                crm.ensure_database(self.crm)
            # an unreported incident never reaches the CRM: only its complaints tell
            crm_day.apply([i for i in self.world.incidents(day) if i.reported])

    def _save(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        state = {"config": asdict(self.config), "days": self.days}
        (self.root / "scenario.json").write_text(json.dumps(state, indent=2))
