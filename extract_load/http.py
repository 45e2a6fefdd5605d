"""HTTP sessions for the API sources: dlt's retrying client (429 and 5xx retried with
exponential backoff, bounded attempts, `Retry-After` honoured), taught X's rate-limit header."""

from __future__ import annotations

import time
from typing import Any

from dlt.sources.helpers.requests import Client, Response

from beejan.core.errors import SourceError

MAX_ATTEMPTS = 6
BACKOFF_FACTOR = 0.5
MAX_DELAY_S = 900  # X's rate-limit window is 15 minutes


def _retry_after_from_rate_limit_reset(response: Response, *args: Any, **kwargs: Any) -> Response:
    """X answers 429 with `x-rate-limit-reset` (epoch seconds), not `Retry-After`: translate it,
    so the retry waits exactly until the window resets."""
    reset = response.headers.get("x-rate-limit-reset")
    if response.status_code == 429 and reset and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(max(1, int(reset) - int(time.time())))
    return response


def retrying_session(timeout_s: float = 30.0):
    client = Client(
        request_timeout=timeout_s,
        raise_for_status=False,
        request_max_attempts=MAX_ATTEMPTS,
        request_backoff_factor=BACKOFF_FACTOR,
        request_max_retry_delay=MAX_DELAY_S,
        session_attrs={"hooks": {"response": [_retry_after_from_rate_limit_reset]}},
    )
    return client.session


def source_error(system: str, base_url: str, error: Exception) -> SourceError:
    """One line an operator can act on, for an API that failed after every retry."""
    response = getattr(error, "response", None)
    if response is not None and response.status_code in (401, 403):
        return SourceError(
            f"{system} at {base_url} rejected our credentials ({response.status_code}): "
            "check them in the environment"
        )
    if response is not None:
        return SourceError(f"{system} at {base_url} kept failing: HTTP {response.status_code}")
    return SourceError(f"{system} is unreachable at {base_url}: {type(error).__name__}")
