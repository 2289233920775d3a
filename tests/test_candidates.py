"""Candidate cities: imported with membership 'candidate', paired like members (and named in the
pairing summary), followed through applied, supported, joined, each dated; out-of-order steps refused."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.candidates import Joining, JoiningError
from service.app import create_app
from tests.conftest import import_file, member, write_jsonl
from tests.fakes import FakeEncoder
from tests.test_service import READ, WRITE, auth, seeded_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = seeded_settings(tmp_path, precompute_peers=False)
    from matcher.store import Store

    with Store(settings.store_path) as store:
        candidate = member(
            "kayes", name="Kayes", country="ML", region="Africa", membership="candidate", needs=[{"text": "digital older adults"}]
        )
        import_file(store, write_jsonl(tmp_path / "candidates.jsonl", [candidate]), settings)
    return TestClient(create_app(settings, FakeEncoder()))


def test_a_candidate_is_paired_and_followed_to_joining(client: TestClient) -> None:
    listed = client.get("/v1/candidates", headers=auth(READ)).json()
    assert listed == [{"member_id": "kayes", "name": "Kayes", "country": "ML", "region": "Africa", "status": None, "on": None}]
    job = client.post("/v1/pairings", headers=auth(READ), json={"mentees": ["kayes"], "mentors": ["lyon"]}).json()
    for _ in range(200):
        if client.get(f"/v1/pairings/{job['id']}", headers=auth(READ)).json()["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    result = client.get(f"/v1/pairings/{job['id']}/result", headers=auth(READ)).json()
    assert [(p["mentee"], p["mentor"]) for p in result["pairs"]] == [("kayes", "lyon")]
    assert result["summary"]["candidates_paired"] == ["kayes"]

    steps = [("applied", "2026-03-01"), ("supported", "2026-04-15"), ("joined", "2026-09-30")]
    wrong = client.post("/v1/members/kayes/joining", headers=auth(WRITE), json={"status": "supported", "on": "2026-03-01"})
    assert wrong.status_code == 422 and "the next step of 'kayes' is 'applied'" in wrong.text
    for status, on in steps:
        made = client.post("/v1/members/kayes/joining", headers=auth(WRITE), json={"status": status, "on": on})
        assert made.status_code == 201, made.text
        assert made.json()["actor"] == "key:write"
    history = client.get("/v1/members/kayes/joining", headers=auth(READ)).json()
    assert [(s["status"], s["on"]) for s in history] == steps
    assert client.get("/v1/candidates", headers=auth(READ)).json()[0]["status"] == "joined"
    again = client.post("/v1/members/kayes/joining", headers=auth(WRITE), json={"status": "joined", "on": "2026-10-01"})
    assert again.status_code == 422 and "has joined already" in again.text


def test_steps_are_dated_in_order_and_only_for_candidates(client: TestClient) -> None:
    joining = Joining(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    joining.record("kayes", "applied", dt.date(2026, 5, 1), "user:sec")
    with pytest.raises(JoiningError, match="before the previous step"):
        joining.record("kayes", "supported", dt.date(2026, 4, 1), "user:sec")
    with pytest.raises(JoiningError, match="'dakar' is a member, not a candidate"):
        joining.record("dakar", "applied", dt.date(2026, 5, 1), "user:sec")
    with pytest.raises(JoiningError, match="unknown member 'nowhere'"):
        joining.record("nowhere", "applied", dt.date(2026, 5, 1), "user:sec")


def test_the_member_page_shows_a_candidates_steps_and_its_ties(tmp_path: Path, client: TestClient) -> None:
    from matcher.ties import Ties
    from tests.test_console import BASE, sign_in

    store = client.app.state.service.workspace.store  # type: ignore[attr-defined]
    client.app.state.accounts.create_user("alice", "secretariat", "a-long-enough-password")  # type: ignore[attr-defined]
    Joining(store).record("kayes", "applied", dt.date(2026, 3, 1), "user:sec")
    Ties(store).add("kayes", "lyon", "twinning", "user:sec")
    console = TestClient(client.app, base_url=BASE)
    sign_in(console, "alice", "a-long-enough-password")
    console.cookies.set("peermatch_lang", "fr")
    page = console.get("/members/kayes").text
    assert "ville candidate" in page and "candidature déposée" in page
    assert 'href="/members/lyon">Lyon</a> (jumelage)' in page
