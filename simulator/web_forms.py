"""The website complaint form: one CSV export per day from the CMS, with the contract's dirt.

CMS versions by delivery day: day 0 exports are v1 (UTF-8 BOM, CRLF, ``20/11/2026 08:14``
Lagos time, old dropdown labels), day 1 v2 (``2026-11-20 08:14:03`` Lagos time), day 2 on v3
(``2026-11-20T07:14:03Z``, new dropdown, and the new columns ``preferred_contact`` and the hidden
honeypot ``website``).
"""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from simulator.text import complaint_text, phone_shape
from simulator.truth import TruthWriter
from simulator.world import REGION_ALIASES, Complaint, World

LAGOS = timezone(timedelta(hours=1))
COLUMNS = [
    "submission_id",
    "submitted_at",
    "full_name",
    "email",
    "phone",
    "account_number",
    "category",
    "subject",
    "message",
    "consent_marketing",
]
NEW_COLUMNS = ["preferred_contact", "website"]
OLD_LABELS = {
    "NETWORK": ["Network", "network", "No Network"],
    "DATA": ["Internet", "internet "],
    "BILLING": ["Billing", "billing", "Charges"],
    "SIM": ["SIM", "Sim card"],
    "CUSTOMER_SERVICE": ["Customer Care"],
    "DEVICE": ["Router/Device"],
    "OTHER": ["Other"],
}
NEW_LABELS = {
    "NETWORK": ["Network/Coverage"],
    "DATA": ["Data/Internet", "Data / Internet"],
    "BILLING": ["Billing & Payments"],
    "SIM": ["SIM & Registration"],
    "CUSTOMER_SERVICE": ["Customer Service"],
    "DEVICE": ["Devices & Equipment"],
    "OTHER": ["Something else"],
}


# Labels a later dropdown edit adds, unknown to the warehouse's mappings until someone adds them.
EXTRA_LABELS = {
    "NETWORK": ["Coverage issue"],
    "DATA": ["Broadband"],
    "BILLING": ["Payments & Refunds"],
    "SIM": ["Line & SIM"],
    "CUSTOMER_SERVICE": ["Complaint about staff"],
    "DEVICE": ["Equipment fault"],
    "OTHER": ["General enquiry"],
}


def cms_version(day: int) -> int:
    return 1 if day == 0 else 2 if day == 1 else 3


def format_submitted_at(moment: datetime, version: int) -> str:
    if version == 1:
        return moment.astimezone(LAGOS).strftime("%d/%m/%Y %H:%M")
    if version == 2:
        return moment.astimezone(LAGOS).strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class WebFormsDay:
    def __init__(self, world: World, day: int, landing: Path, truth: TruthWriter) -> None:
        self.world = world
        self.day = day
        self.version = cms_version(day)
        self.truth = truth
        self.rng = random.Random(f"{world.seed}:{day}:web_forms")
        self.path = (
            landing
            / "web_forms"
            / f"web_complaints_{world.start + timedelta(days=day):%Y-%m-%d}.csv"
        )
        self.rows: list[tuple[datetime, dict[str, str]]] = []
        self.count = 0

    def add_complaint(self, complaint: Complaint) -> str:
        customer = complaint.customer
        assert customer is not None
        region = self.rng.choice(REGION_ALIASES[customer.region_code])
        labels = (OLD_LABELS if self.version < 3 else NEW_LABELS)[complaint.category]
        if self.version == 3 and self.rng.random() < 0.04:
            labels = EXTRA_LABELS[complaint.category]
        message = complaint_text(
            complaint.category, region, self.rng, pii=phone_shape(customer.msisdn, self.rng)
        )
        if self.rng.random() < 0.3:
            message += ',\nplease, treat as urgent. "Thanks"'
        blank = self.rng.random() < 0.05
        row = {
            "full_name": customer.full_name
            if self.rng.random() < 0.8
            else customer.full_name.upper(),
            "email": ""
            if blank
            else (customer.email if self.rng.random() < 0.8 else customer.email.title()),
            "phone": phone_shape(customer.msisdn, self.rng),
            "account_number": customer.account_number if self.rng.random() < 0.6 else "",
            "category": "" if blank else self.rng.choice(labels),
            "subject": f"{complaint.category.replace('_', ' ').title()} problem",
            "message": message,
            "consent_marketing": self.rng.choice(["yes", "no", "true", "false"]),
            "preferred_contact": self.rng.choice(["phone", "email", "sms"]),
            "website": "",
        }
        facts = {
            "is_complaint": True,
            "customer_id": customer.customer_id,
            "category": complaint.category,
            "complaint_id": complaint.complaint_id,
            "incident_id": complaint.incident_id,
        }
        submission_id = self._add(complaint.occurred_at, row, facts)
        if self.rng.random() < 0.04:  # a double click: same content again within a minute
            self._add(
                complaint.occurred_at + timedelta(seconds=self.rng.randint(1, 50)),
                dict(row),
                {**facts, "noise": "double_click"},
            )
        return submission_id

    def add_noise(self, count: int) -> None:
        start = self.world.day_start(self.day)
        for number in range(count):
            moment = start + timedelta(seconds=self.rng.randint(8 * 3600, 18 * 3600))
            if self.version == 3 and number % 2:
                row = self._row(
                    "Best Deals",
                    f"seo{number}@spam.example",
                    "Cheap SEO backlinks",
                    "Visit https://cheap-seo.example for the best backlinks!!!",
                )
                row["website"] = "https://cheap-seo.example"
                self._add(moment, row, {"noise": "honeypot_bot"})
            elif number % 3 == 0:
                self._add(moment, self._row("", "", "", ""), {"noise": "blank_required_fields"})
            elif number % 5 == 1:  # sent before a word was typed
                row = self._row("Ada Obi", f"ada{number}@gmail.com", "", "")
                row["category"] = self.rng.choice(NEW_LABELS["NETWORK"] + OLD_LABELS["DATA"])
                self._add(moment, row, {"noise": "empty_message"})
            else:
                row = self._row(
                    "QA Tester",
                    f"qa{number}@beejan.example",
                    "TEST please ignore",
                    "test submission from staging",
                )
                self._add(moment, row, {"noise": "staff_test"})

    def write(self) -> None:
        columns = COLUMNS + (NEW_COLUMNS if self.version == 3 else [])
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(
            buffer,
            columns,
            extrasaction="ignore",
            lineterminator="\r\n" if self.version == 1 else "\n",
        )
        writer.writeheader()
        for moment, row in sorted(self.rows, key=lambda item: (item[0], item[1]["submission_id"])):
            writer.writerow({**row, "submitted_at": format_submitted_at(moment, self.version)})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        encoding = "utf-8-sig" if self.version == 1 else "utf-8"
        self.path.write_bytes(buffer.getvalue().encode(encoding))

    def _row(self, name: str, email: str, subject: str, message: str) -> dict[str, str]:
        return {
            "full_name": name,
            "email": email,
            "phone": "",
            "account_number": "",
            "category": "",
            "subject": subject,
            "message": message,
            "consent_marketing": "no",
            "preferred_contact": "",
            "website": "",
        }

    def _add(self, moment: datetime, row: dict[str, str], facts: dict[str, object]) -> str:
        self.count += 1
        submission_id = f"WF-{self.day:03d}{self.count:05d}"
        row["submission_id"] = submission_id
        self.rows.append((moment, row))
        self.truth.record("web_form", submission_id, moment, origin=self.path.name, **facts)
        return submission_id
