"""Requests and offers through /v1: the whole life of a request, a declined part re-solved, scopes and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.fakes import FakeEncoder
from tests.test_service import ANSWER, READ, WRITE, auth, seeded_settings

OFFERS = [
    {
        "id": "o-lyon-train",
        "member_id": "lyon",
        "type": "expertise",
        "description": "digital teacher training",
        "unit": "person_days",
        "capacity": 30,
        "languages": ["fr"],
    },
    {
        "id": "o-lima-train",
        "member_id": "lima",
        "type": "expertise",
        "description": "teacher training in digital skills",
        "unit": "person_days",
        "capacity": 30,
        "languages": ["fr", "es"],
    },
    {
        "id": "o-lyon-fund",
        "member_id": "lyon",
        "type": "financial",
        "description": "budget for tablets",
        "unit": "amount",
        "capacity": 1000,
        "currency": "EUR",
        "languages": ["fr"],
    },
]
REQUEST = {
    "id": "req-dakar",
    "title": "Écoles connectées",
    "requester_id": "dakar",
    "country": "SN",
    "region": "Africa",
    "languages": ["fr"],
    "components": [
        {"text": "formation numérique des enseignants", "type": "expertise", "quantity": 10},
        {"text": "budget pour les tablettes", "type": "financial", "quantity": 500, "currency": "EUR"},
        {"text": "jardins scolaires", "type": "in_kind"},
    ],
}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    client = TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))
    assert client.put("/v1/offers", headers=auth(WRITE), json=OFFERS).json() == {"written": 3}
    return client


def step(client: TestClient, path: str, key: str, body: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
    response = client.post(f"/v1/requests/req-dakar/{path}", headers=auth(key), json=body)
    assert response.status_code == status, (path, response.text)
    return response.json()


def test_the_life_of_a_request_through_v1(client: TestClient) -> None:
    created = client.post("/v1/requests", headers=auth(WRITE), json=REQUEST)
    assert created.status_code == 201 and created.json()["status"] == "received"
    step(client, "triage", WRITE, {"accepted": True, "note": "in the mandate"})
    proposed = step(client, "propose", WRITE, {"options": {"max_partners": 3}})
    assert proposed["status"] == "proposed" and proposed["partners"] == ["lyon"]  # one partner covers both parts
    detail = client.get("/v1/requests/req-dakar", headers=auth(READ)).json()
    shares = [(c["share"], c["uncovered"]) for c in detail["components"]]
    assert shares == [(1.0, None), (1.0, None), (0.0, "type")]
    assert detail["components"][2]["reasons"][0]["text"] == "no member offers this type of support"
    assert {p["label"] for p in detail["parts"]} == {"strong"}
    trainers = detail["components"][0]["candidates"]
    assert {c["offer_id"] for c in trainers} == {"o-lyon-train", "o-lima-train"} and trainers[0]["score"] >= trainers[1]["score"]
    step(client, "approve", WRITE)
    parts = {p["offer_id"]: p["id"] for p in detail["parts"]}
    step(client, f"parts/{parts['o-lyon-fund']}/respond", ANSWER, {"accepted": True})
    after = step(client, f"parts/{parts['o-lyon-train']}/respond", ANSWER, {"accepted": False, "note": "no trainers free"})
    package = {(p["offer_id"], p["status"]) for p in after["parts"]}
    assert package == {("o-lyon-fund", "confirmed"), ("o-lyon-train", "declined"), ("o-lima-train", "proposed")}
    assert after["events"][-1]["step"] == "resolve" and after["partners"] == ["lima", "lyon"]
    step(client, "deliver", WRITE, status=409)  # lima has not confirmed
    lima = next(p["id"] for p in after["parts"] if p["offer_id"] == "o-lima-train")
    step(client, f"parts/{lima}/respond", ANSWER, {"accepted": True})
    assert step(client, "deliver", WRITE)["status"] == "in_delivery"
    step(client, "check-ins", WRITE, {"on": "2027-02-01", "note": "first training held"})
    step(client, "notes", WRITE, {"note": "tablets ordered"})
    closed = step(client, "close", WRITE, {"outcomes": {"0": "trained", "1": "bought", "2": "not offered"}, "rating": 4})
    assert (closed["status"], closed["rating"]) == ("closed", 4)
    assert [e["step"] for e in closed["events"]][-4:] == ["deliver", "check_in", "note", "close"]
    assert {e["actor"] for e in closed["events"]} == {"key:write", "key:answer"}


def test_lists_previews_scopes_and_errors(client: TestClient) -> None:
    client.post("/v1/requests", headers=auth(WRITE), json=REQUEST)
    listed = client.get("/v1/requests", headers=auth(READ), params={"country": "sn", "type": "financial"}).json()
    assert [r["request"]["id"] for r in listed["items"]] == ["req-dakar"]
    assert client.get("/v1/requests", headers=auth(READ), params={"status": "closed"}).json()["total"] == 0
    offers = client.get("/v1/offers", headers=auth(READ), params={"member_id": "lyon", "type": "financial"}).json()
    assert [o["id"] for o in offers["items"]] == ["o-lyon-fund"]
    preview = client.post("/v1/requests/req-dakar/preview", headers=auth(READ), json={"options": {"force_out": ["lyon"]}}).json()
    assert preview["partners"] == ["lima"] and [c["uncovered"] for c in preview["components"]][1:] == ["type", "type"]
    assert client.get("/v1/requests/req-dakar", headers=auth(READ)).json()["status"] == "received"  # a preview stores nothing
    assert client.post("/v1/requests/req-dakar/triage", headers=auth(READ), json={"accepted": True}).status_code == 403
    assert client.post("/v1/requests/nope/triage", headers=auth(WRITE), json={"accepted": True}).status_code == 404
    early = client.post("/v1/requests/req-dakar/approve", headers=auth(WRITE))
    assert early.status_code == 409 and "'received': cannot approve" in early.json()["message"]
    again = client.post("/v1/requests", headers=auth(WRITE), json=REQUEST)
    assert again.status_code == 409
    bad = client.put("/v1/offers", headers=auth(WRITE), json=[{**OFFERS[0], "member_id": "nobody"}])
    assert bad.status_code == 422 and bad.json()["field"] == "member_id" and "nobody" in bad.json()["message"]
    step(client, "triage", WRITE, {"accepted": True})
    forced = client.post("/v1/requests/req-dakar/preview", headers=auth(READ), json={"options": {"force_in": ["dakar"]}})
    assert forced.status_code == 422 and forced.json()["field"] == "force_in"


def test_an_offer_is_removed_unless_a_package_holds_it(client: TestClient) -> None:
    client.post("/v1/requests", headers=auth(WRITE), json=REQUEST)
    step(client, "triage", WRITE, {"accepted": True})
    step(client, "propose", WRITE)
    held = client.delete("/v1/offers/o-lyon-fund", headers=auth(WRITE))
    assert held.status_code == 409 and "req-dakar" in held.json()["message"]
    assert client.delete("/v1/offers/o-lima-train", headers=auth(READ)).status_code == 403
    assert client.delete("/v1/offers/o-lima-train", headers=auth(WRITE)).status_code == 204
    assert client.delete("/v1/offers/o-lima-train", headers=auth(WRITE)).status_code == 404
