"""The OpenAPI document tells the truth: every answer the service gives, errors included, is
described by it (checked with schemathesis against real answers), and the docs pages work offline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.gate import KEYLESS_PREFIXES
from service.settings import ServiceSettings
from tests.fakes import FakeEncoder
from tests.test_service import ADMIN, READ, auth, seeded_settings

CONFORMANCE = [status_code_conformance, content_type_conformance, response_headers_conformance, response_schema_conformance]
CHECKS = [not_a_server_error, *CONFORMANCE]
EXAMPLES_PER_OPERATION = 6


def conformance_failures(schema: Any, method: str, path: str, **request: Any) -> list[str]:
    """Make one real request through schemathesis and say how its answer breaks the document."""
    headers = request.pop("headers", {})
    case = schema[path][method].Case(**request)
    response = case.call(headers=headers)
    try:
        case.validate_response(response, checks=CONFORMANCE, headers=headers)  # a 503 here is meant
    except FailureGroup as error:
        return [f"{method} {path} -> {response.status_code}: {str(error)[:300]}"]
    return []


def test_error_answers_are_the_ones_the_document_describes(tmp_path: Path) -> None:
    app = create_app(seeded_settings(tmp_path, max_body_bytes=2048, precompute_peers=False), FakeEncoder())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    store = app.state.service.workspace.store
    from service.jobs import _OWNER

    row = {"id": "running-job", "status": "running", "created": 1.0, "finished": None, "owner": _OWNER, "result": None, "error": None}
    store.save_job(row | {"request": '{"mentees": ["dakar"], "mentors": ["lyon"]}'})
    calls: list[tuple[str, str, dict[str, Any], int]] = [
        ("GET", "/v1/members", {}, 401),
        ("GET", "/v1/members", {"headers": auth("not-a-key")}, 401),
        ("GET", "/v1/keys", {"headers": auth(READ)}, 403),
        ("GET", "/v1/members/{member_id}", {"path_parameters": {"member_id": "nobody"}, "headers": auth(READ)}, 404),
        ("GET", "/v1/members", {"query": {"offset": -1}, "headers": auth(READ)}, 422),
        ("GET", "/v1/pairings/{job_id}/result", {"path_parameters": {"job_id": "running-job"}, "headers": auth(READ)}, 409),
        ("POST", "/v1/resources/search", {"body": {"query": "x" * 3000}, "headers": auth(READ)}, 413),
        ("POST", "/v1/members/bulk", {"body": [{"id": "x", "name": "X"}], "headers": auth(ADMIN)}, 422),
        ("POST", "/v1/pairings", {"body": {"mentees": ["dakar"], "mentors": ["lyon"]}, "headers": auth(READ)}, 202),
        ("POST", "/v1/recommendations/peers", {"body": {"member_id": "dakar"}, "headers": auth(READ)}, 200),
        ("GET", "/v1/members/{member_id}/peers", {"path_parameters": {"member_id": "dakar"}, "headers": auth(READ)}, 200),
        ("GET", "/v1/members/{member_id}/resources", {"path_parameters": {"member_id": "dakar"}, "headers": auth(READ)}, 200),
        ("POST", "/v1/proposals", {"body": {"kind": "pairing", "member_id": "dakar", "partner_id": "lyon"}, "headers": auth(ADMIN)}, 201),
        ("POST", "/v1/proposals", {"body": {"kind": "pairing", "member_id": "dakar", "partner_id": "x"}, "headers": auth(ADMIN)}, 422),
        (
            "POST",
            "/v1/proposals/{proposal_id}/close",
            {"path_parameters": {"proposal_id": 1}, "body": {"outcome": "x", "rating": 3}, "headers": auth(ADMIN)},
            409,
        ),
        ("POST", "/v1/proposals/{proposal_id}/approve", {"path_parameters": {"proposal_id": 999}, "body": {}, "headers": auth(ADMIN)}, 404),
        ("GET", "/v1/proposals", {"query": {"member_id": "dakar"}, "headers": auth(READ)}, 200),
    ]
    failures = []
    for method, path, request, status in calls:
        response = TestClient(app).request(method, path.format(**request.get("path_parameters", {})), **_client_args(request))
        assert response.status_code == status, (method, path, response.status_code, response.text[:200])
        failures += conformance_failures(schema, method, path, **request)
    empty = create_app(ServiceSettings(data_dir=tmp_path / "empty", api_keys=seeded_settings(tmp_path / "k").api_keys, log_json=False))
    empty_schema = schemathesis.openapi.from_asgi("/openapi.json", empty)
    failures += conformance_failures(empty_schema, "GET", "/ready")
    failures += conformance_failures(
        empty_schema, "GET", "/v1/members/{member_id}/peers", path_parameters={"member_id": "x"}, headers=auth(READ)
    )
    assert not failures, "\n".join(failures)


def _client_args(request: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {"headers": request.get("headers", {}), "params": request.get("query")}
    if "body" in request:
        args["json"] = request["body"]
    return args


def test_generated_requests_get_answers_the_document_describes(tmp_path: Path) -> None:
    app = create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise AssertionError(f"the OpenAPI schema has an operation schemathesis cannot read: {result.err()}")
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def call(case: schemathesis.Case) -> None:
            headers = {"Authorization": f"Bearer {ADMIN}"}
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as error:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {str(error)[:300]}")

        call()
    assert not failures, "\n".join(sorted(set(failures))[:15])


def test_the_document_names_every_route_and_answer(tmp_path: Path) -> None:
    document = TestClient(create_app(seeded_settings(tmp_path), FakeEncoder())).get("/openapi.json").json()
    paths = document["paths"]
    assert "/v1/{collection}/bulk" not in paths and {"/v1/members/bulk", "/v1/resources/bulk"} <= set(paths)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            if path.startswith(KEYLESS_PREFIXES):  # the signed link is the credential: no key, so no 401
                assert {"413", "503"} <= statuses and not {"401", "403"} & statuses, (method, path, statuses)
            elif path.startswith("/v1/"):
                assert {"401", "403", "413", "503"} <= statuses, (method, path, statuses)
            for status, answer in operation["responses"].items():
                if int(status) >= 400 and path != "/ready":
                    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    accepted = paths["/v1/pairings"]["post"]["responses"]["202"]
    assert accepted["headers"]["Location"]["required"] is True
    assert document["components"]["schemas"]["JobStatus"]["properties"]["created"]["format"] == "date-time"
    peers = paths["/v1/recommendations/peers"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    required = set(document["components"]["schemas"][peers["$ref"].rsplit("/", 1)[1]]["required"])
    assert required == {"total", "offset", "limit", "items", "answer"}  # answer: null unless the ranking is empty


def test_a_job_is_found_where_the_location_header_says_with_iso_times(tmp_path: Path) -> None:
    client = TestClient(create_app(seeded_settings(tmp_path), FakeEncoder()))
    created = client.post("/v1/pairings", headers=auth(READ), json={"mentees": ["dakar"], "mentors": ["lyon"]})
    assert created.headers["Location"] == f"/v1/pairings/{created.json()['id']}"
    for _ in range(100):
        status = client.get(created.headers["Location"], headers=auth(READ)).json()
        if status["status"] == "done":
            break
        time.sleep(0.05)
    assert status["created"].endswith("Z") and status["finished"] >= status["created"]  # ISO 8601, UTC


def test_the_docs_pages_need_no_network(tmp_path: Path) -> None:
    client = TestClient(create_app(seeded_settings(tmp_path), FakeEncoder()))
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assert "cdn." not in html and "http" not in html.replace("http-equiv", ""), page
    swagger = client.get("/docs").text
    script = swagger.split('<script src="')[1].split('"')[0]
    assert script.startswith("/") and client.get(script).status_code == 200
    redoc = client.get("/redoc").text.split('<script src="')[1].split('"')[0]
    assert client.get(redoc).headers["content-type"].startswith(("application/javascript", "text/javascript"))
