"""The call centre: logfmt files from the telephony platform, one per site and hour, with the
dirt of the contract: gzip, a cut-off last line, re-deliveries (unchanged or corrected), DEBUG
heartbeats, WARN lines, unidentified callers, empty or -1 durations, sites in their own offsets.

A cut-off line is always the last line of its file and lacks the terminating newline.
"""

from __future__ import annotations

import gzip
import io
import json
import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from simulator.text import agent_notes, phone_shape
from simulator.truth import TruthWriter
from simulator.world import REGION_ALIASES, Complaint, World

SITES = {"LAG1": 1, "ABJ1": 1, "ACC1": 0, "JNB1": 2}  # site -> UTC offset in hours
REASON_CODES = {
    "NETWORK": "NET-01",
    "DATA": "DATA-03",
    "BILLING": "BILL-02",
    "SIM": "SIM-01",
    "CUSTOMER_SERVICE": "CS-04",
    "DEVICE": "DEV-02",
    "OTHER": "OTH-99",
}
# Codes the telephony team added later, unknown to the warehouse's mappings until someone adds
# them: a few calls carry one.
NEW_REASON_CODES = {
    "NETWORK": "NET-02",
    "DATA": "DATA-05",
    "BILLING": "BILL-03",
    "SIM": "SIM-04",
    "CUSTOMER_SERVICE": "CS-07",
    "DEVICE": "DEV-05",
    "OTHER": "CHURN-01",
}
QUEUES = {"BILLING": "billing", "NETWORK": "technical", "DATA": "technical", "DEVICE": "technical"}


def logfmt_value(value: object) -> str:
    text = str(value)
    if text == "" or any(char in text for char in ' "=\\'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def logfmt_line(fields: dict[str, object]) -> str:
    return " ".join(
        f"{key}={logfmt_value(value)}" for key, value in fields.items() if value is not None
    )


class CallCenterDay:
    """Collects one day's log lines per file, then writes the files with their dirt."""

    def __init__(
        self, world: World, day: int, landing: Path, state: Path, truth: TruthWriter
    ) -> None:
        self.world = world
        self.day = day
        self.landing = landing / "call_center"
        self.state = state
        self.truth = truth
        self.rng = random.Random(f"{world.seed}:{day}:call_center")
        self.files: dict[tuple[str, str], list[tuple[datetime, str, dict[str, object]]]] = (
            defaultdict(list)
        )
        self.calls = 0

    def add_complaint(self, complaint: Complaint) -> str:
        call_id = self._next_call_id()
        customer = complaint.customer
        assert customer is not None
        region = self.rng.choice(REGION_ALIASES[customer.region_code])
        closed = complaint.occurred_at
        # a call starts on the day it closes: an earlier start would belong to the previous
        # day's hour file, which was delivered already and must not be written again
        duration = min(
            self.rng.randint(60, 900),
            int((closed - self.world.day_start(self.day)).total_seconds()),
        )
        site = self.rng.choice(list(SITES))
        caller = phone_shape(customer.msisdn, self.rng)
        account = customer.account_number if self.rng.random() < 0.7 else None
        truth = {
            "customer_id": customer.customer_id,
            "category": complaint.category,
            "complaint_id": complaint.complaint_id,
            "incident_id": complaint.incident_id,
        }
        queue = QUEUES.get(complaint.category, "general")
        started = closed - timedelta(seconds=duration)
        self._event(
            site,
            started,
            call_id,
            "call_started",
            {"caller": caller, "account_no": account, "queue": queue},
            truth,
        )
        if self.rng.random() < 0.2:
            self._event(
                site,
                started + timedelta(seconds=duration // 2),
                call_id,
                "call_transferred",
                {"queue": "escalations"},
                truth,
            )
        reported = self.rng.choices([duration, "", -1], weights=[90, 5, 5])[0]
        notes = agent_notes(complaint.category, region, self.rng)
        self._event(
            site,
            closed,
            call_id,
            "call_closed",
            {
                "caller": caller,
                "account_no": account,
                "duration_s": reported,
                "queue": queue,
                "disposition": "complaint",
                "reason_code": (NEW_REASON_CODES if self.rng.random() < 0.04 else REASON_CODES)[
                    complaint.category
                ],
                "notes": notes,
            },
            {**truth, "is_complaint": True},
        )
        return call_id

    def add_noise(self, count: int) -> None:
        """Enquiry calls, DEBUG heartbeats and WARN recording failures."""
        start = self.world.day_start(self.day)
        for _ in range(count):
            moment = start + timedelta(seconds=self.rng.randint(0, 86_399))
            site = self.rng.choice(list(SITES))
            roll = self.rng.random()
            if roll < 0.5:
                call_id = self._next_call_id()
                self._event(
                    site,
                    moment,
                    call_id,
                    "call_closed",
                    {
                        "caller": f"0905{self.rng.randint(0, 9_999_999):07d}",
                        "duration_s": self.rng.randint(30, 300),
                        "queue": "general",
                        "disposition": "enquiry",
                        "reason_code": "ENQ-01",
                        "notes": "Asked about data bundle prices",
                    },
                    {"noise": "enquiry_call"},
                )
            elif roll < 0.85:
                self._line(
                    site,
                    moment,
                    "DEBUG",
                    {"event": "heartbeat", "queue_depth": self.rng.randint(0, 40)},
                    None,
                    {"noise": "debug_heartbeat"},
                )
            else:
                call_id = self._next_call_id()
                self._line(
                    site,
                    moment,
                    "WARN",
                    {
                        "event": "recording_failed",
                        "call_id": call_id,
                        "error": "disk quota exceeded",
                    },
                    f"{call_id}:recording_failed",
                    {"noise": "recording_warning"},
                )

    def write(self) -> None:
        """Write every file of the day; some are gzip, some lose the end of their last line."""
        for (site, hour), lines in sorted(self.files.items()):
            lines.sort(key=lambda item: item[0])
            folder = self.landing / hour[:4] / hour[4:6] / hour[6:8]
            folder.mkdir(parents=True, exist_ok=True)
            compressed = self.rng.random() < 0.3
            name = f"calls_{site}_{hour}.log" + (".gz" if compressed else "")
            texts = [text for _, text, _ in lines]
            cut = self.rng.random() < 0.15
            content = "".join(text + "\n" for text in texts)
            relative = f"{hour[:4]}/{hour[4:6]}/{hour[6:8]}/{name}"
            for number, (moment, _, truth) in enumerate(lines, start=1):
                facts = {key: value for key, value in truth.items() if key != "key"}
                truth["key"] = truth["key"] or f"{relative}:{number}"  # lines without a call id
                cut_here = cut and number == len(lines)
                self.truth.record(
                    "call_center",
                    str(truth["key"]),
                    moment,
                    **facts,
                    origin=f"{name}:{number}",
                    quarantine="cut_off_line" if cut_here else None,
                )
            if cut:
                last = texts[-1]
                content = content[: -len(last) - 1] + last[: max(10, len(last) // 2)]
                moment, _, truth = lines[-1]
                with (self.state / "call_center_cuts.jsonl").open("a", encoding="utf-8") as cuts:
                    cuts.write(
                        json.dumps(
                            {
                                "path": str(folder / name),
                                "line": last,
                                "occurred_at": moment.isoformat(),
                                "truth": truth,
                            }
                        )
                        + "\n"
                    )
            write_log(folder / name, content)

    def _next_call_id(self) -> str:
        self.calls += 1
        return f"C-{self.day:03d}{self.calls:05d}"

    def _event(
        self,
        site: str,
        moment: datetime,
        call_id: str,
        event: str,
        fields: dict[str, object],
        truth: dict[str, object],
    ) -> None:
        self._line(
            site,
            moment,
            "INFO",
            {
                "event": event,
                "call_id": call_id,
                "agent_id": f"A-{100 + int(call_id[-3:]) % 60}",
                **fields,
            },
            f"{call_id}:{event}",
            {"is_complaint": False, **truth},
        )

    def _line(
        self,
        site: str,
        moment: datetime,
        level: str,
        fields: dict[str, object],
        key: str | None,
        truth: dict[str, object],
    ) -> None:
        local = moment.astimezone(timezone(timedelta(hours=SITES[site])))
        stamp = local.isoformat(timespec="milliseconds")
        hour = local.strftime("%Y%m%d%H")
        lines = self.files[(site, hour)]
        text = logfmt_line({"ts": stamp, "level": level, "site": site, **fields})
        lines.append((moment, text, {"key": key, **truth}))


def write_log(path: Path, content: str) -> None:
    data = content.encode("utf-8")
    if path.suffix == ".gz":  # mtime=0 and no file name: the same content gives the same bytes
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as archive:
            archive.write(data)
        data = buffer.getvalue()
    path.write_bytes(data)


def read_log(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def redeliver(world: World, day: int, landing: Path, state: Path, truth: TruthWriter) -> None:
    """Re-deliver files of the previous day: one unchanged, one corrected (the cut-off line made
    whole again and -1 durations fixed)."""
    rng = random.Random(f"{world.seed}:{day}:redelivery")
    previous = world.start + timedelta(days=day - 1)
    folder = landing / "call_center" / f"{previous:%Y}" / f"{previous:%m}" / f"{previous:%d}"
    files = sorted(folder.glob("calls_*")) if folder.exists() else []
    if not files:
        return
    unchanged = rng.choice(files)
    unchanged.write_bytes(unchanged.read_bytes())  # copied again: same bytes, new mtime
    cuts_file = state / "call_center_cuts.jsonl"
    cuts = (
        [json.loads(line) for line in cuts_file.read_text().splitlines()]
        if cuts_file.exists()
        else []
    )
    pending = [cut for cut in cuts if Path(cut["path"]).parent == folder]
    if not pending:
        return
    cut = rng.choice(pending)
    path = Path(cut["path"])
    content = read_log(path)
    content = content[: content.rfind("\n") + 1] + cut["line"] + "\n"
    content = content.replace("duration_s=-1 ", "duration_s=0 ")
    write_log(path, content)
    facts = {key: value for key, value in cut["truth"].items() if key != "key"}
    truth.record(
        "call_center",
        cut["truth"]["key"],
        datetime.fromisoformat(cut["occurred_at"]),
        **facts,
        origin=f"{path.name}:redelivered",
        quarantine=None,
    )
