"""How far the marts tell the truth about a simulated scenario: the accuracy report.

Reads the marts (fct_complaint_contacts, fct_complaints, fct_outage_spikes) of a warehouse the
scenario was loaded into and built, and the scenario's ground truth, and measures: contacts and
complaints per day and channel, customer links, categories, noise, duplicate grouping,
outages, recurrence. `beejan simulate accuracy` prints it; tests assert on the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import comb

import psycopg
from psycopg.rows import dict_row

from beejan.core.connections import PostgresConnection
from simulator.scenario import Scenario
from simulator.truth import TruthRecord, load_truth
from simulator.world import SERVICE_CATEGORIES, Incident

# An outage "caused a spike" when this many of its complaints began within one hour.
SPIKE_COMPLAINTS = 5
SPIKE_HOUR = timedelta(hours=1)


@dataclass
class Ratio:
    hits: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 1.0

    def add(self, hit: bool) -> None:
        self.hits += hit
        self.total += 1

    def __str__(self) -> str:
        return f"{self.value:.1%} ({self.hits}/{self.total})"


@dataclass
class Report:
    contacts_per_day: dict[tuple[str, str], tuple[int, int]]  # (day, channel) -> (mart, truth)
    complaints_per_day: dict[tuple[str, str], tuple[int, int]]
    links: Counter[str]  # linked / wrong / missed / unknown
    category_by_channel: dict[str, Ratio]
    category_by_method: dict[str, Ratio]
    noise_precision: Ratio
    noise_recall: Ratio
    pair_precision: Ratio
    pair_recall: Ratio
    outages: list[dict]  # truth outages that caused a spike: detected? lag
    false_alarms: int
    weeks: float
    recurrence: Ratio
    unmapped: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def category_overall(self) -> Ratio:
        return Ratio(
            sum(r.hits for r in self.category_by_channel.values()),
            sum(r.total for r in self.category_by_channel.values()),
        )

    @property
    def pair_f1(self) -> float:
        p, r = self.pair_precision.value, self.pair_recall.value
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def detected_outages(self) -> int:
        return sum(1 for outage in self.outages if outage["detected_at"] is not None)

    @property
    def median_lag_minutes(self) -> float | None:
        lags = sorted(o["lag_minutes"] for o in self.outages if o["lag_minutes"] is not None)
        return lags[len(lags) // 2] if lags else None

    @staticmethod
    def deviation(per_day: dict[tuple[str, str], tuple[int, int]]) -> float:
        """The largest relative gap of one channel's total over the scenario."""
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (_, channel), (mart, truth) in per_day.items():
            totals[channel][0] += mart
            totals[channel][1] += truth
        return max((abs(m - t) / t if t else float(m > 0)) for m, t in totals.values())

    def rows(self) -> list[tuple[str, str]]:
        """The report as (measure, value) lines."""
        lines = []
        for title, per_day in (
            ("contacts", self.contacts_per_day),
            ("complaints", self.complaints_per_day),
        ):
            totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
            for (_, channel), (mart, truth) in per_day.items():
                totals[channel][0] += mart
                totals[channel][1] += truth
            for channel, (mart, truth) in sorted(totals.items()):
                lines.append((f"{title} {channel}", f"{mart} in the marts, {truth} true"))
            days_off = sum(1 for mart, truth in per_day.values() if mart != truth)
            lines.append(
                (
                    f"{title} per day and channel",
                    f"{len(per_day) - days_off}/{len(per_day)} exact; largest channel gap "
                    f"{self.deviation(per_day):.2%}",
                )
            )
        lines.append(
            (
                "customer links",
                ", ".join(f"{kind} {self.links[kind]}" for kind in ("linked", "wrong", "missed")),
            )
        )
        for channel, ratio in sorted(self.category_by_channel.items()):
            lines.append((f"category accuracy {channel}", str(ratio)))
        for method, ratio in sorted(self.category_by_method.items()):
            lines.append((f"category accuracy by {method}", str(ratio)))
        lines.append(("category accuracy overall", str(self.category_overall)))
        lines.append(("noise precision", str(self.noise_precision)))
        lines.append(("noise recall", str(self.noise_recall)))
        lines.append(("duplicate pairs precision", str(self.pair_precision)))
        lines.append(("duplicate pairs recall", str(self.pair_recall)))
        lines.append(("duplicate pairs F1", f"{self.pair_f1:.3f}"))
        lag = self.median_lag_minutes
        lines.append(
            (
                "outages detected",
                f"{self.detected_outages}/{len(self.outages)} that caused a spike; median lag "
                + (f"{lag:.0f} min" if lag is not None else "n/a"),
            )
        )
        lines.append(
            (
                "false alarms",
                f"{self.false_alarms} spikes with no outage behind them "
                f"({self.false_alarms / self.weeks:.2f} per week)",
            )
        )
        lines.append(("recurrence agreement", str(self.recurrence)))
        return lines


def measure(scenario: Scenario, warehouse: PostgresConnection, marts_schema: str) -> Report:
    """Compare the marts in `marts_schema` of `warehouse` with the scenario's truth."""
    truth = load_truth(scenario.root / "truth")
    with psycopg.connect(warehouse.dsn(), row_factory=dict_row) as conn:
        contacts = conn.execute(
            "select contact_key, complaint_key, channel, received_at, received_date, "
            "category_code, category_method, customer_id "
            f"from {marts_schema}.fct_complaint_contacts"
        ).fetchall()
        complaints = conn.execute(
            f"select complaint_key, first_channel, first_contact_date, recurrence "
            f"from {marts_schema}.fct_complaints"
        ).fetchall()
        spikes = conn.execute(
            f"select region_code, category_code, detected_at from {marts_schema}.fct_outage_spikes"
        ).fetchall()
    by_key = {_truth_key(row): row for row in contacts}
    complaint_truth = _true_complaints(truth)
    report = Report(
        contacts_per_day=_contacts_per_day(contacts, truth),
        complaints_per_day=_complaints_per_day(complaints, complaint_truth),
        links=_links(by_key, truth),
        category_by_channel=defaultdict(Ratio),
        category_by_method=defaultdict(Ratio),
        noise_precision=Ratio(),
        noise_recall=Ratio(),
        pair_precision=Ratio(),
        pair_recall=Ratio(),
        outages=[],
        false_alarms=0,
        weeks=max(scenario.days / 7, 1 / 7),
        recurrence=Ratio(),
    )
    for key, record in truth.items():
        if record.quarantine:
            continue
        row = by_key.get(key)
        kept = row is not None
        if not record.is_complaint:
            report.noise_recall.add(not kept)
        if not kept:
            report.noise_precision.add(not record.is_complaint)
            continue
        if record.is_complaint:
            hit = row["category_code"] == record.category
            report.category_by_channel[record.channel].add(hit)
            report.category_by_method[row["category_method"]].add(hit)
    _pairs(report, contacts, truth)
    _outages(report, scenario, spikes, truth)
    _recurrence(report, contacts, complaints, truth, complaint_truth)
    return report


def _truth_key(row: dict) -> tuple[str, str]:
    channel, _, record_key = row["contact_key"].partition(":")
    return channel, record_key


def _contacts_per_day(contacts: list[dict], truth: dict) -> dict:
    mart = Counter((row["received_date"].isoformat(), row["channel"]) for row in contacts)
    true = Counter(
        (record.day, record.channel)
        for record in truth.values()
        if record.is_complaint and not record.quarantine
    )
    return {key: (mart[key], true[key]) for key in set(mart) | set(true)}


@dataclass
class TrueComplaint:
    complaint_id: str
    customer_id: int | None
    category: str
    first_at: datetime
    first_channel: str
    incident_id: str | None


def _true_complaints(truth: dict[tuple[str, str], TruthRecord]) -> dict[str, TrueComplaint]:
    complaints: dict[str, TrueComplaint] = {}
    for record in sorted(truth.values(), key=lambda r: r.occurred_at):
        if not record.is_complaint or record.quarantine or not record.complaint_id:
            continue
        if record.complaint_id not in complaints:
            complaints[record.complaint_id] = TrueComplaint(
                record.complaint_id,
                record.customer_id,
                record.category or "",
                record.occurred_at,
                record.channel,
                record.incident_id,
            )
    return complaints


def _complaints_per_day(complaints: list[dict], true: dict[str, TrueComplaint]) -> dict:
    mart = Counter(
        (row["first_contact_date"].isoformat(), row["first_channel"]) for row in complaints
    )
    real = Counter((c.first_at.date().isoformat(), c.first_channel) for c in true.values())
    return {key: (mart[key], real[key]) for key in set(mart) | set(real)}


def _links(by_key: dict, truth: dict) -> Counter[str]:
    links: Counter[str] = Counter()
    for key, row in by_key.items():
        record = truth.get(key)
        if record is None:
            continue
        if row["customer_id"] is None:
            links["missed" if record.customer_id else "unknown"] += 1
        elif row["customer_id"] == record.customer_id:
            links["linked"] += 1
        else:
            links["wrong"] += 1
    return links


def _pairs(report: Report, contacts: list[dict], truth: dict) -> None:
    """Pairwise precision and recall of grouping contacts into complaints."""
    mart_groups: Counter[str] = Counter()
    true_groups: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for row in contacts:
        record = truth.get(_truth_key(row))
        if record is None or not record.is_complaint:
            continue
        mart_groups[row["complaint_key"]] += 1
        true_groups[record.complaint_id] += 1
        both[(row["complaint_key"], record.complaint_id)] += 1
    agreed = sum(comb(n, 2) for n in both.values())
    report.pair_precision = Ratio(agreed, sum(comb(n, 2) for n in mart_groups.values()))
    report.pair_recall = Ratio(agreed, sum(comb(n, 2) for n in true_groups.values()))


def _outages(report: Report, scenario: Scenario, spikes: list[dict], truth: dict) -> None:
    """Outages whose complaints made a spike (five begun within an hour), whether the warehouse
    detected each and how late; spikes with no outage behind them are false alarms."""
    incidents: list[Incident] = [
        incident for day in range(scenario.days) for incident in scenario.world.incidents(day)
    ]
    first_seen: dict[str, datetime] = {}  # complaint -> its first contact, for outage ones
    incident_of: dict[str, str] = {}
    for record in truth.values():
        if record.is_complaint and record.incident_id and not record.quarantine:
            known = first_seen.get(record.complaint_id)
            first_seen[record.complaint_id] = min(known or record.occurred_at, record.occurred_at)
            incident_of[record.complaint_id] = record.incident_id
    moments: dict[str, list[datetime]] = defaultdict(list)
    for complaint_id, moment in first_seen.items():
        moments[incident_of[complaint_id]].append(moment)
    matched_spikes = set()
    for incident in incidents:
        times = sorted(moments.get(incident.incident_id, []))
        caused_spike = any(
            sum(1 for t in times if start <= t < start + SPIKE_HOUR) >= SPIKE_COMPLAINTS
            for start in times
        )
        category = SERVICE_CATEGORIES[incident.service]
        found = [
            (index, spike["detected_at"])
            for index, spike in enumerate(spikes)
            if spike["region_code"] == incident.region_code
            and spike["category_code"] == category
            and incident.started_at - timedelta(minutes=30)
            <= spike["detected_at"]
            <= incident.resolved_at + timedelta(hours=2)
        ]
        matched_spikes |= {index for index, _ in found}
        if caused_spike:
            detected = min((at for _, at in found), default=None)
            report.outages.append(
                {
                    "incident_id": incident.incident_id,
                    "reported": incident.reported,
                    "detected_at": detected,
                    "lag_minutes": (detected - incident.started_at).total_seconds() / 60
                    if detected
                    else None,
                }
            )
    report.false_alarms = len(spikes) - len(matched_spikes)


def _recurrence(
    report: Report,
    contacts: list[dict],
    complaints: list[dict],
    truth: dict,
    true_complaints: dict[str, TrueComplaint],
) -> None:
    """Each mart complaint is the true complaint most of its contacts belong to; its
    recurrence is compared with the true one (same customer and category, 7 and 30 days)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for row in contacts:
        record = truth.get(_truth_key(row))
        if record is not None and record.complaint_id:
            votes[row["complaint_key"]][record.complaint_id] += 1
    true_recurrence = _true_recurrence(true_complaints)
    for row in complaints:
        if not votes[row["complaint_key"]]:
            continue
        complaint_id = votes[row["complaint_key"]].most_common(1)[0][0]
        report.recurrence.add(row["recurrence"] == true_recurrence.get(complaint_id, "first"))


def _true_recurrence(true_complaints: dict[str, TrueComplaint]) -> dict[str, str]:
    previous: dict[tuple[int, str], datetime] = {}
    recurrence = {}
    for complaint in sorted(true_complaints.values(), key=lambda c: c.first_at):
        if complaint.customer_id is None:
            recurrence[complaint.complaint_id] = "first"
            continue
        key = (complaint.customer_id, complaint.category)
        gap = complaint.first_at - previous[key] if key in previous else None
        recurrence[complaint.complaint_id] = (
            "repeat_7d"
            if gap is not None and gap <= timedelta(days=7)
            else "repeat_30d"
            if gap is not None and gap <= timedelta(days=30)
            else "first"
        )
        previous[key] = complaint.first_at
    return recurrence
