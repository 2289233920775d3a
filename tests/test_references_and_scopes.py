"""Issue 21: deletes that would leave dangling references (item 5), what a read key may change
(item 7) and strict types on a few fields (item 10), through /v1 and the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.conftest import member
from tests.fakes import FakeEncoder
from tests.test_service import READ, WRITE, auth, seeded_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))


def _propose(client: TestClient, member_id: str, partner_id: str) -> int:
    body = {"kind": "recommendation", "member_id": member_id, "partner_id": partner_id, "reason": "digital skills"}
    response = client.post("/v1/proposals", headers=auth(WRITE), json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_a_member_named_as_partner_cannot_be_deleted_and_nothing_becomes_unsavable(client: TestClient) -> None:
    paris = member("paris", partners=["lyon"])
    assert client.put("/v1/members/paris", headers=auth(WRITE), json=paris).status_code == 200
    refused = client.delete("/v1/members/lyon", headers=auth(WRITE))
    assert refused.status_code == 409, refused.text
    assert "paris" in refused.json()["message"] and "partners" in refused.json()["message"]
    assert client.get("/v1/members/lyon", headers=auth(READ)).status_code == 200  # nothing deleted
    assert client.put("/v1/members/paris", headers=auth(WRITE), json={**paris, "profile": "Edited."}).status_code == 200
    # Once the reference is gone, the delete goes through.
    assert client.put("/v1/members/paris", headers=auth(WRITE), json={**paris, "partners": []}).status_code == 200
    assert client.delete("/v1/members/lyon", headers=auth(WRITE)).status_code == 204
    assert client.put("/v1/members/paris", headers=auth(WRITE), json={**paris, "partners": []}).status_code == 200


def test_a_member_with_an_open_proposal_cannot_be_deleted(client: TestClient) -> None:
    proposal = _propose(client, "dakar", "lima")
    refused = client.delete("/v1/members/lima", headers=auth(WRITE))
    assert refused.status_code == 409, refused.text
    assert f"proposal {proposal}" in refused.json()["message"]
    assert client.post(f"/v1/proposals/{proposal}/reject", headers=auth(WRITE), json={}).status_code == 200
    assert client.delete("/v1/members/lima", headers=auth(WRITE)).status_code == 204  # a closed proposal is history


def test_deleting_both_sides_of_a_reference_at_once_is_allowed(tmp_path: Path) -> None:
    from matcher.workspace import Workspace

    settings = seeded_settings(tmp_path)
    workspace = Workspace(settings, FakeEncoder())
    from matcher.records import Member

    workspace.write([Member.model_validate(member("paris", partners=["lyon"]))])
    result = workspace.delete("members", ["lyon", "paris"])
    assert sorted(result.written.deleted["members"]) == ["lyon", "paris"]


def test_a_read_key_cannot_answer_a_proposal_an_answer_key_can(tmp_path: Path) -> None:
    from service.auth import digest

    hub = "hub-key-answer-21"
    settings = seeded_settings(tmp_path, precompute_peers=False)
    settings = settings.model_copy(update={"api_keys": f"{settings.api_keys};hub:answer:{digest(hub)}"})
    client = TestClient(create_app(settings, FakeEncoder()))
    proposal = _propose(client, "dakar", "lyon")
    assert client.post(f"/v1/proposals/{proposal}/approve", headers=auth(WRITE), json={}).status_code == 200
    refused = client.post(f"/v1/proposals/{proposal}/respond", headers=auth(READ), json={"side": "dakar", "accepted": True})
    assert refused.status_code == 403 and "'answer' scope" in refused.json()["message"]
    answered = client.post(f"/v1/proposals/{proposal}/respond", headers=auth(hub), json={"side": "dakar", "accepted": True})
    assert answered.status_code == 200, answered.text
    assert client.get(f"/v1/proposals/{proposal}", headers=auth(hub)).status_code == 200  # answer implies read
    assert client.post("/v1/proposals/1/approve", headers=auth(hub), json={}).status_code == 403  # but not write


def test_feedback_names_known_members(client: TestClient) -> None:
    unknown = client.post("/v1/feedback", headers=auth(READ), json={"member_id": "ghost", "item_id": "lyon", "task": "peers", "rating": 4})
    assert unknown.status_code == 404 and "ghost" in unknown.json()["message"]
    item = client.post("/v1/feedback", headers=auth(READ), json={"member_id": "dakar", "item_id": "nobody", "task": "peers", "rating": 4})
    assert item.status_code == 404 and "nobody" in item.json()["message"]
    resource = {"member_id": "dakar", "item_id": "floods", "task": "resources", "verdict": "accepted"}
    assert client.post("/v1/feedback", headers=auth(READ), json=resource).status_code == 201
    good = client.post("/v1/feedback", headers=auth(READ), json={"member_id": "dakar", "item_id": "lyon", "task": "peers", "rating": 4})
    assert good.status_code == 201


@pytest.mark.parametrize("rating", [True, "5 ", 4.0])
def test_feedback_rating_is_a_strict_integer(client: TestClient, rating: object) -> None:
    body = {"member_id": "dakar", "item_id": "lyon", "task": "peers", "rating": rating}
    answer = client.post("/v1/feedback", headers=auth(READ), json=body)
    assert answer.status_code == 422 and answer.json()["field"] == "rating", answer.text


def test_a_side_answer_is_a_strict_boolean(client: TestClient) -> None:
    proposal = _propose(client, "dakar", "lyon")
    client.post(f"/v1/proposals/{proposal}/approve", headers=auth(WRITE), json={})
    answer = client.post(f"/v1/proposals/{proposal}/respond", headers=auth(WRITE), json={"side": "dakar", "accepted": "yes"})
    assert answer.status_code == 422 and answer.json()["field"] == "accepted", answer.text


def test_a_strength_level_is_a_strict_integer(client: TestClient) -> None:
    body = member("paris", strengths=[{"text": "flood drills", "level": True}])
    answer = client.put("/v1/members/paris", headers=auth(WRITE), json=body)
    assert answer.status_code == 422 and "level" in answer.json()["field"], answer.text


def test_the_store_knows_the_open_proposal_statuses_of_the_lifecycle() -> None:
    from matcher.partnerships.lifecycle import OPEN
    from matcher.store.sqlite import OPEN_PROPOSALS

    assert set(OPEN_PROPOSALS) == set(OPEN)
