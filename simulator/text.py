"""What customers write: complaint texts per category, noise, and the many shapes of one phone
number. English and Nigerian Pidgin, emoji, URLs, @mentions, #hashtags and typed-in PII."""

from __future__ import annotations

import random

COMPLAINT_TEXTS = {
    "NETWORK": [
        "No network for my area since morning 😡",
        "Una network don die again for {region}, calls no dey go",
        "I can't make calls at all, signal bars gone",
        "Network so bad I can't hear anybody. Fix am abeg",
    ],
    "DATA": [
        "My data is not working, 4G just spinning 🙄",
        "Data don finish but I no browse anything, wetin happen?",
        "Internet too slow since yesterday, can't even load a page https://speedtest.net",
        "No internet for {region} since 2hrs #BeejanDown",
    ],
    "BILLING": [
        "You double charged me for data bundle, I want my money back",
        "Why una deduct 2000 naira from my airtime without my consent?",
        "My bill is wrong this month, charged for roaming I never used",
        "Recharge card loaded but balance no increase 😤",
    ],
    "SIM": [
        "My SIM says 'not registered' after NIN linking",
        "SIM swap request pending for 3 days now",
        "Lost my SIM, how do I block it? Nobody answering",
    ],
    "CUSTOMER_SERVICE": [
        "I have called customer care 5 times, nobody helps",
        "Your agents keep dropping my calls. Terrible service",
        "Been on hold 45 minutes. Is anybody there?",
    ],
    "DEVICE": [
        "The router you gave me keeps restarting",
        "My MiFi no dey connect again after update",
        "Fibre box red light blinking, technician never came",
    ],
    "OTHER": [
        "I want to speak to a manager about my account",
        "Una promo message too many, stop am",
    ],
}
SOCIAL_NOISE = {
    "praise": ["Thank you @BeejanCare, network is fast today 🙌", "Beejan 5G is sweet o! 🔥"],
    "joke": [
        "Beejan network and my ex, both disappear when I need them 😂",
        "lol #BeejanDown trending again",
    ],
    "spam": [
        "Win free 50GB data!!! click https://free-data.example now",
        "Follow me for daily crypto tips 🚀",
    ],
}
SMS_NOISE = ["BAL", "Thanks", "ok", "HELP", "MENU"]
FOLLOW_UPS = ["still no network {hours}hrs now", "pls help", "any update??", "abeg fix am"]


def phone_shape(msisdn: str, rng: random.Random) -> str:
    """One of the shapes a Nigerian number arrives in; ``msisdn`` is E.164 (+234...)."""
    national = msisdn[4:]
    shapes = [
        msisdn,
        msisdn[1:],
        f"0{national}",
        f"0{national[:3]} {national[3:6]} {national[6:]}",
        f"+234-{national[:3]}-{national[3:6]}-{national[6:]}",
    ]
    return rng.choice(shapes)


def complaint_text(category: str, region: str, rng: random.Random, pii: str | None = None) -> str:
    text = rng.choice(COMPLAINT_TEXTS[category]).format(region=region)
    if pii is not None and rng.random() < 0.25:
        text += f" call me on {pii}" if "@" not in pii else f" email me at {pii}"
    return text


def follow_up_text(rng: random.Random) -> str:
    return rng.choice(FOLLOW_UPS).format(hours=rng.randint(2, 9))
