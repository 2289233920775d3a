"""Ties through /v1: a twin-cities list sent as CSV becomes ties, listed and removed; errors by field;
and a pairing job that names its tie policy reads them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.fakes import FakeEncoder
from tests.test_service import READ, WRITE, auth, seeded_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))


def test_twin_cities_import_list_and_remove(client: TestClient) -> None:
    text = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\nDakar,Senegal,0,0,Lyon,France,0,0\nLima,Atlantis,0,0,Lyon,France,0,0\n"
    refused = client.post("/v1/ties/twin-cities", headers=auth(READ), json={"text": text})
    assert refused.status_code == 403
    response = client.post("/v1/ties/twin-cities", headers=auth(WRITE), json={"text": text})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["matched"], report["added"], report["one_side_member"]) == (2, 1, 1, 1)
    assert report["problems"] == [{"line": 3, "field": "country1", "message": "'Atlantis' is not a country peermatch can name"}]
    listed = client.get("/v1/ties", headers=auth(READ), params={"member_id": "lyon"}).json()
    assert [(t["member_a"], t["member_b"], t["kind"]) for t in listed] == [("dakar", "lyon", "twinning")]
    again = client.post("/v1/ties", headers=auth(WRITE), json={"member_a": "lyon", "member_b": "dakar"})
    assert again.status_code == 201 and again.json() == {"added": False}
    unknown = client.post("/v1/ties", headers=auth(WRITE), json={"member_a": "lyon", "member_b": "nowhere"})
    assert unknown.status_code == 422 and "nowhere" in unknown.text
    gone = client.delete("/v1/ties", headers=auth(WRITE), params={"member_a": "lyon", "member_b": "dakar"})
    assert gone.status_code == 204
    assert client.delete("/v1/ties", headers=auth(WRITE), params={"member_a": "lyon", "member_b": "dakar"}).status_code == 404


def test_a_pairing_job_keeps_a_stored_tie(client: TestClient) -> None:
    assert client.post("/v1/ties", headers=auth(WRITE), json={"member_a": "dakar", "member_b": "lima"}).json() == {"added": True}
    body = {"mentees": ["dakar"], "mentors": ["lyon", "lima"], "constraints": {"tie_policy": "keep"}}
    job = client.post("/v1/pairings", headers=auth(READ), json=body).json()
    for _ in range(200):
        status = client.get(f"/v1/pairings/{job['id']}", headers=auth(READ)).json()
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    result = client.get(f"/v1/pairings/{job['id']}/result", headers=auth(READ)).json()
    # Dakar (fr) and Lima (es) share no language: only the kept tie pairs them.
    assert [(p["mentee"], p["mentor"], p["tie"]) for p in result["pairs"]] == [("dakar", "lima", True)]
    assert (result["summary"]["tie_policy"], result["summary"]["ties_in_cohort"], result["summary"]["ties_kept"]) == ("keep", 1, 1)
    assert result["summary"]["mentees_by_income_group"] == {"lower_middle": 1}
    assert result["summary"]["ldc_mentees"] == 1  # Senegal, on the shipped UN list
