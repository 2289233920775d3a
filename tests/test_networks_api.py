"""Issue 24 through /v1: clusters by any of their names, coordinators, plan, updates and the
report (JSON and CSV); events, learning links and the iCalendar feeds; people and saved groups."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import icalendar
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.conftest import member
from tests.fakes import FakeEncoder
from tests.test_service import ANSWER, READ, WRITE, auth, seeded_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))


def test_cluster_report_through_the_api(client: TestClient) -> None:
    for member_id, name in (("dakar", "Inclusión: alfabetización y TIC"), ("lyon", "inclusion")):
        row = client.get(f"/v1/members/{member_id}", headers=auth(READ)).json()
        row["clusters"] = [{"cluster": name}]
        assert client.put(f"/v1/members/{member_id}", headers=auth(WRITE), json=row).status_code == 200
    listed = {c["code"]: c for c in client.get("/v1/clusters", headers=auth(READ)).json()}
    assert listed["inclusion"]["members"] == 2 and listed["inclusion"]["names"]["fr"] == "Inclusion : alphabétisation et TIC"
    assert len(listed) == 5

    term = {"member_id": "lyon", "starts": "2025-01-01"}
    assert client.post("/v1/clusters/Inclusion : alphabétisation et TIC/coordinators", headers=auth(READ), json=term).status_code == 403
    assert client.post("/v1/clusters/inclusion/coordinators", headers=auth(WRITE), json=term).status_code == 201
    bad = client.post("/v1/clusters/inclusion/coordinators", headers=auth(WRITE), json={"member_id": "nobody", "starts": "2025-01-01"})
    assert bad.status_code == 422 and bad.json()["field"] == "member_id"
    unknown = client.post("/v1/clusters/culture/coordinators", headers=auth(WRITE), json=term)
    assert unknown.status_code == 404 and "inclusion" in unknown.json()["message"]
    item = client.post(
        "/v1/clusters/inclusion/plan",
        headers=auth(WRITE),
        json={"objective": "Digital skills for 500 older adults", "output": "A course", "owner": "lyon", "due": "2026-09-30"},
    ).json()["id"]
    update = {"on": "2026-06-01", "text": "Course piloted", "plan_item": item, "status": "done"}
    assert client.post("/v1/clusters/inclusion/updates", headers=auth(WRITE), json=update).status_code == 201

    report = client.get("/v1/clusters/inclusion", headers=auth(READ), params={"on": "2026-06-30"}).json()
    assert report["coordinators"][0]["ends"] == "2026-12-31" and report["coordinators"][0]["current"] is True
    assert [(p["status"], p["overdue"]) for p in report["plan"]] == [("done", False)]
    assert [u["text"] for u in report["updates"]] == ["Course piloted"]
    assert {p["member_id"]: p["inactive"] for p in report["participation"]} == {"dakar": True, "lyon": True}
    sent = client.get("/v1/clusters/inclusion/report.csv", headers=auth(READ), params={"language": "es", "on": "2026-06-30"})
    assert sent.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(sent.text)))
    assert rows[0] == ["cluster", "inclusion", "Inclusión: alfabetización y TIC"]
    dakar = next(r for r in rows if r[1:4] == ["dakar", "Dakar", "member"])
    assert dakar[4:10] == ["0", "0", "0", "0", "0", "yes"]


def test_events_links_and_feeds_through_the_api(client: TestClient) -> None:
    event = {
        "id": "ev-floods",
        "title": "Field visit: flood drills in Lima",
        "kind": "field_visit",
        "cluster": "Salud y bienestar",
        "starts": "2026-03-10T09:00:00-05:00",
        "ends": "2026-03-10T17:00:00-05:00",
        "place": "Lima",
        "hosts": ["lima"],
        "participants": ["dakar"],
    }
    assert client.put("/v1/calendar/events", headers=auth(WRITE), json=[event]).json() == {"written": 1}
    wrong = client.put("/v1/calendar/events", headers=auth(WRITE), json=[event | {"id": "ev-2", "hosts": ["atlantis"]}])
    assert wrong.status_code == 422 and wrong.json()["field"] == "ev-2.hosts.0"
    community = {
        "id": "com-1",
        "name": "Older learners online",
        "cluster": "health",
        "members": [{"member_id": "lyon", "role": "host"}, {"member_id": "dakar", "role": "learner"}],
    }
    assert client.put("/v1/calendar/communities", headers=auth(WRITE), json=[community]).json() == {"written": 1}
    no_host = client.put(
        "/v1/calendar/communities", headers=auth(WRITE), json=[community | {"members": [{"member_id": "lyon", "role": "learner"}]}]
    )
    assert no_host.status_code == 422 and "host" in no_host.text
    assert [
        c["id"] for c in client.get("/v1/calendar/communities", headers=auth(READ), params={"cluster": "Santé et bien-être"}).json()
    ] == ["com-1"]
    links = [{"resource_id": "floods", "event_id": "ev-floods"}, {"resource_id": "gardens", "community_id": "com-1"}]
    assert client.put("/v1/learning-links", headers=auth(WRITE), json=links).json() == {"written": 2}
    learning = client.get("/v1/clusters/health/learning", headers=auth(READ)).json()
    assert [(e["resource_id"], e["event_id"], e["community_id"]) for e in learning] == [
        ("floods", "ev-floods", None),
        ("gardens", None, "com-1"),
    ]
    unknown = client.put("/v1/learning-links", headers=auth(WRITE), json=[{"resource_id": "gardens", "community_id": "com-9"}])
    assert unknown.status_code == 422 and unknown.json()["field"] == "community_id"
    shown = client.get("/v1/calendar/events/ev-floods", headers=auth(READ)).json()
    assert [o["resource_id"] for o in shown["outputs"]] == ["floods"]

    for url in ("/v1/calendar/feed.ics", "/v1/clusters/health/calendar.ics"):
        answer = client.get(url, headers=auth(READ), params={"language": "fr"})
        assert answer.headers["content-type"].startswith("text/calendar")
        (vevent,) = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
        assert vevent.decoded("dtstart").isoformat() == "2026-03-10T14:00:00+00:00"
        categories: Any = vevent["categories"]  # icalendar types a property as the union of every value type
        assert "Santé et bien-être" in [str(c) for c in categories.cats]
    empty = icalendar.Calendar.from_ical(client.get("/v1/clusters/esd/calendar.ics", headers=auth(READ)).content)
    assert list(empty.walk("VEVENT")) == []
    assert client.delete("/v1/calendar/events/ev-floods", headers=auth(WRITE)).status_code == 204
    assert client.delete("/v1/calendar/events/ev-floods", headers=auth(WRITE)).status_code == 404
    assert list(icalendar.Calendar.from_ical(client.get("/v1/calendar/feed.ics", headers=auth(READ)).content).walk("VEVENT")) == []
    kept = client.get("/v1/clusters/health/learning", headers=auth(READ)).json()
    assert sorted((e["resource_id"], e["event_id"]) for e in kept) == [("floods", None), ("gardens", None)]  # still the cluster's


def test_people_groups_through_the_api(client: TestClient) -> None:
    body = [
        {
            "id": "p-lyon",
            "name": "Amélie",
            "member_id": "lyon",
            "role": "head of digital inclusion",
            "languages": ["fr"],
            "expertise": "Digital literacy for older adults.",
            "gender": "woman",
        },
        {
            "id": "p-ext",
            "name": "Kofi",
            "organisation": "UNESCO UIL",
            "region": "Africa",
            "role": "external expert",
            "languages": ["en"],
            "expertise": "Digital skills of older learners.",
            "gender": "man",
        },
    ]
    assert client.put("/v1/people", headers=auth(WRITE), json=body).json() == {"written": 2}
    request = {
        "theme": "digital literacy for older adults",
        "name": "Older learners",
        "mandate": "Review the course.",
        "options": {"k": 2, "balance": {"by": "region", "max_share": 0.5}},
    }
    saved = client.post("/v1/people/groups", headers=auth(WRITE), json=request).json()
    assert {p["id"] for p in saved["group"]["members"]} == {"p-lyon", "p-ext"}
    assert saved["group"]["balance"]["counts"] == {"Africa": 1, "Europe and North America": 1}
    answered = client.post(f"/v1/people/groups/{saved['id']}/invitations/p-ext", headers=auth(ANSWER), json={"status": "declined"}).json()
    assert {i["person_id"]: i["status"] for i in answered["invitations"]} == {"p-lyon": "invited", "p-ext": "declined"}
    assert client.get("/v1/people/groups/999", headers=auth(READ)).status_code == 404


def test_member_import_by_a_spanish_cluster_name_makes_no_new_cluster(client: TestClient) -> None:
    row = member(
        "quito",
        country="EC",
        region="Latin America and the Caribbean",
        languages=["es"],
        clusters=[{"cluster": "Planificación, seguimiento y evaluación", "role": "coordinator"}],
    )
    assert client.put("/v1/members/quito", headers=auth(WRITE), json=row).status_code == 200
    assert client.get("/v1/members/quito", headers=auth(READ)).json()["clusters"] == [{"cluster": "pme", "role": "coordinator"}]


def test_a_calendar_application_subscribes_by_a_secret_address_that_grants_one_feed(tmp_path: Path) -> None:
    from matcher.notify.settings import MailSettings

    secret = "s" * 40
    mail = MailSettings.model_validate({"smtp_host": None, "link_secret": secret, "public_url": "https://hub.example.org/"})
    client = TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder(), mail=mail))
    event = {
        "id": "ev-floods",
        "title": "Field visit: flood drills in Lima",
        "kind": "field_visit",
        "cluster": "health",
        "starts": "2026-03-10T14:00:00Z",
        "ends": "2026-03-10T22:00:00Z",
        "place": "Lima",
        "hosts": ["lima"],
    }
    assert client.put("/v1/calendar/events", headers=auth(WRITE), json=[event]).json() == {"written": 1}
    assert client.get("/v1/calendar/subscription").status_code == 401  # the address is handed out to a key holder only
    given = client.get("/v1/calendar/subscription", headers=auth(READ), params={"cluster": "Salud y bienestar", "language": "es"}).json()
    assert given["cluster"] == "health" and given["url"].startswith("https://hub.example.org/v1/feeds/")
    path = given["url"].removeprefix("https://hub.example.org")
    feed = client.get(path)  # no key: the address is the credential
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    (vevent,) = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    categories: Any = vevent["categories"]
    assert vevent.decoded("dtstart").isoformat() == "2026-03-10T14:00:00+00:00" and "Salud y bienestar" in [str(c) for c in categories.cats]
    token = path.removeprefix("/v1/feeds/").removesuffix(".ics")
    assert client.get(f"/v1/feeds/{token[:-2]}xy.ics").status_code == 404  # altered
    rotated = MailSettings.model_validate({"smtp_host": None, "link_secret": "r" * 40})
    other = TestClient(create_app(seeded_settings(tmp_path / "other", precompute_peers=False), FakeEncoder(), mail=rotated))
    assert other.get(path).status_code == 404  # a rotated secret revokes every address
    unset = TestClient(create_app(seeded_settings(tmp_path / "unset", precompute_peers=False), FakeEncoder()))
    assert unset.get("/v1/calendar/subscription", headers=auth(READ)).status_code == 409
    assert unset.get(path).status_code == 404
