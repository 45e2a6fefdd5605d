"""What customers write: complaints about each category the way people really type them, and the
noise around them, plus the many shapes of one phone number.

A complaint is composed from parts drawn at random: an opener, one of many descriptions of the
problem (English, Nigerian Pidgin, and the two mixed), some context, a closer; then the writer's
habits bend it: abbreviations (`pls`, `nt wrkn`, `u`, `dat`), typos, ALL CAPS, hashtags, emoji.
The same problem is therefore rarely written the same way twice. The classifier in the warehouse
is a keyword dictionary kept apart from these phrases (and measured on hand-written texts too),
so the simulator is a test of it, not its source.
"""

from __future__ import annotations

import random
import re

PROBLEMS = {
    "NETWORK": [
        "no network",
        "no network at all",
        "no signal on my line",
        "network is down",
        "una network don die",
        "network no dey at all",
        "my calls keep dropping",
        "calls are not going through",
        "calls dey cut every minute",
        "I can't make calls",
        "I cannot receive any call",
        "my phone shows emergency calls only",
        "the signal bars are gone",
        "no service on my sim",
        "my sms are not delivering",
        "text messages no dey deliver",
        "I can't hear the person I'm calling",
        "the network keeps fluctuating",
        "there is no coverage in my area",
        "my line is not connecting",
        "calls fail immediately",
        "the voice keeps breaking during calls",
        "network don disappear from my phone",
        "nobody can reach me on this line",
        "outgoing calls not working",
        "poor reception everywhere in my estate",
    ],
    "DATA": [
        "my data is not working",
        "there is no internet",
        "the internet is very slow",
        "I can't browse at all",
        "4G is not connecting",
        "my data connection keeps dropping",
        "LTE is showing but nothing loads",
        "whatsapp no dey load",
        "browsing speed is terrible",
        "I no fit browse since morning",
        "mobile data is on but no internet",
        "my fibre internet is down",
        "youtube keeps buffering, speed is nothing",
        "the data speed is like 2G",
        "internet connection timing out",
        "pages won't open on my phone",
        "I subscribed for data but cannot use it",
        "data no dey work for my phone",
        "home internet stopped working",
        "5G shows but nothing loads",
        "browsing is slow like snail",
        "my data finishing too fast without browsing",
    ],
    "BILLING": [
        "you double charged me for my data bundle",
        "una deduct my money",
        "dem don remove my money",
        "my airtime just disappeared",
        "my recharge card was not credited",
        "my bill is wrong this month",
        "charged for roaming I never used",
        "you subscribed me to a service without my consent",
        "my balance reduced for nothing",
        "I want a refund of my money",
        "you deducted 500 naira from my account",
        "my postpaid bill is too high",
        "card loaded but balance no increase",
        "I was debited twice for one bundle",
        "my credit dey vanish",
        "I paid my bill but it still shows unpaid",
        "why una chop my airtime",
        "money comot for my account without reason",
        "the invoice has charges I don't recognise",
        "I bought a bundle, money gone, no bundle",
        "overcharged for calls again",
    ],
    "SIM": [
        "my SIM says not registered",
        "my NIN linking failed",
        "my SIM swap request is still pending",
        "my SIM has been blocked",
        "I lost my SIM, how do I block it",
        "my SIM card is showing invalid",
        "it is asking for a PUK code",
        "my phone is not detecting the SIM",
        "the new SIM is not activated",
        "my line was barred after the NIN deadline",
        "SIM replacement is taking forever",
        "dem block my line because of NIN",
        "I need to retrieve my old number",
        "my sim no dey read for phone",
        "SIM registration still not done",
    ],
    "CUSTOMER_SERVICE": [
        "I have called customer care 5 times and nobody helps",
        "your agents are very rude",
        "I have been on hold for 45 minutes",
        "nobody is replying my DM",
        "the agent hung up on me",
        "your customer service is terrible",
        "I'm waiting for a response since yesterday",
        "they keep transferring me from one agent to another",
        "nobody pick call for your office",
        "the agent promised a callback that never came",
        "your staff at the shop were useless",
        "I have sent three emails without reply",
        "customer care line no dey go through",
        "your chatbot is not helping at all",
    ],
    "DEVICE": [
        "the router you gave me keeps restarting",
        "my MiFi is not connecting",
        "the fibre box red light is blinking",
        "the modem is not working",
        "the technician never came to fix the box",
        "my router is overheating",
        "the light on my fibre box is off",
        "the device you sold me is faulty",
        "mifi battery no dey hold charge",
        "the router wifi keeps disconnecting my laptop",
        "the new modem won't power on",
        "my hotspot device stopped charging",
        "the installation engineer left the box unconfigured",
    ],
    "OTHER": [
        "I want to speak to a manager about my account",
        "stop sending me promo messages",
        "una promo message too many, stop am",
        "how do I close my account",
        "please unsubscribe me from your adverts",
        "I need my account statement",
        "I want to change the name on my account",
        "your marketing calls every day are annoying",
        "I want to transfer ownership of my line",
    ],
}
OPENERS = [
    "",
    "",
    "",
    "Hello, ",
    "Good morning, ",
    "Abeg ",
    "Please ",
    "Pls ",
    "Hi Beejan, ",
    "Beejan ",
    "Oga, ",
    "Dear Beejan, ",
    "Hey ",
    "Urgent: ",
]
CONTEXT = [
    "",
    "",
    " since morning",
    " since yesterday",
    " for 3 days now",
    " again",
    " in {region}",
    " for {region}",
    " o",
    " since 2hrs",
    " this whole week",
    " since last night",
    " around {region}",
]
CLOSERS = [
    "",
    "",
    " 😡",
    " 😤",
    " 🙄",
    " 😭",
    ". Please fix it",
    ". Fix am abeg",
    ". This is unacceptable",
    " #BeejanDown",
    ". What is happening?",
    ". I'm tired of this",
    " 🙏",
    "!!!",
    ". Una too dey disappoint",
    ". Do something",
    ". I want answers",
]
# How writers shorten words (whole words only; the warehouse must read them back).
ABBREVIATIONS = {
    "please": ["pls", "plz", "plss"],
    "not": ["nt", "no"],
    "working": ["wrkn", "wrking", "workin"],
    "you": ["u"],
    "your": ["ur"],
    "that": ["dat"],
    "the": ["d", "da"],
    "network": ["netwrk", "ntwk", "netwok"],
    "message": ["msg"],
    "messages": ["msgs"],
    "morning": ["mrng"],
    "because": ["bcos", "bc"],
    "what": ["wat"],
    "are": ["r"],
    "yesterday": ["ystdy"],
    "connecting": ["connectin"],
    "internet": ["intanet", "internt"],
    "people": ["ppl"],
    "money": ["moni"],
}
# Hashtags people add to a complaint: any complaint, or one of its kind.
HASHTAGS = ["#BeejanDown", "#FixBeejan", "#Beejan"]
CATEGORY_HASHTAGS = {
    "NETWORK": ["#NoNetwork", "#NoSignal"],
    "DATA": ["#DataWahala", "#NoInternet"],
    "BILLING": ["#Refund", "#Overcharged", "#BeejanScam"],
    "SIM": ["#NINLinking"],
}
AGENT_PREFIXES = [
    "Customer reports ",
    "Cust says ",
    "Caller complains: ",
    "Customer called about: ",
    "Cx states ",
    "",
]
NOISE_TEXTS = {
    "praise": [
        "love the new 5G speeds",
        "Thank you @BeejanCare, network is fast today 🙌",
        "Beejan 5G is sweet o! 🔥",
        "kudos to your agent Tolu, she was very helpful",
        "best network in Lagos no cap",
        "una data plan dey try this month 👍",
        "fibre installation was quick, great job",
        "shout out to Beejan for the free weekend data",
        "my internet has been perfect all week ❤️",
        "Impressed with how fast customer care resolved my issue",
    ],
    "joke": [
        "Beejan network and my ex, both disappear when I need them 😂",
        "lol #BeejanDown trending again",
        "my village people no even send network 😂😂",
        "Beejan na the only network wey dey play hide and seek 🤣",
        "if Beejan signal was a person it would be on vacation lmao",
    ],
    "spam": [
        "Win free 50GB data!!! click https://free-data.example now",
        "Follow me for daily crypto tips 🚀",
        "Earn 500k weekly working from home, DM me",
        "Cheap airtime for resale, contact 0909 000 0000",
        "Get free followers fast https://boost.example",
    ],
    "greeting": [
        "good morning Beejan",
        "hello",
        "Happy new month @BeejanCare",
        "hi there",
    ],
}
SMS_KEYWORDS = ["BAL", "Thanks", "ok", "HELP", "MENU", "STOP", "Ok thanks"]
FOLLOW_UPS = [  # a follow-up names no problem, or the same one ("still " + the problem)
    "pls help",
    "any update??",
    "abeg fix am",
    "still not working",
    "hello??",
    "I'm still waiting",
    "still the same problem",
    "nothing has changed",
    "una never fix am",
]


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
    """A customer's own words about a problem of `category`."""
    text = (
        rng.choice(OPENERS)
        + rng.choice(PROBLEMS[category])
        + rng.choice(CONTEXT).format(region=region)
        + rng.choice(CLOSERS)
    )
    text = _bend(text, rng, hashtags=HASHTAGS + CATEGORY_HASHTAGS.get(category, []))
    if pii is not None and rng.random() < 0.25:
        text += f" call me on {pii}" if "@" not in pii else f" email me at {pii}"
    return text


def agent_notes(category: str, region: str, rng: random.Random) -> str:
    """What a call-centre agent types about a complaint call."""
    problem = rng.choice(PROBLEMS[category]) + rng.choice(CONTEXT).format(region=region)
    notes = rng.choice(AGENT_PREFIXES) + problem
    return f'Customer says "{notes}"' if rng.random() < 0.2 else notes


def noise_text(kind: str, rng: random.Random) -> str:
    return _bend(rng.choice(NOISE_TEXTS[kind]), rng, typos=False, hashtags=["#Beejan"])


def follow_up_text(category: str, rng: random.Random) -> str:
    """A message sent again about the same problem, minutes later."""
    if rng.random() < 0.3:
        text = f"still {rng.choice(PROBLEMS[category])} {rng.randint(2, 9)}hrs now"
    else:
        text = rng.choice(FOLLOW_UPS)
    return _bend(text, rng, hashtags=HASHTAGS)


def _bend(text: str, rng: random.Random, hashtags: list[str], typos: bool = True) -> str:
    """The writer's habits: abbreviations, a typo or two, a hashtag, ALL CAPS."""
    if rng.random() < 0.35:
        text = re.sub(r"\b[a-z]+\b", lambda m: _abbreviate(m.group(), rng), text)
    if typos and rng.random() < 0.3:
        text = _typo(text, rng)
    if rng.random() < 0.1:
        text += " " + rng.choice(hashtags)
    if rng.random() < 0.08:
        text = text.upper()
    return text


def _abbreviate(word: str, rng: random.Random) -> str:
    shapes = ABBREVIATIONS.get(word)
    return rng.choice(shapes) if shapes and rng.random() < 0.7 else word


def _typo(text: str, rng: random.Random) -> str:
    """One slip of the thumb in a longer word: a letter dropped, doubled or swapped."""
    words = text.split(" ")
    long_words = [i for i, word in enumerate(words) if len(word) > 5 and word.isalpha()]
    if not long_words:
        return text
    index = rng.choice(long_words)
    word, at = words[index], rng.randrange(1, len(words[index]) - 1)
    slip = rng.choice(["drop", "double", "swap"])
    if slip == "drop":
        word = word[:at] + word[at + 1 :]
    elif slip == "double":
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    words[index] = word
    return " ".join(words)
