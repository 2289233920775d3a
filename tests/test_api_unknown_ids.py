"""A 404 names where the unknown id was given, as a 422 names its field: the path parameter
(member_id, resource_id, job_id, proposal_id) or the body field (member_id, options.include),
so that a hub can point at the input it sent, whatever the route."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.fakes import FakeEncoder
from tests.test_service import READ, auth, seeded_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(seeded_settings(tmp_path), FakeEncoder()))


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("GET", "/v1/members/nobody", None, "member_id"),
        ("GET", "/v1/members/nobody/peers", None, "member_id"),
        ("GET", "/v1/members/nobody/helps", None, "member_id"),
        ("GET", "/v1/members/nobody/resources", None, "member_id"),
        ("GET", "/v1/resources/nobody", None, "resource_id"),
        ("GET", "/v1/proposals/999", None, "proposal_id"),
        ("GET", "/v1/pairings/nobody", None, "job_id"),
        ("GET", "/v1/pairings/nobody/result", None, "job_id"),
        ("POST", "/v1/recommendations/peers", {"member_id": "nobody"}, "member_id"),
        ("POST", "/v1/recommendations/experts", {"theme": "digital", "options": {"include": ["lyon", "nobody"]}}, "options.include"),
    ],
)
def test_a_404_names_the_parameter_or_field_that_held_the_unknown_id(
    client: TestClient, method: str, path: str, body: dict[str, object] | None, field: str
) -> None:
    response = client.request(method, path, headers=auth(READ), json=body)
    assert response.status_code == 404
    error = response.json()
    assert error["code"] == "not_found" and error["field"] == field
    assert ("'999'" if "999" in path else "'nobody'") in error["message"]


def test_a_search_filter_with_a_language_that_is_no_code_is_refused_by_name(client: TestClient) -> None:
    # It used to filter out every resource: 200, no results and no sentence, for a typo.
    refused = client.post("/v1/resources/search", headers=auth(READ), json={"query": "flood drills", "languages": ["fr", "english"]})
    assert refused.status_code == 422
    assert refused.json()["field"] == "languages.1" and "'english' is not an ISO 639-1 language code" in refused.json()["message"]
    kept = client.post("/v1/resources/search", headers=auth(READ), json={"query": "flood drills", "languages": ["EN"]})
    assert kept.status_code == 200 and kept.json()["results"]
    wrong_mode = client.post("/v1/resources/search", headers=auth(READ), json={"query": "flood drills", "mode": "fuzzy"})
    assert wrong_mode.status_code == 422 and wrong_mode.json()["field"] == "mode" and "'lexical'" in wrong_mode.json()["message"]


@pytest.mark.parametrize(
    ("route", "body", "field", "named"),
    [
        (
            "/v1/recommendations/peers",
            {"member_id": "dakar", "options": {"regions": ["Europe and North America", "Mars"]}},
            "options.regions.1",
            "'Africa'",
        ),
        ("/v1/recommendations/peers", {"member_id": "dakar", "options": {"countries": ["France"]}}, "options.countries.0", "France"),
        ("/v1/recommendations/peers", {"member_id": "dakar", "options": {"kinds": ["martian"]}}, "options.kinds.0", "city"),
        ("/v1/recommendations/experts", {"theme": "digital", "options": {"kinds": ["martian"]}}, "options.kinds.0", "city"),
    ],
)
def test_a_filter_value_that_names_no_region_country_or_kind_is_refused_by_name(
    client: TestClient, route: str, body: dict[str, object], field: str, named: str
) -> None:
    # These filtered out every member: 200 with nobody, and for experts 'nobody in the network states this'.
    response = client.post(route, headers=auth(READ), json=body)
    assert response.status_code == 422 and response.json()["field"] == field and named in response.json()["message"]


def test_valid_filters_still_filter(client: TestClient) -> None:
    body = {"member_id": "dakar", "options": {"regions": ["Europe and North America"], "countries": ["fr"], "kinds": ["city"]}}
    answer = client.post("/v1/recommendations/peers", headers=auth(READ), json=body).json()
    assert [item["id"] for item in answer["items"]] == ["lyon"]


def test_an_unknown_cluster_parameter_is_refused_like_any_invalid_parameter(client: TestClient) -> None:
    # It was a 400 'bad_request' with no field, where every other invalid parameter is a 422 naming it.
    response = client.get("/v1/members/dakar/representative-fit", headers=auth(READ), params={"cluster": "nope"})
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "invalid_request" and error["field"] == "cluster" and "unknown cluster 'nope' (known: " in error["message"]


def test_an_unknown_route_or_method_is_named_in_the_error(client: TestClient) -> None:
    # They answered a bare 'Not Found' and 'Method Not Allowed'.
    route = client.get("/v1/nothing-here", headers=auth(READ))
    assert route.status_code == 404 and route.json() == {
        "code": "not_found",
        "message": "no route GET /v1/nothing-here (the routes are listed at /openapi.json)",
    }
    method = client.patch("/v1/members/dakar", headers=auth(READ), json={})
    assert method.status_code == 405 and method.json()["code"] == "method_not_allowed"
    assert method.json()["message"] == "PATCH /v1/members/dakar: method not allowed (the path's methods are listed at /openapi.json)"


def test_a_field_the_request_does_not_know_is_refused_by_name(client: TestClient) -> None:
    """A typo in an option's name ('kk' for 'k') answered with the defaults and said nothing."""
    asked = {"member_id": "dakar", "options": {"kk": 3}}
    answer = client.post("/v1/recommendations/peers", headers=auth(READ), json=asked)
    assert answer.status_code == 422 and answer.json()["field"] == "options.kk", answer.json()
    theme = client.post("/v1/recommendations/experts", headers=auth(READ), json={"theme": "literacy", "aspect": ["x"]})
    assert theme.status_code == 422 and theme.json()["field"] == "aspect"
    search = client.post("/v1/resources/search", headers=auth(READ), json={"query": "literacy", "language": "fr"})
    assert search.status_code == 422 and search.json()["field"] == "language"
    assert client.post("/v1/recommendations/peers", headers=auth(READ), json={"member_id": "dakar", "options": {"k": 3}}).status_code == 200
