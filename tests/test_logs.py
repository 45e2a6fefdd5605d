"""The log file: JSON lines with the event's fields and its traceback, secrets redacted."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from beejan.core.logs import configure_logging
from beejan.core.settings import Settings

TOKEN = "sms-token-5f2a9c"
PASSWORD = "hunter2-loader"


@pytest.fixture
def restored_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_an_event_lands_as_one_json_line_with_its_traceback_and_no_secret(
    tmp_path: Path, restored_root_logger, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        log_file=tmp_path / "logs" / "run.jsonl",
        sms_auth_token=TOKEN,
    )
    configure_logging(settings)
    event = {"source": "sms", "step": "load", "rows": 0}
    try:
        raise ConnectionError(f"postgresql://loader:{PASSWORD}@db:5432/beejan refused")
    except ConnectionError:
        logging.getLogger("extract_load.runner").error(
            "loading sms failed with token %s; retry with password=%s",
            TOKEN,
            PASSWORD,
            exc_info=True,
            extra=event,
        )
    logging.getLogger("extract_load.runner").info("an ordinary line")

    text = (tmp_path / "logs" / "run.jsonl").read_text()
    [failure, ordinary] = [json.loads(line) for line in text.splitlines()]
    assert failure["level"] == "ERROR" and failure["logger"] == "extract_load.runner"
    assert {key: failure[key] for key in event} == event
    assert "Traceback" in failure["exc_info"] and "ConnectionError" in failure["exc_info"]
    assert "loader:***@db" in failure["exc_info"]
    assert ordinary["message"] == "an ordinary line" and "time" in ordinary
    assert TOKEN not in text and PASSWORD not in text

    terminal = capsys.readouterr().err
    assert "an ordinary line" in terminal
    assert "loading sms failed" not in terminal  # a stage event: the command prints its own
    assert TOKEN not in terminal


def test_a_log_file_setting_that_names_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a folder"):
        Settings(_env_file=None, log_file=tmp_path)
