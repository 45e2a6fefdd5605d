"""Call-centre logs and web-form CSVs carry exactly the dirt the contract describes."""

from __future__ import annotations

import csv
import gzip
import io
import shlex
from datetime import datetime
from pathlib import Path

from simulator.call_center import read_log
from simulator.fixtures import ScenarioFactory
from simulator.live import LiveScenario


def parse_logfmt(line: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in shlex.split(line))


def test_log_files_parse_except_cut_off_last_lines(make_scenario: ScenarioFactory) -> None:
    live = make_scenario(days=3, with_crm=False)
    files = sorted((live.scenario.landing / "call_center").rglob("calls_*"))
    assert any(path.suffix == ".gz" for path in files)
    cut = 0
    for path in files:
        assert path.name.startswith("calls_") and path.parts[-4].isdigit()
        text = read_log(path)
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        else:
            cut += 1
            lines.pop()  # the contract's one kind of broken line: the last, without a newline
        for line in lines:
            fields = parse_logfmt(line)
            assert fields["level"] in {"INFO", "DEBUG", "WARN"}
            assert datetime.fromisoformat(fields["ts"]).utcoffset() is not None
            if fields.get("event") == "call_closed":
                assert fields["disposition"] and fields["reason_code"]
    assert cut > 0
    truth = live.scenario.truth()
    expected_cut = {key for key, r in truth.items() if r.quarantine == "cut_off_line"}
    assert 0 < len(expected_cut) <= cut


def test_gzip_files_are_real_gzip(scenario: LiveScenario) -> None:
    for path in (scenario.scenario.landing / "call_center").rglob("*.log.gz"):
        assert gzip.decompress(path.read_bytes())


def test_web_form_exports_have_the_dirt_of_each_cms_version(make_scenario: ScenarioFactory) -> None:
    live = make_scenario(days=3, with_crm=False)
    files = sorted((live.scenario.landing / "web_forms").glob("web_complaints_*.csv"))
    assert len(files) == 3
    v1, v2, _ = (path.read_bytes() for path in files)
    assert v1.startswith(b"\xef\xbb\xbf") and b"\r\n" in v1
    assert not v2.startswith(b"\xef\xbb\xbf") and b"\r\n" not in v2
    rows = {
        path.name: list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
        for path in files
    }
    first, second, third = (rows[path.name] for path in files)
    assert datetime.strptime(first[0]["submitted_at"], "%d/%m/%Y %H:%M")
    assert datetime.strptime(second[0]["submitted_at"], "%Y-%m-%d %H:%M:%S")
    assert datetime.strptime(third[0]["submitted_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert "preferred_contact" not in first[0] and "website" in third[0]
    every = first + second + third
    assert any("\n" in row["message"] and "," in row["message"] for row in every)
    assert any(row["email"].endswith("@beejan.example") for row in every)
    assert any(row["website"] for row in third)
    assert any(not row["message"] for row in every)
    truth = live.scenario.truth()
    assert {r["submission_id"] for r in every} == {key for ch, key in truth if ch == "web_form"}
    assert any(r.noise == "double_click" for r in truth.values())


def call_center_keys(landing: Path) -> set[str]:
    """The truth key of every whole line in the call-centre files as they are now."""
    keys = set()
    for path in (landing / "call_center").rglob("calls_*"):
        relative = path.relative_to(landing / "call_center").as_posix()
        lines = read_log(path).split("\n")[:-1]  # the cut-off last line, if any, is not whole
        for number, line in enumerate(lines, start=1):
            fields = parse_logfmt(line)
            call_id = fields.get("call_id")
            keys.add(f"{call_id}:{fields['event']}" if call_id else f"{relative}:{number}")
    return keys


def test_no_delivered_file_is_written_again_except_as_a_redelivery(
    make_scenario: ScenarioFactory,
) -> None:
    """Each day adds its own files; of those delivered before, only the contract's
    re-deliveries (one copied again, one corrected) may change, and the truth never lists a
    record that no file holds."""
    live = make_scenario(days=1, with_crm=False, scale=2000)
    landing = live.scenario.landing
    for _ in range(2):
        before = {path: path.read_bytes() for path in landing.rglob("*") if path.is_file()}
        live.advance(1)
        rewritten = sorted(
            path.name for path, content in before.items() if path.read_bytes() != content
        )
        corrected = sorted(
            record.origin.split(":")[0]
            for record in live.scenario.truth().values()
            if record.origin.endswith(":redelivered")
            and record.occurred_at.date() >= live.scenario.world.start
        )
        assert set(rewritten) <= set(corrected)
        truth_keys = {
            key
            for (channel, key), record in live.scenario.truth().items()
            if channel == "call_center" and not record.quarantine
        }
        assert truth_keys <= call_center_keys(landing)
