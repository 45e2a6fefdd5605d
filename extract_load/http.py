"""HTTP for the API sources: dlt's retrying client (429 and 5xx retried with exponential
backoff, bounded attempts, `Retry-After` honoured), taught X's rate-limit header, and one way to
walk an API's pages that says which page a record came from."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from dlt.common.jsonpath import compile_path
from dlt.sources.helpers.requests import Client, Response
from dlt.sources.helpers.rest_client import RESTClient
from requests import JSONDecodeError, RequestException

from beejan.core.errors import SourceError

MAX_ATTEMPTS = 6
BACKOFF_FACTOR = 0.5
MAX_DELAY_S = 900  # X's rate-limit window is 15 minutes


def _retry_after_from_rate_limit_reset(response: Response, *args: Any, **kwargs: Any) -> Response:
    """X answers 429 with `x-rate-limit-reset` (epoch seconds), not `Retry-After`: translate it,
    so the retry waits exactly until the window resets."""
    reset = response.headers.get("x-rate-limit-reset")
    if response.status_code == 429 and reset and "Retry-After" not in response.headers:
        # when it is not epoch seconds, the client's own backoff applies
        with contextlib.suppress(ValueError):
            response.headers["Retry-After"] = str(max(1, int(reset) - int(time.time())))
    return response


def _json_parsed_once(response: Response, *args: Any, **kwargs: Any) -> Response:
    """dlt's client reads a page's JSON for its data selector, its paginator reads it again, and
    `api_pages` a third time: parse it once. The parsed body is shared, so it is only read.
    (Not orjson: it reads an integer beyond 64 bits as a float, and refuses a page holding one
    escaped lone surrogate, where the record alone must be quarantined.)"""
    parse = response.json
    parsed: list[Any] = []

    def json(**options: Any) -> Any:
        if options:
            return parse(**options)
        if not parsed:
            parsed.append(parse())
        return parsed[0]

    response.json = json  # type: ignore[method-assign]
    return response


def _raise_for_status(response: Response, *args: Any, **kwargs: Any) -> None:
    response.raise_for_status()  # inside the retries: a 429 or 5xx is retried, then raised


# The hooks of every page request. requests lets a request's hooks replace the session's, and
# dlt's client gives each request its own, so they are passed with the request.
PAGE_HOOKS = {
    "response": [_retry_after_from_rate_limit_reset, _json_parsed_once, _raise_for_status]
}


def retrying_session(timeout_s: float = 30.0):
    client = Client(
        request_timeout=timeout_s,
        raise_for_status=False,
        request_max_attempts=MAX_ATTEMPTS,
        request_backoff_factor=BACKOFF_FACTOR,
        request_max_retry_delay=MAX_DELAY_S,
    )
    return client.session


def api_pages(
    client: RESTClient, system: str, path: str, params: dict[str, Any], data_selector: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(URL of the page, its JSON body) for every page, following the client's paginator.
    A page that is not a JSON object stops the load with a clear error: its records, and every
    page after it, would otherwise be skipped for good once the cursor moved on."""
    url = f"{client.base_url.rstrip('/')}{path}"
    try:
        # compiled once: dlt compiles a JSONPath given as text again for every page
        selector = compile_path(data_selector)
        pages = client.paginate(path, params=params, data_selector=selector, hooks=PAGE_HOOKS)
        for page in pages:
            url = page.response.url
            body = page.response.json()
            if not isinstance(body, dict):
                raise ValueError(f"the body is a JSON {type(body).__name__}, not an object")
            yield url, body
            url = page.request.url  # the next page's, should it fail
    except JSONDecodeError as error:  # a RequestException too, but the page came: say so
        raise _unreadable_page(system, url, error) from error
    except RequestException as error:
        raise source_error(system, client.base_url, error) from error
    except ValueError as error:  # not UTF-8, or not the contract's shape
        raise _unreadable_page(system, url, error) from error


def _unreadable_page(system: str, url: str, error: Exception) -> SourceError:
    return SourceError(f"{system} sent a page that cannot be read ({url}): {error}")


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
