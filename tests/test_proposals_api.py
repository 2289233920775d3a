"""Proposals through /v1: the whole life of a partnership, the hub's answers with its key, scopes and errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.fakes import FakeEncoder
from tests.test_service import ANSWER, READ, WRITE, auth, seeded_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))


def propose(client: TestClient, member_id: str = "dakar", partner_id: str = "lyon", **extra: object) -> dict[str, object]:
    body = {"kind": "recommendation", "member_id": member_id, "partner_id": partner_id, "reason": "digital skills", **extra}
    response = client.post("/v1/proposals", headers=auth(WRITE), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_proposal_to_partnership_end_to_end(client: TestClient) -> None:
    created = propose(client, score=0.74, quality="strong")
    pid = created["id"]
    assert (created["status"], created["created_by"], created["sides"]) == ("proposed", "key:write", ["dakar", "lyon"])
    steps = [
        ("approve", WRITE, {"note": "good fit"}, "approved"),
        ("respond", ANSWER, {"side": "dakar", "accepted": True}, "approved"),  # the hub, for its member, with its answer key
        ("respond", WRITE, {"side": "lyon", "accepted": True, "note": "by phone"}, "active"),
        ("notes", WRITE, {"text": "kick-off planned"}, "active"),
        ("check-ins", WRITE, {"on": "2027-01-15", "note": "first exchange held"}, "active"),
        ("close", WRITE, {"outcome": "joint training delivered", "rating": 5}, "closed"),
    ]
    for step, key, body, status in steps:
        response = client.post(f"/v1/proposals/{pid}/{step}", headers=auth(key), json=body)
        assert response.status_code == 200, (step, response.text)
        assert response.json()["status"] == status, step
    final = client.get(f"/v1/proposals/{pid}", headers=auth(READ)).json()
    assert [(e["step"], e["actor"]) for e in final["events"]] == [
        ("propose", "key:write"),
        ("approve", "key:write"),
        ("respond", "key:answer"),
        ("respond", "key:write"),
        ("note", "key:write"),
        ("check_in", "key:write"),
        ("close", "key:write"),
    ]
    assert final["responses"] == {"dakar": "accepted", "lyon": "accepted"} and (final["outcome"], final["rating"]) == (
        "joint training delivered",
        5,
    )
    assert final["events"][5]["payload"] == {"on": "2027-01-15"} and final["events"][0]["at"].endswith("Z")


def test_listing_pages_and_filters(client: TestClient) -> None:
    first = propose(client)
    second = propose(client, "lima", "dakar")
    approved = client.post(f"/v1/proposals/{second['id']}/approve", headers=auth(WRITE))  # no body: no note
    assert approved.status_code == 200 and approved.json()["events"][-1]["note"] == ""
    page = client.get("/v1/proposals", headers=auth(READ), params={"limit": 1}).json()
    assert (page["total"], page["offset"], page["limit"], [p["id"] for p in page["items"]]) == (2, 0, 1, [second["id"]])
    approved = client.get("/v1/proposals", headers=auth(READ), params={"status": "approved"}).json()
    assert [p["id"] for p in approved["items"]] == [second["id"]]
    mine = client.get("/v1/proposals", headers=auth(READ), params={"member_id": "lyon"}).json()
    assert [p["id"] for p in mine["items"]] == [first["id"]]
    bad = client.get("/v1/proposals", headers=auth(READ), params={"status": "finished"})
    assert bad.status_code == 422 and bad.json()["field"] == "status"


def test_errors_404_409_422_and_scopes(client: TestClient) -> None:
    pid = propose(client)["id"]
    missing = client.post("/v1/proposals/999/approve", headers=auth(WRITE), json={})
    assert missing.status_code == 404 and "no proposal with id '999'" in missing.json()["message"]
    early = client.post(f"/v1/proposals/{pid}/close", headers=auth(WRITE), json={"outcome": "x", "rating": 3})
    assert early.status_code == 409 and early.json()["code"] == "conflict"
    assert f"proposal {pid} is 'proposed': cannot close" in early.json()["message"]
    unknown = client.post("/v1/proposals", headers=auth(WRITE), json={"kind": "pairing", "member_id": "dakar", "partner_id": "nowhere"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "partner_id" and "'nowhere'" in unknown.json()["message"]
    duplicate = client.post("/v1/proposals", headers=auth(WRITE), json={"kind": "pairing", "member_id": "lyon", "partner_id": "dakar"})
    assert duplicate.status_code == 409 and "already open ('proposed')" in duplicate.json()["message"]
    bad_rating = client.post(f"/v1/proposals/{pid}/close", headers=auth(WRITE), json={"outcome": "x", "rating": 9})
    assert bad_rating.status_code == 422 and bad_rating.json()["field"] == "rating"
    client.post(f"/v1/proposals/{pid}/approve", headers=auth(WRITE), json={})
    not_a_side = client.post(f"/v1/proposals/{pid}/respond", headers=auth(ANSWER), json={"side": "lima", "accepted": True})
    assert not_a_side.status_code == 422 and not_a_side.json()["field"] == "side"
    blank = client.post(f"/v1/proposals/{pid}/notes", headers=auth(WRITE), json={"note": "   "})
    assert blank.status_code == 422 and blank.json()["field"] == "note"
    # the secretariat's steps need write; an answer key (the hub's) can only read and answer, a read key only read
    read_answer = client.post(f"/v1/proposals/{pid}/respond", headers=auth(READ), json={"side": "dakar", "accepted": True})
    assert read_answer.status_code == 403
    for step, body in (("approve", {}), ("reject", {}), ("close", {"outcome": "x", "rating": 3}), ("notes", {"note": "x"})):
        assert client.post(f"/v1/proposals/{pid}/{step}", headers=auth(ANSWER), json=body).status_code == 403, step
    pair = {"kind": "pairing", "member_id": "lima", "partner_id": "lyon"}
    assert client.post("/v1/proposals", headers=auth(READ), json=pair).status_code == 403
    assert client.get(f"/v1/proposals/{pid}").status_code == 401


def test_a_decline_through_the_hub_takes_the_peer_out_at_once(client: TestClient) -> None:
    def peers(**params: str | int | bool) -> list[str]:
        response = client.get("/v1/members/dakar/peers", headers=auth(READ), params=params)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert peers()[0] == "lyon"  # first, and now cached for this snapshot
    pid = propose(client)["id"]
    client.post(f"/v1/proposals/{pid}/approve", headers=auth(WRITE), json={})
    assert client.post(f"/v1/proposals/{pid}/respond", headers=auth(ANSWER), json={"side": "lyon", "accepted": False}).status_code == 200
    assert "lyon" not in peers()
    assert peers(include_declined=True)[0] == "lyon"
    posted = client.post("/v1/recommendations/peers", headers=auth(READ), json={"member_id": "dakar"}).json()
    assert "lyon" not in [p["id"] for p in posted["items"]]
    asked = client.post("/v1/recommendations/peers", headers=auth(READ), json={"member_id": "dakar", "include_declined": True}).json()
    assert asked["items"][0]["id"] == "lyon"


def test_an_active_partner_is_no_longer_recommended_as_a_new_peer(client: TestClient) -> None:
    """Like the partners a member's record lists: once both sides accepted, the partner leaves the peer list."""

    def peers(**params: str | int | bool) -> list[str]:
        return [p["id"] for p in client.get("/v1/members/dakar/peers", headers=auth(READ), params=params).json()["items"]]

    assert peers()[0] == "lyon"
    pid = propose(client)["id"]
    client.post(f"/v1/proposals/{pid}/approve", headers=auth(WRITE), json={})
    for side in ("dakar", "lyon"):
        client.post(f"/v1/proposals/{pid}/respond", headers=auth(ANSWER), json={"side": side, "accepted": True})
    assert client.get(f"/v1/proposals/{pid}", headers=auth(READ)).json()["status"] == "active"
    assert "lyon" not in peers() and "lyon" not in peers(include_declined=True)
    posted = client.post("/v1/recommendations/peers", headers=auth(READ), json={"member_id": "dakar"}).json()
    assert "lyon" not in [p["id"] for p in posted["items"]]
