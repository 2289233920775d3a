"""Property-based fuzzing from the OpenAPI schema (schemathesis): no input gives a server error.

Bounded so it stays in the suite: a few examples per operation, on a small network with the
fake embedder, with an admin key so that every route is reached (writes included, in a
temporary data dir). Operations are driven one by one through hypothesis (schemathesis's own
pytest plugin does not load under this pytest).
"""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Err

from service.app import create_app
from tests.fakes import FakeEncoder
from tests.test_service import ADMIN, seeded_settings

EXAMPLES_PER_OPERATION = 12


def test_no_input_gives_a_server_error(tmp_path: Path) -> None:
    app = create_app(seeded_settings(tmp_path), FakeEncoder())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise AssertionError(f"the OpenAPI schema has an operation schemathesis cannot read: {result.err()}")
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {ADMIN}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")
            elif response.status_code >= 400 and not {"code", "message"} <= set(response.json()):
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code} without the error shape")

        call()
    assert operations >= 20
    assert not failures, "\n".join(failures[:10])
