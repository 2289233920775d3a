"""The OpenAPI document says what every field of a recommendation answer means, and the ranges it
states hold on real answers (a hub reading 'context: unbounded, typically 0-5' beside values of
0.19, or 'gives: 0.7 is strong' beside a 0.92 labelled weak, cannot act on either)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.app import create_app
from tests.fakes import FakeEncoder
from tests.test_service import READ, auth, seeded_settings

ANSWERS = (
    ("post", "/v1/recommendations/peers"),
    ("get", "/v1/members/{member_id}/peers"),
    ("get", "/v1/members/{member_id}/helps"),
    ("post", "/v1/recommendations/experts"),
    ("get", "/v1/members/{member_id}/resources"),
    ("post", "/v1/resources/search"),
    ("get", "/v1/resources/search"),
)


def referenced(document: dict[str, Any], node: Any, found: set[str]) -> set[str]:
    """The names of every schema ``node`` refers to, followed through the schemas it names."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[-1]
            if name not in found:
                found.add(name)
                referenced(document, document["components"]["schemas"][name], found)
        for value in node.values():
            referenced(document, value, found)
    elif isinstance(node, list):
        for value in node:
            referenced(document, value, found)
    return found


def test_every_field_of_a_recommendation_answer_and_of_an_error_is_described(tmp_path: Path) -> None:
    document = TestClient(create_app(seeded_settings(tmp_path), FakeEncoder())).get("/openapi.json").json()
    names: set[str] = {"Error"}
    for method, path in ANSWERS:
        referenced(document, document["paths"][path][method]["responses"]["200"], names)
    undescribed = [
        f"{name}.{field}"
        for name in sorted(names)
        for field, schema in document["components"]["schemas"][name].get("properties", {}).items()
        if not schema.get("description")
    ]
    assert undescribed == []


def test_every_field_and_parameter_of_a_recommendation_request_is_described(tmp_path: Path) -> None:
    document = TestClient(create_app(seeded_settings(tmp_path), FakeEncoder())).get("/openapi.json").json()
    names: set[str] = set()
    undescribed = []
    for method, path in ANSWERS:
        operation = document["paths"][path][method]
        referenced(document, operation.get("requestBody", {}), names)
        undescribed += [f"{path} ?{p['name']}" for p in operation.get("parameters", []) if p["in"] == "query" and not p.get("description")]
    assert {"PeerRequest", "PeerRequestOptions", "UnsavedProfile", "ExpertRequestOptions", "ResourceSearchRequest"} <= names
    undescribed += [
        f"{name}.{field}"
        for name in sorted(names)
        for field, schema in document["components"]["schemas"][name].get("properties", {}).items()
        if not schema.get("description")
    ]
    assert undescribed == []


def test_the_ranges_the_document_states_hold_on_a_real_answer(tmp_path: Path) -> None:
    client = TestClient(create_app(seeded_settings(tmp_path), FakeEncoder()))
    parts = client.get("/openapi.json").json()["components"]["schemas"]["PeerScoreParts"]["properties"]
    items = client.get("/v1/members/dakar/peers", headers=auth(READ), params={"k": 3}).json()["items"]
    assert items
    for field in ("gives", "context"):
        assert "0-1" in parts[field]["description"] and "unbounded" not in parts[field]["description"]
        assert all(0.0 <= item["parts"][field] <= 1.0 for item in items)
    # The label's thresholds, as the document states them, give the label every answer carries.
    for item in items:
        expected = "strong" if item["match_score"] >= 0.7 else "partial" if item["match_score"] >= 0.3 else "weak"
        assert item["match_quality"] == expected
    assert "(0.7: strong" not in parts["gives"]["description"]  # gives is ranked on, not labelled by


MEMBER_ID_FIELDS = {"member_id", "partner_id", "member_a", "member_b"}


def member_examples(node: Any) -> list[str]:
    """Every example the document gives for a field that holds a member's id."""
    found: list[str] = []
    if isinstance(node, dict):
        for name, value in node.get("properties", {}).items():
            if name in MEMBER_ID_FIELDS and isinstance(value, dict):
                found += [example for example in value.get("examples", []) if isinstance(example, str)]
        for value in node.values():
            found += member_examples(value)
    elif isinstance(node, list):
        for value in node:
            found += member_examples(value)
    return found


def test_the_documents_member_examples_name_members_of_the_demo(tmp_path: Path) -> None:
    # A hub trying the examples on `peermatch demo` was refused: the demo holds no city-lyon-fr.
    import json

    from matcher.demo import COALITION_MEMBERS, DEMO_FILES

    known = {json.loads(line)["id"] for path in (DEMO_FILES[0], COALITION_MEMBERS) for line in path.read_text().splitlines() if line}
    document = TestClient(create_app(seeded_settings(tmp_path), FakeEncoder())).get("/openapi.json").json()
    examples = member_examples(document["components"]["schemas"])
    assert len(examples) >= 4 and sorted(set(examples) - known) == []
