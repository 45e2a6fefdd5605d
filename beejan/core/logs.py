"""Where logs go: readable lines on the terminal, and JSON lines (one event per line) in a
rotating file for the operator who looks later (BEEJAN_LOG_FILE, default
`<data_dir>/logs/beejan.jsonl`). Both have secrets redacted: every secret setting, the role
logins, and anything shaped like a password in a URL or a key=value pair."""

from __future__ import annotations

import json
import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

from pydantic import SecretStr
from pythonjsonlogger.json import JsonFormatter

from beejan.core.roles import generated_passwords_file
from beejan.core.settings import Settings

REDACTED = "***"
# a password in a URL (postgresql://user:secret@host), key=value and "key": "value" pairs
SHAPES = (
    re.compile(r"(?<=://)([^:/@\s]+):[^@\s]+(?=@)"),
    re.compile(r"(?i)\b((?:password|passwd|pwd|token|secret|auth_token|api_key)=)[^\s&;,]+"),
    re.compile(r"(?i)(\"(?:password|token|secret|auth_token)\"\s*:\s*\")[^\"]+"),
    re.compile(r"(?i)(\bBearer\s+)[A-Za-z0-9._~+/=-]+"),
)
FILE_BYTES = 10 * 1024 * 1024
FILE_BACKUPS = 5


class Redactor:
    """Takes secrets out of text: known values first, then the shapes of secrets."""

    def __init__(self, secrets: set[str]) -> None:
        # short values (a 3-letter password) would redact ordinary words
        self.secrets = sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = SHAPES[0].sub(rf"\1:{REDACTED}", text)
        for shape in SHAPES[1:]:
            text = shape.sub(rf"\1{REDACTED}", text)
        return text


class TerminalFormatter(logging.Formatter):
    """One line per event; tracebacks only with --verbose (the log file always keeps them)."""

    def __init__(self, redact: Redactor, tracebacks: bool) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        self.redact, self.tracebacks = redact, tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks:
            return self.redact(super().format(record))
        return self.redact(self.formatMessage(_with_message(record)))


class FileFormatter(JsonFormatter):
    """JSON: time, level, logger, message, the event's fields (source, step, rows,
    duration_s...) and the traceback, redacted."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
        self.redact = redact

    def process_log_record(self, log_data: dict) -> dict:
        return {key: self._redacted(value) for key, value in log_data.items()}

    def _redacted(self, value: object) -> object:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {key: self._redacted(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._redacted(item) for item in value]
        return value


def _with_message(record: logging.LogRecord) -> logging.LogRecord:
    record.message = record.getMessage()
    record.asctime = logging.Formatter.formatTime(logging.Formatter(), record, "%H:%M:%S")
    return record


def known_secrets(settings: Settings) -> set[str]:
    """Every secret setting's value and the generated role logins."""
    values = {
        value.get_secret_value()
        for name in type(settings).model_fields
        if isinstance(value := getattr(settings, name), SecretStr)
    }
    generated = generated_passwords_file(settings)
    if generated.exists():
        values |= set(json.loads(generated.read_text()).values())
    return values


def log_file(settings: Settings) -> Path:
    return settings.log_file or settings.data_dir / "logs" / "beejan.jsonl"


def configure_logging(settings: Settings | None, *, verbose: bool = False) -> None:
    """This process's logs to the terminal and, with settings, to the log file."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "beejan", None)]:
        root.removeHandler(handler)
        handler.close()
    redact = Redactor(known_secrets(settings) if settings else set())
    terminal = logging.StreamHandler()
    terminal.setFormatter(TerminalFormatter(redact, tracebacks=verbose))
    # stage events (they carry a `step`) are for the file; commands print their own summary
    terminal.addFilter(lambda record: verbose or not hasattr(record, "step"))
    _add(root, terminal, "terminal")
    if settings is not None:
        _add(root, _file_handler(settings, redact), "file")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:  # one line per HTTP request (Prefect's API calls) drowns what matters
        logging.getLogger("httpx").setLevel(logging.WARNING)


def ensure_log_file(settings: Settings) -> None:
    """The log file for a process the CLI did not start (a deployment's flow run)."""
    root = logging.getLogger()
    path = str(log_file(settings))
    for handler in [h for h in root.handlers if getattr(h, "beejan", None) == "file"]:
        if handler.baseFilename == path:  # type: ignore[attr-defined]
            return
        root.removeHandler(handler)  # another run's settings (runs in one test process)
        handler.close()
    _add(root, _file_handler(settings, Redactor(known_secrets(settings))), "file")
    root.setLevel(min(root.level or logging.INFO, logging.INFO))


def _file_handler(settings: Settings, redact: Redactor) -> logging.Handler:
    path = log_file(settings)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        path, maxBytes=FILE_BYTES, backupCount=FILE_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(FileFormatter(redact))
    return handler


def _add(root: logging.Logger, handler: logging.Handler, kind: str) -> None:
    handler.beejan = kind  # type: ignore[attr-defined]
    root.addHandler(handler)
