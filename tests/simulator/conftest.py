"""Validation of simulator answers against the real APIs' own OpenAPI descriptions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

SPECS = Path(__file__).resolve().parents[2] / "simulator" / "specs"

Validator = Callable[[requests.Response], None]


def _validator(spec_file: str) -> Validator:
    # The cut-down descriptions carry a provenance note (`info.source`) that strict document
    # validation rejects; the answers are still validated against every schema in them.
    openapi = OpenAPI.from_dict(
        json.loads((SPECS / spec_file).read_text()), config=Config(spec_validator_cls=None)
    )

    def validate(response: requests.Response) -> None:
        assert response.status_code == 200, response.text
        openapi.validate_response(
            RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response)
        )

    return validate


@pytest.fixture(scope="session")
def valid_x_answer() -> Validator:
    """Raises unless a 200 answer conforms to X API v2's recent-search description."""
    return _validator("x_recent_search.openapi.json")


@pytest.fixture(scope="session")
def valid_twilio_answer() -> Validator:
    """Raises unless a 200 answer conforms to Twilio's List Messages description."""
    return _validator("twilio_list_messages.openapi.json")
