"""Property-based tests of every documented API operation (schemathesis against the OpenAPI schema).

Three runs, all asserting that no input gets a 5xx: valid requests generated from the schema (enums, month
patterns, bounds; invalid combinations must answer 4xx and conform to the documented status codes and
content types); negative requests that break the schema on purpose (each must be refused with a 4xx); and
stateful sequences that follow the schema's links (a dataset from the list, then that dataset; a reference
table; a report file). A slow run of a few minutes in all; ``COMERCIO_FUZZ_EXAMPLES`` scales it. Operations
are driven through hypothesis directly (schemathesis' pytest fixture loader does not run on pytest 9).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("COMERCIO_FUZZ_EXAMPLES", "120"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
]
NEGATIVE_CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.negative_data_rejection]
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture(scope="module")
def schema(api_app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", api_app)


def operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_the_api_is_read_only(schema: Any) -> None:
    ops = operations(schema)
    assert len(ops) >= 9
    # the one POST checks a text and writes nothing (tests/api/test_api_check.py)
    assert {(op.method.upper(), op.path) for op in ops if op.method.upper() != "GET"} == {
        ("POST", "/api/v1/check")
    }


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_input_gets_a_server_error(schema: Any, mode: GenerationMode) -> None:
    checks = CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS
    ran: list[str] = []
    for op in operations(schema):

        @given(case=op.as_strategy(generation_mode=mode))
        @SETTINGS
        def run(case: Any) -> None:
            case.call_and_validate(checks=checks)
            ran.append(case.path)

        try:
            run()
        except Unsatisfiable:  # nothing in its schema can be broken (no parameters, or a free-form path)
            assert mode is GenerationMode.NEGATIVE, op.label
    assert {"/api/v1/indicators", "/api/v1/reference/{name}"} <= set(ran)


def test_linked_sequences_never_get_a_server_error(schema: Any) -> None:
    machine = schema.as_state_machine()

    class Checked(machine):  # type: ignore[misc,valid-type]
        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Checked.run(
        settings=settings(
            max_examples=max(EXAMPLES // 2, 5),
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
