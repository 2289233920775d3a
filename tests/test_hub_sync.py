"""What a hub keeping a copy relies on, through HTTP: the event feed, ETags, idempotent POSTs,
cursor paging and updated_since."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.conftest import member
from tests.fakes import FakeEncoder
from tests.test_service import READ, WRITE, auth, seeded_settings


@pytest.fixture
def client(tmp_path: Path, database_url: str | None) -> TestClient:
    """Every test here runs on SQLite, then on PostgreSQL."""
    return TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False, database_url=database_url), FakeEncoder()))


def test_the_event_feed_gives_each_change_once_in_order(client: TestClient) -> None:
    first = client.get("/v1/events", headers=auth(READ), params={"limit": 3}).json()
    # the seed: 3 members then 2 resources, in the order of their files, each an upsert in the change log
    assert [(e["type"], e["record_id"]) for e in first["events"]] == [("record.upserted", i) for i in ("dakar", "lyon", "lima")]
    assert first["more"] is True
    rest = client.get("/v1/events", headers=auth(READ), params={"since": first["next"]}).json()
    assert [e["record_id"] for e in rest["events"]] == ["floods", "gardens"] and rest["more"] is False
    quiet = client.get("/v1/events", headers=auth(READ), params={"since": rest["next"]}).json()
    assert quiet == {"events": [], "next": rest["next"], "more": False}

    created = client.post("/v1/proposals", headers=auth(WRITE), json={"kind": "pairing", "member_id": "dakar", "partner_id": "lyon"})
    pid = created.json()["id"]
    client.post(f"/v1/proposals/{pid}/approve", headers=auth(WRITE), json={"note": "ok"})
    assert client.delete("/v1/resources/gardens", headers=auth(WRITE)).status_code == 204
    new = client.get("/v1/events", headers=auth(READ), params={"since": rest["next"]}).json()
    # Both logs stamp to the second; the feed is in time order and keeps each log's own order.
    seen = [(e["type"], e.get("step") or e.get("record_id")) for e in new["events"]]
    assert sorted(seen) == [("proposal.step", "approve"), ("proposal.step", "propose"), ("record.deleted", "gardens")]
    steps = [e for e in new["events"] if e["type"] == "proposal.step"]
    assert [e["step"] for e in steps] == ["propose", "approve"] and {e["proposal_id"] for e in steps} == {pid}
    assert steps[1]["actor"] == "key:write" and steps[1]["payload"]["status"] == "approved"
    assert [e["at"] for e in new["events"]] == sorted(e["at"] for e in new["events"])
    resumed = client.get("/v1/events", headers=auth(READ), params={"since": new["events"][0]["cursor"]}).json()
    assert resumed["events"] == new["events"][1:]  # resumes after the first, exactly
    bad = client.get("/v1/events", headers=auth(READ), params={"since": "yesterday"})
    assert bad.status_code == 400 and "cursor" in bad.json()["message"]


def test_the_feed_carries_the_networks_own_records_and_reads_an_older_cursor(client: TestClient) -> None:
    """Events, terms, contacts... are written by other books than members' and resources': their
    tables' triggers log them in the same transaction, and the feed names what to GET again."""
    start = client.get("/v1/events", headers=auth(READ), params={"limit": 1000}).json()["next"]
    assert start.count(".") == 2  # revision, proposal event, network change
    event = {
        "id": "ev-floods",
        "title": "Field visit: flood drills in Lima",
        "kind": "field_visit",
        "cluster": "health",
        "starts": "2026-03-10T14:00:00Z",
        "ends": "2026-03-10T22:00:00Z",
        "place": "Lima",
        "hosts": ["lima"],
        "participants": ["dakar"],
    }
    assert client.put("/v1/calendar/events", headers=auth(WRITE), json=[event]).json() == {"written": 1}
    contact = {"email": "dakar@example.org", "language": "fr"}
    assert client.put("/v1/members/dakar/contact", headers=auth(WRITE), json=contact).status_code == 200
    assert client.delete("/v1/calendar/events/ev-floods", headers=auth(WRITE)).status_code == 204
    new = client.get("/v1/events", headers=auth(READ), params={"since": start}).json()
    seen = [(e["type"], e["kind"], e["record_id"]) for e in new["events"]]
    assert seen[0] == ("network.upserted", "calendar_event", "ev-floods")  # the event, then its hosts and participants
    assert ("network.upserted", "contact", "dakar") in seen and seen[-1] == ("network.deleted", "calendar_event", "ev-floods")
    assert [e["at"] for e in new["events"]] == sorted(e["at"] for e in new["events"])
    resumed = client.get("/v1/events", headers=auth(READ), params={"since": new["events"][0]["cursor"]}).json()
    assert resumed["events"] == new["events"][1:]
    older = ".".join(start.split(".")[:2])  # a hub's cursor from before the third log: from the log's start
    replayed = client.get("/v1/events", headers=auth(READ), params={"since": older}).json()
    assert [e["record_id"] for e in replayed["events"]] == [e["record_id"] for e in new["events"]]


def test_reads_carry_an_etag_and_answer_304_while_unchanged(client: TestClient) -> None:
    for url in ("/v1/members/dakar", "/v1/members", "/v1/members/dakar/peers", "/v1/proposals"):
        first = client.get(url, headers=auth(READ))
        tag = first.headers["ETag"]
        again = client.get(url, headers=auth(READ) | {"If-None-Match": tag})
        assert (again.status_code, again.content) == (304, b""), url
        assert again.headers["ETag"] == tag
    tag = client.get("/v1/members/dakar", headers=auth(READ)).headers["ETag"]
    changed = member("dakar", country="SN", region="Africa", name="Dakar, ville apprenante")
    assert client.put("/v1/members/dakar", headers=auth(WRITE), json=changed).status_code == 200
    after = client.get("/v1/members/dakar", headers=auth(READ) | {"If-None-Match": tag})
    assert after.status_code == 200 and after.json()["name"] == "Dakar, ville apprenante" and after.headers["ETag"] != tag


def test_a_retried_post_with_its_idempotency_key_does_nothing_twice(client: TestClient) -> None:
    feedback = {"member_id": "dakar", "item_id": "lyon", "task": "peers", "verdict": "accepted"}
    headers = auth(READ) | {"Idempotency-Key": "fb-0001"}
    first = client.post("/v1/feedback", headers=headers, json=feedback)
    retry = client.post("/v1/feedback", headers=headers, json=feedback)
    assert first.status_code == retry.status_code == 201 and first.json() == retry.json()
    assert retry.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    listed = client.get("/v1/feedback", headers=auth("admin-key-789")).json()
    assert listed["total"] == 1  # posting twice made one record
    other = client.post("/v1/feedback", headers=headers, json=feedback | {"verdict": "declined"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    fresh = client.post("/v1/feedback", headers=auth(READ) | {"Idempotency-Key": "fb-0002"}, json=feedback)
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]
    # another API key's same Idempotency-Key is its own
    theirs = client.post("/v1/proposals", headers=auth(WRITE) | {"Idempotency-Key": "fb-0001"},
                         json={"kind": "pairing", "member_id": "dakar", "partner_id": "lyon"})
    assert theirs.status_code == 201


def test_lists_page_by_cursor_and_filter_by_update_time(client: TestClient) -> None:
    first = client.get("/v1/members", headers=auth(READ), params={"limit": 2}).json()
    assert [m["id"] for m in first["items"]] == ["dakar", "lima"] and first["next_cursor"] == "lima"
    # a record added before the cursor does not shift the next page (offset would repeat 'lima')
    assert client.put("/v1/members/accra", headers=auth(WRITE), json=member("accra", country="GH", region="Africa")).status_code == 200
    second = client.get("/v1/members", headers=auth(READ), params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [m["id"] for m in second["items"]] == ["lyon"] and second["next_cursor"] is None
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert client.get("/v1/members", headers=auth(READ), params={"updated_since": future}).json() == {
        "total": 0, "offset": 0, "limit": 50, "items": [], "next_cursor": None
    }
    recent = client.get("/v1/members", headers=auth(READ), params={"updated_since": "2000-01-01T00:00:00Z"}).json()
    assert recent["total"] == 4


def test_each_need_and_strength_says_its_language(client: TestClient) -> None:
    from matcher.passages import member_passages
    from matcher.records import Member

    body = member(
        "addis",
        country="ET",
        region="Africa",
        languages=["am", "en"],
        needs=[{"text": "digital literacy for older adults", "language": "en"}, {"text": "የዲጂታል ክህሎት"}],
        strengths=[{"text": "flood drills", "language": "en"}],
    )
    assert client.put("/v1/members/addis", headers=auth(WRITE), json=body).status_code == 200
    stored = client.get("/v1/members/addis", headers=auth(READ)).json()
    assert [n["language"] for n in stored["needs"]] == ["en", None] and stored["strengths"][0]["language"] == "en"
    languages = {p.field: p.language for p in member_passages(Member.model_validate(body), 200, 20)}
    # stated languages are kept; the rest is detected among the member's: the Amharic need is Amharic,
    # the profile (English text) English
    assert (languages["need:0"], languages["need:1"], languages["strength:0"], languages["profile"]) == ("en", "am", "en", "en")
    refused = client.put("/v1/members/addis", headers=auth(WRITE), json=body | {"needs": [{"text": "x", "language": "english"}]})
    assert refused.status_code == 422 and refused.json()["field"].startswith("needs")
