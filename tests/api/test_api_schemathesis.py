"""Property-based tests of every documented API operation (schemathesis against the OpenAPI schema).

Checks: no 5xx, responses conform to the documented status codes and content types. Indicator queries are
generated from the schema (enums, month patterns, bounds), so invalid combinations must answer 4xx.
Operations are driven through hypothesis directly (schemathesis' pytest fixture loader does not run on
pytest 9).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.slow

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
]


def operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_conforms_to_its_schema(api_app: Any) -> None:
    ops = operations(api_app)
    assert len(ops) >= 9
    for op in ops:

        @given(case=op.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            if case.method.upper() == "POST":
                case.query = {**(case.query or {}), "dry_run": "true"}  # never write files from fuzzed input
            case.call_and_validate(checks=CHECKS)

        run()
