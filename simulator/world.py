"""Beejan's world, seeded: regions, plans, customers, network incidents, and the complaints they
cause, one simulated day at a time.

Every day is generated from its own random stream (``seed`` and the day number), so day 5 is the
same whether it is generated alone or after days 1-4, and memory stays bounded by one day.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

REGIONS = [
    ("LAG", "Lagos", "Lagos"),
    ("ABJ", "Abuja FCT", "Federal Capital Territory"),
    ("KAN", "Kano", "Kano"),
    ("PHC", "Port Harcourt", "Rivers"),
    ("IBD", "Ibadan", "Oyo"),
    ("ENU", "Enugu", "Enugu"),
]
PLANS = [
    ("PRE-2G", "Prepaid Basic", "2G", "0.00"),
    ("PRE-4G", "Prepaid Smart", "4G", "0.00"),
    ("POST-4G", "Postpaid Max", "4G", "15000.00"),
    ("POST-5G", "Postpaid Ultra", "5G", "25000.00"),
    ("FIB-50", "Home Fibre 50", "fibre", "22000.00"),
    ("FIB-200", "Home Fibre 200", "fibre", "38000.00"),
]
# How people name where they are (in a tweet's location, or in the text itself).
REGION_ALIASES = {
    "LAG": ["Lagos", "Lagos, Nigeria", "Ikeja", "Lekki", "Surulere", "Yaba, Lagos", "Lag"],
    "ABJ": ["Abuja", "Abuja FCT", "FCT", "Wuse 2", "Garki, Abuja", "Kubwa"],
    "KAN": ["Kano", "Kano State", "Kano, Nigeria", "Sabon Gari Kano"],
    "PHC": ["Port Harcourt", "PH", "Portharcourt", "Rivers State", "PH city"],
    "IBD": ["Ibadan", "Ibadan, Oyo", "Oyo State", "Bodija"],
    "ENU": ["Enugu", "Enugu State", "Coal City", "Independence Layout, Enugu"],
}
# The true category of a complaint (documented in simulator/README.md).
CATEGORIES = ["NETWORK", "DATA", "BILLING", "SIM", "CUSTOMER_SERVICE", "DEVICE", "OTHER"]
CHANNELS = ["social", "sms", "call_center", "web_form"]
# Which categories an outage of each service causes.
SERVICE_CATEGORIES = {"voice": "NETWORK", "data": "DATA", "sms": "NETWORK"}
FIRST_NAMES = [
    "Adaeze",
    "Chinedu",
    "Funke",
    "Ibrahim",
    "Ngozi",
    "Tunde",
    "Amaka",
    "Musa",
    "Bola",
    "Emeka",
    "Halima",
    "Segun",
    "Zainab",
    "Obinna",
    "Kemi",
    "Yusuf",
]
LAST_NAMES = [
    "Okafor",
    "Adeyemi",
    "Bello",
    "Eze",
    "Okonkwo",
    "Abubakar",
    "Balogun",
    "Nwosu",
    "Ogunleye",
    "Danjuma",
    "Ibekwe",
    "Lawal",
    "Chukwu",
    "Afolabi",
]
EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com"]
MOBILE_PREFIXES = ["803", "806", "813", "816", "703", "706", "903", "810"]
# Share of complaints per hour of day (Lagos time): quiet nights, busy mornings and evenings.
HOURLY_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 8, 7, 7, 7, 7, 7, 8, 9, 10, 10, 8, 6, 4, 2]
WEEKDAY_FACTOR = [1.0, 1.0, 1.0, 1.0, 1.05, 0.85, 0.8]
LAGOS_OFFSET = timedelta(hours=1)
OPEN_PROBLEM_S = 24 * 3600  # how long a customer's problem stays one complaint


@dataclass(frozen=True)
class Customer:
    customer_id: int
    account_number: str
    full_name: str
    msisdn: str  # E.164
    email: str
    twitter_handle: str | None
    region_code: str
    plan_code: str
    created_at: datetime


@dataclass(frozen=True)
class Incident:
    incident_id: str
    region_code: str
    service: str
    severity: str
    started_at: datetime
    resolved_at: datetime
    reported: bool = True  # False: nobody logged it in the CRM (the spike is the only sign)


@dataclass
class Complaint:
    """One thing a customer complained about; it can surface on one or two channels."""

    complaint_id: str
    customer: Customer | None  # None: someone who is not a Beejan customer we can identify
    category: str
    occurred_at: datetime  # UTC
    channels: list[str]
    incident_id: str | None = None
    burst: int = 1  # SMS only: how many messages the customer sends about it
    opens_ticket: bool = False
    second_channel_delay: timedelta = timedelta(0)  # when it is raised again on channels[1]
    extra: dict[str, object] = field(default_factory=dict)


def day_random(seed: int, day: int, stream: str) -> random.Random:
    """An independent, reproducible random stream per (seed, day, purpose)."""
    return random.Random(f"{seed}:{day}:{stream}")


class Population:
    """The customers, fixed by seed and size (customers never vanish, they close accounts)."""

    def __init__(self, seed: int, size: int, start: date) -> None:
        self.seed = seed
        self.size = size
        self.start = start

    def customer(self, index: int) -> Customer:
        rng = random.Random(f"{self.seed}:customer:{index}")
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        customer_id = 100_000 + index
        # X handles are at most 15 of [A-Za-z0-9_]: 3 + 3 + "_" + up to 8 digits
        handle = f"{first[:3].lower()}{last[:3].lower()}_{index}" if rng.random() < 0.6 else None
        created = datetime.combine(self.start, datetime.min.time(), UTC) - timedelta(
            days=rng.randint(30, 3000), seconds=rng.randint(0, 86_399)
        )
        return Customer(
            customer_id=customer_id,
            account_number=f"ACC-{customer_id:08d}",
            full_name=f"{first} {last}",
            msisdn=f"+234{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 9_999_999):07d}",
            email=f"{first.lower()}.{last.lower()}{index}@{rng.choice(EMAIL_DOMAINS)}",
            twitter_handle=handle,
            region_code=rng.choice(REGIONS)[0],
            plan_code=rng.choice(PLANS)[0],
            created_at=created,
        )

    def __iter__(self) -> Iterator[Customer]:
        return (self.customer(index) for index in range(self.size))


class World:
    """Generates, for any day number, its incidents and its complaints."""

    def __init__(self, seed: int, scale: int, start: date) -> None:
        self.seed = seed
        self.scale = scale  # average complaints per day
        self.start = start
        self.population = Population(seed, max(200, scale * 10), start)

    def day_start(self, day: int) -> datetime:
        return datetime.combine(self.start + timedelta(days=day), datetime.min.time(), UTC)

    def incidents(self, day: int) -> list[Incident]:
        rng = day_random(self.seed, day, "incidents")
        incidents = []
        for number in range(rng.choice([0, 1, 1, 2])):
            started = self.day_start(day) + timedelta(minutes=rng.randint(6 * 60, 20 * 60))
            incidents.append(
                Incident(
                    incident_id=f"INC-{self.start:%Y%m%d}-{day:03d}-{number}",
                    region_code=rng.choice(REGIONS)[0],
                    service=rng.choice(["voice", "data", "data", "sms"]),
                    severity=rng.choice(["minor", "major", "major", "critical"]),
                    started_at=started,
                    resolved_at=started + timedelta(minutes=rng.randint(45, 360)),
                    reported=rng.random() < 0.85,
                )
            )
        return incidents

    def complaints(self, day: int) -> Iterator[Complaint]:
        """The day's complaints in time order, outage spikes included."""
        rng = day_random(self.seed, day, "complaints")
        weekday = (self.start + timedelta(days=day)).weekday()
        baseline = max(1, round(self.scale * WEEKDAY_FACTOR[weekday] * rng.uniform(0.85, 1.15)))
        incidents = self.incidents(day)
        spikes = [(incident, self._spike_size(incident, rng)) for incident in incidents]
        # Draw the time of every complaint, then walk through them in order: a list of floats per
        # day is the only thing held in memory.
        moments = sorted(self._baseline_moment(day, rng) for _ in range(baseline))
        spike_moments = []
        for index, (incident, size) in enumerate(spikes):
            span = (incident.resolved_at - incident.started_at).total_seconds()
            spike_moments += [
                (incident.started_at.timestamp() + rng.random() * span, index) for _ in range(size)
            ]
        timeline = sorted([(moment, None) for moment in moments] + spike_moments)
        open_problems: dict[tuple[int, str], float] = {}  # (customer, category) -> when raised
        for number, (moment, spike_index) in enumerate(timeline):
            incident = spikes[spike_index][0] if spike_index is not None else None
            yield self._complaint(day, number, moment, incident, rng, open_problems)

    def _spike_size(self, incident: Incident, rng: random.Random) -> int:
        factor = {"minor": 0.1, "major": 0.3, "critical": 0.6}[incident.severity]
        return max(3, round(self.scale * factor * rng.uniform(0.8, 1.2)))

    def _baseline_moment(self, day: int, rng: random.Random) -> float:
        hour = rng.choices(range(24), weights=HOURLY_WEIGHTS)[0]
        local = self.day_start(day) + timedelta(hours=hour, seconds=rng.randint(0, 3599))
        return (local - LAGOS_OFFSET).timestamp()

    def _complaint(
        self,
        day: int,
        number: int,
        moment: float,
        incident: Incident | None,
        rng: random.Random,
        open_problems: dict[tuple[int, str], float],
    ) -> Complaint:
        occurred = datetime.fromtimestamp(round(moment), UTC)
        occurred = min(
            max(occurred, self.day_start(day)), self.day_start(day + 1) - timedelta(seconds=1)
        )
        if incident is not None:
            category = SERVICE_CATEGORIES[incident.service]
        else:
            category = rng.choices(CATEGORIES, weights=[20, 22, 25, 8, 12, 8, 5])[0]
        # Someone whose problem of this kind is still fresh follows it up (the same complaint)
        # rather than raising a second one: a new complaint comes from someone else.
        for _ in range(10):
            customer = self._customer_for(incident, rng)
            raised = open_problems.get((customer.customer_id, category)) if customer else None
            if raised is None or moment - raised > OPEN_PROBLEM_S:
                break
        if customer is not None:
            open_problems[(customer.customer_id, category)] = moment
        # people whose X handle the CRM does not know mostly have no X account to complain on
        on_x = customer is None or customer.twitter_handle is not None
        channel = rng.choices(CHANNELS, weights=[30, 30, 25, 15] if on_x else [8, 38, 34, 20])[0]
        channels = [channel]
        if rng.random() < 0.08:  # the same complaint raised again on a second channel
            channels.append(rng.choice([other for other in CHANNELS if other != channel]))
        if customer is None:  # unknown people reach us on social or by SMS only
            channels = [rng.choice(["social", "sms"])]
        return Complaint(
            complaint_id=f"CMP-{day:04d}-{number:07d}",
            customer=customer,
            category=category,
            occurred_at=occurred,
            channels=channels,
            incident_id=incident.incident_id if incident else None,
            burst=rng.choices([1, 2, 3], weights=[70, 20, 10])[0] if "sms" in channels else 1,
            opens_ticket=rng.random() < 0.35 and customer is not None,
            second_channel_delay=timedelta(minutes=rng.randint(5, 360)),
        )

    def _customer_for(self, incident: Incident | None, rng: random.Random) -> Customer | None:
        if rng.random() < 0.07:
            return None
        # Repeat complainers: a small group of customers accounts for many complaints.
        if rng.random() < 0.15:
            index = rng.randrange(min(40, self.population.size))
        else:
            index = rng.randrange(self.population.size)
        customer = self.population.customer(index)
        if incident is not None and customer.region_code != incident.region_code:
            for _ in range(20):  # an outage's complaints come from its region
                candidate = self.population.customer(rng.randrange(self.population.size))
                if candidate.region_code == incident.region_code:
                    return candidate
        return customer
