"""The text classifier on texts written by hand for this test (handwritten_texts.csv), not
produced by the simulator's phrase banks: typos, abbreviations, Pidgin, slang, emoji, hashtags,
capitals; complaints of every category, and praise, jokes, spam and greetings. They reach the
warehouse as tweets through a real HTTP server and the real loader, and the real dbt build
judges them."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from beejan.core.settings import Settings
from extract_load.runner import load_sources
from simulator.live import LiveScenario
from tests.dbt.steps import CONTACTS, build
from tests.fake_apis import FakeX

pytestmark = pytest.mark.slow

TEXTS = Path(__file__).with_name("handwritten_texts.csv")
FIRST_ID = 2 * 10**18  # newer than any simulated tweet


def test_handwritten_texts_are_classified_as_people_would(
    loaded: LiveScenario, project_env, fake_x: FakeX
) -> None:
    labelled = list(csv.DictReader(TEXTS.open(encoding="utf-8")))
    posted = datetime(2026, 11, 16, 12, tzinfo=UTC).isoformat().replace("+00:00", "Z")
    tweets = [
        {
            "id": str(FIRST_ID + number),
            "text": row["text"],
            "edit_history_tweet_ids": [str(FIRST_ID + number)],
            "author_id": "42",
            "created_at": posted,
        }
        for number, row in enumerate(labelled)
    ]
    fake_x.pages = [tweets[::-1]]
    (result,) = load_sources(["social"], Settings(_env_file=None), project_env)
    assert result.rows == {"tweets": len(labelled)}
    build(project_env)

    with psycopg.connect(project_env.dsn()) as conn:
        categories = dict(
            conn.execute(
                f"select source_ref, category_code from {CONTACTS} where channel = 'social'"
            ).fetchall()
        )
    right, wrong = [], []
    for tweet, row in zip(tweets, labelled, strict=True):
        got = categories.get(tweet["id"], "noise")  # not a contact: judged noise
        expected = row["category"] or "noise"
        (right if got == expected else wrong).append((row["text"], expected, got))
    complaints = [row for row in labelled if row["category"]]
    complaint_errors = [error for error in wrong if error[1] != "noise"]
    assert len(complaints) >= 80
    assert 1 - len(complaint_errors) / len(complaints) >= 0.85, complaint_errors
    assert len(right) / len(labelled) >= 0.85, wrong
