"""A property-based run over the OpenAPI schema (schemathesis): for every operation, a bounded
number of generated requests with a clerk's token and with a reviewer's token. No answer is a
server error, and every answer the schema describes matches it.

The requests go through Django's test client (inside the test's transaction, with the world and
its entries, scorecards and nominations in place); schemathesis generates the cases and checks
the answers."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as run_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 5
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _call(client, case) -> Response:
    path = case.formatted_path
    query = urlencode(case.query or {}, doseq=True)
    headers = {k: str(v) for k, v in (case.headers or {}).items()}
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    body = case.body if case.body is not NOT_SET and case.body is not None else None
    started = time.monotonic()
    answer = client.generic(case.method.upper(), path, json.dumps(body) if body is not None else "",
                            content_type="application/json", QUERY_STRING=query, **extra)
    sent = requests.Request(case.method.upper(), f"http://testserver{path}", params=case.query or None,
                            headers=headers, json=body).prepare()
    return Response(status_code=answer.status_code, headers={k: [v] for k, v in answer.headers.items()},
                    content=answer.content, request=sent, elapsed=time.monotonic() - started, verify=False)


@pytest.mark.parametrize("persona_name", ["clerk_a", "reviewer_x"])
def test_generated_requests_get_no_server_error_and_answers_match_the_schema(persona_name, everything, persona,
                                                                             settings):
    settings.API_THROTTLE_RATES = {"user": "100000/minute", "anon": "100000/minute"}
    client = token_client(persona(persona_name))
    raw = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schema = schemathesis.openapi.from_dict(raw)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:
        @given(case=operation.as_strategy())
        @run_settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            answer = _call(client, case)
            case.validate_response(answer, checks=CHECKS)

        check()
