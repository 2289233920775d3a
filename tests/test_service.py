"""The HTTP service: access, errors, live updates, jobs, feedback, metrics."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.auth import digest
from service.settings import ServiceSettings
from tests.conftest import import_file, member, resource, write_jsonl
from tests.fakes import FakeEncoder

READ, WRITE, ADMIN = "read-key-123", "write-key-456", "admin-key-789"
ANSWER = "answer-key-321"  # the hub's: reads, and its members' answers to proposals


def seeded_settings(tmp_path: Path, **overrides: object) -> ServiceSettings:
    named = (("read", READ), ("answer", ANSWER), ("write", WRITE), ("admin", ADMIN))
    keys = ";".join(f"{name}:{name}:{digest(key)}" for name, key in named)
    settings = ServiceSettings(data_dir=tmp_path / "data", api_keys=keys, **{"log_json": False, **overrides})  # type: ignore[arg-type]
    from matcher.store import Store

    tmp_path.mkdir(parents=True, exist_ok=True)
    with Store(settings.store_path, settings.database_url) as store:
        members = [
            member("dakar", country="SN", region="Africa", needs=[{"text": "digital older adults", "priority": 5}]),
            member("lyon", strengths=[{"text": "digital literacy for older adults", "level": 5}]),
            member("lima", country="PE", region="Latin America and the Caribbean", languages=["es"], strengths=[{"text": "flood drills"}]),
        ]
        import_file(store, write_jsonl(tmp_path / "members.jsonl", members), settings)
        resources = [resource("floods", "Flood drills", "Schools prepare for floods."), resource("gardens", "Gardens", "Garden.")]
        import_file(store, write_jsonl(tmp_path / "resources.jsonl", resources), settings)
    return settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(seeded_settings(tmp_path), FakeEncoder()))


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_keys_and_scopes(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/ready").json()["ready"] is True
    no_key = client.get("/v1/members/dakar/peers")
    assert no_key.status_code == 401 and no_key.json()["code"] == "unauthorized"
    assert client.get("/v1/members/dakar/peers", headers=auth("wrong")).status_code == 401
    peers = client.get("/v1/members/dakar/peers", headers={"X-API-Key": READ})
    assert peers.status_code == 200 and peers.json()["items"][0]["id"] == "lyon"
    forbidden = client.post("/v1/members/bulk", headers=auth(READ), json=[])
    assert forbidden.status_code == 403 and "lacks the 'write' scope" in forbidden.json()["message"]
    assert client.get("/metrics", headers=auth(WRITE)).status_code == 403
    metrics = client.get("/metrics", headers=auth(ADMIN))
    assert metrics.status_code == 200 and "peermatch_requests_total" in metrics.text


def test_malformed_body_names_the_field(client: TestClient) -> None:
    response = client.post("/v1/recommendations/experts", headers=auth(READ), json={"options": {"k": 3}})
    assert response.status_code == 422
    assert response.json()["field"] == "theme" and response.json()["code"] == "invalid_request"
    bad_k = client.post("/v1/resources/search", headers=auth(READ), json={"query": "x", "k": 0})
    assert bad_k.json()["field"] == "k"


def test_bulk_import_with_a_bad_record_writes_nothing(client: TestClient) -> None:
    rows = [member("new-a"), member("new-b", country="XX")]
    response = client.post("/v1/members/bulk", headers=auth(WRITE), json=rows)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_records" and body["field"] == "country" and body["details"][0]["line"] == 2
    assert client.get("/v1/members/new-a", headers=auth(READ)).status_code == 404


def test_writes_are_visible_to_the_next_read(client: TestClient) -> None:
    before = client.get("/ready").json()["generation"]
    put = client.put(
        "/v1/resources/budget",
        headers=auth(WRITE),
        json=resource("budget", "Budget tracking", "Civil society tracks the education budget."),
    )
    assert put.status_code == 200 and put.json()["changed"] == ["budget"]
    assert put.json()["generation"] != before
    hits = client.get("/v1/resources/search", params={"q": "presupuesto"}, headers=auth(READ)).json()["results"]
    assert hits[0]["id"] == "budget"
    assert client.delete("/v1/resources/budget", headers=auth(WRITE)).status_code == 204
    hits = client.get("/v1/resources/search", params={"q": "presupuesto"}, headers=auth(READ)).json()["results"]
    assert "budget" not in [h["id"] for h in hits]
    mismatch = client.put("/v1/members/x", headers=auth(WRITE), json=member("y"))
    assert mismatch.status_code == 400 and "differs" in mismatch.json()["message"]


def test_a_search_that_finds_nothing_relevant_says_so_and_one_that_does_does_not(client: TestClient) -> None:
    nothing = "no resource in the network is about this; closest matches, all weak"
    for route in ("POST", "GET"):
        answer = (
            client.post("/v1/resources/search", headers=auth(READ), json={"query": "tarte tatin"})
            if route == "POST"
            else client.get("/v1/resources/search", params={"q": "tarte tatin"}, headers=auth(READ))
        ).json()
        assert 1 <= len(answer["results"]) <= 3 and {hit["match_quality"] for hit in answer["results"]} == {"weak"}
        assert answer["answer"] == nothing and answer["answer_explanation"]["template"] == nothing
    # The library: a resource found by name is an answer, whatever the ranking's labels.
    named = client.get("/v1/library", params={"q": "floods"}, headers=auth(READ)).json()
    assert named["items"][0]["matched"] in ("title", "text") and named["answer"] is None
    unnamed = client.get("/v1/library", params={"q": "tarte tatin"}, headers=auth(READ)).json()
    assert {item["match_quality"] for item in unnamed["items"]} == {"weak"} and unnamed["answer"] == nothing and unnamed["total"] == 0
    assert client.get("/v1/library", headers=auth(READ)).json()["answer"] is None  # a listing, no query


def test_pagination(client: TestClient) -> None:
    first = client.get("/v1/members", params={"limit": 2}, headers=auth(READ)).json()
    second = client.get("/v1/members", params={"limit": 2, "offset": 2}, headers=auth(READ)).json()
    assert first["total"] == 3 and [m["id"] for m in first["items"]] == ["dakar", "lima"]
    assert [m["id"] for m in second["items"]] == ["lyon"]


def test_feedback_is_stored_and_listed_for_admins(client: TestClient) -> None:
    stored = client.post(
        "/v1/feedback",
        headers=auth(READ),
        json={"member_id": "dakar", "item_id": "lyon", "task": "peers", "verdict": "accepted", "rating": 5},
    )
    assert stored.status_code == 201
    assert client.post("/v1/feedback", headers=auth(READ), json={"member_id": "d", "item_id": "l", "task": "peers"}).status_code == 422
    listing = client.get("/v1/feedback", headers=auth(ADMIN)).json()
    assert listing["total"] == 1 and listing["items"][0]["verdict"] == "accepted" and listing["items"][0]["key_name"] == "read"


def test_pairing_job_lifecycle(client: TestClient) -> None:
    created = client.post("/v1/pairings", headers=auth(READ), json={"mentees": ["dakar"], "mentors": ["lyon", "lima"]})
    assert created.status_code == 202
    job_id = created.json()["id"]
    for _ in range(100):
        status = client.get(f"/v1/pairings/{job_id}", headers=auth(READ)).json()
        if status["status"] in {"done", "failed"}:
            break
        time.sleep(0.05)
    assert status["status"] == "done", status
    result = client.get(status["result_url"], headers=auth(READ)).json()
    assert [(p["mentee"], p["mentor"]) for p in result["pairs"]] == [("dakar", "lyon")]
    assert client.get("/v1/pairings/nope", headers=auth(READ)).status_code == 404


def wait_for_job(client: TestClient, job_id: str) -> dict[str, object]:
    for _ in range(100):
        status = client.get(f"/v1/pairings/{job_id}", headers=auth(READ)).json()
        if status["status"] in {"done", "failed"}:
            return status
        time.sleep(0.05)
    return status


def test_pairing_jobs_answer_from_any_worker_and_after_a_restart(tmp_path: Path) -> None:
    # make run serves with two worker processes: a job created on one is followed on the other
    settings = seeded_settings(tmp_path)
    first, second = TestClient(create_app(settings, FakeEncoder())), TestClient(create_app(settings, FakeEncoder()))
    job_id = first.post("/v1/pairings", headers=auth(READ), json={"mentees": ["dakar"], "mentors": ["lyon", "lima"]}).json()["id"]
    assert wait_for_job(second, job_id)["status"] == "done"
    restarted = TestClient(create_app(settings, FakeEncoder()))
    pairs = restarted.get(f"/v1/pairings/{job_id}/result", headers=auth(READ)).json()["pairs"]
    assert [(p["mentee"], p["mentor"]) for p in pairs] == [("dakar", "lyon")]


def test_finished_pairing_jobs_are_kept_for_the_configured_days(tmp_path: Path) -> None:
    client = TestClient(create_app(seeded_settings(tmp_path, pairing_job_days=1), FakeEncoder()))
    store = client.app.state.service.workspace.store  # type: ignore[attr-defined]
    request = '{"mentees": ["dakar"], "mentors": ["lyon"]}'
    now = time.time()
    for job_id, finished in {"old": now - 2 * 86_400, "recent": now - 3_600, "unfinished": None}.items():
        row = {"id": job_id, "status": "done" if finished else "running", "created": now - 3 * 86_400, "finished": finished}
        store.save_job(row | {"owner": "another-host:1:1", "request": request, "result": None, "error": None})
    client.post("/v1/pairings", headers=auth(READ), json={"mentees": ["dakar"], "mentors": ["lyon"]})
    statuses = {job_id: client.get(f"/v1/pairings/{job_id}", headers=auth(READ)).status_code for job_id in ("old", "recent", "unfinished")}
    assert statuses == {"old": 404, "recent": 200, "unfinished": 200}


def test_a_job_whose_process_stopped_is_reported_interrupted(client: TestClient) -> None:
    import os
    import socket
    import subprocess
    import sys

    from service.jobs import _OWNER, _started

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    store = client.app.state.service.workspace.store  # type: ignore[attr-defined]
    request = '{"mentees": ["dakar"], "mentors": ["lyon"]}'
    host = socket.gethostname()
    owners = {
        "dead": f"{host}:{gone.pid}:{_started(gone.pid)}",
        "reused-pid": f"{host}:{os.getpid()}:0",  # this pid, but a process that started at another time
        "alive": _OWNER,
        "elsewhere": "another-host:1:1",
    }
    for job_id, owner in owners.items():
        row = {"id": job_id, "status": "running", "created": 1.0, "finished": None, "owner": owner, "request": request}
        store.save_job(row | {"result": None, "error": None})
    statuses = {job_id: client.get(f"/v1/pairings/{job_id}", headers=auth(READ)).json() for job_id in owners}
    expected = {"dead": "failed", "reused-pid": "failed", "alive": "running", "elsewhere": "running"}
    assert {job_id: s["status"] for job_id, s in statuses.items()} == expected
    assert "interrupted" in statuses["dead"]["error"] and "submit the request again" in statuses["dead"]["error"]
    assert client.get("/v1/pairings/dead/result", headers=auth(READ)).status_code == 409


WORKER_SCRIPT = """
import sys
from fastapi.testclient import TestClient
from service.app import create_app
from service.settings import ServiceSettings
from tests.fakes import FakeEncoder

data_dir, keys, requests, admin = sys.argv[1:]
client = TestClient(create_app(ServiceSettings(data_dir=data_dir, api_keys=keys, log_json=False), FakeEncoder()))
for _ in range(int(requests)):
    assert client.get("/health").status_code == 200
print(client.get("/metrics", headers={"Authorization": "Bearer " + admin}).text)
"""


def test_metrics_add_up_over_worker_processes(tmp_path: Path) -> None:
    # `peermatch serve --workers N` gives its workers one PROMETHEUS_MULTIPROC_DIR; a scrape that
    # lands on any worker must count the requests of all of them (here, two worker processes)
    import os
    import subprocess
    import sys

    settings = seeded_settings(tmp_path)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    (tmp_path / "metrics").mkdir()
    outputs = [
        subprocess.run(
            [sys.executable, "-c", WORKER_SCRIPT, str(settings.data_dir), settings.api_keys or "", str(requests), ADMIN],
            env=env, capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent,
        ).stdout
        for requests in (3, 5)
    ]
    line = 'peermatch_requests_total{method="GET",route="/health",status="200"}'
    counts = [float(next(row for row in out.splitlines() if row.startswith(line)).split()[-1]) for out in outputs]
    assert counts == [3.0, 8.0]


def test_capacity_map_json_and_html(client: TestClient) -> None:
    assert client.get("/v1/capacity", headers=auth(READ)).json()["totals"]["members"] == 3
    html = client.get("/v1/capacity.html", headers=auth(READ))
    assert html.status_code == 200 and "<table id='heatmap'>" in html.text


def test_request_ids_limits_and_cors(tmp_path: Path) -> None:
    settings = seeded_settings(tmp_path, max_body_bytes=2048, cors_origins=["https://hub.example"])
    client = TestClient(create_app(settings, FakeEncoder()))
    response = client.get("/health", headers={"X-Request-ID": "abc"})
    assert response.headers["X-Request-ID"] == "abc"
    too_big = client.post("/v1/members/bulk", headers=auth(WRITE), content=b"[" + b" " * 4096 + b"]")
    assert too_big.status_code == 413 and too_big.json()["code"] == "too_large"
    preflight = client.options("/v1/resources/search", headers={"Origin": "https://hub.example", "Access-Control-Request-Method": "POST"})
    assert preflight.headers["access-control-allow-origin"] == "https://hub.example"



def test_each_request_is_logged_once_with_its_id_route_status_and_key(tmp_path: Path) -> None:
    import json
    import logging

    app = create_app(seeded_settings(tmp_path, log_json=True), FakeEncoder())

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/v1/boom", boom)
    client = TestClient(app, raise_server_exceptions=False)
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("peermatch.access").addHandler(handler)
    try:
        assert client.get("/v1/members/dakar/peers", headers={**auth(READ), "X-Request-ID": "r1"}).headers["X-Request-ID"] == "r1"
        assert client.get("/v1/members/nobody", headers=auth(READ)).status_code == 404
        failed = client.get("/v1/boom", headers={**auth(READ), "X-Request-ID": "r3"})
        assert failed.status_code == 500 and "(request id r3)" in failed.json()["message"]
    finally:
        logging.getLogger("peermatch.access").removeHandler(handler)
    logged = [json.loads(line) for line in lines]
    routes = [("/v1/members/{member_id}/peers", 200, "read"), ("/v1/members/{member_id}", 404, "read"), ("/v1/boom", 500, None)]
    assert [(e["route"], e["status"], e["key"]) for e in logged] == routes
    assert logged[0]["request_id"] == "r1" and len(logged[1]["request_id"]) == 32 and logged[0]["ms"] >= 0

def test_empty_service_is_not_ready_and_says_why(tmp_path: Path) -> None:
    settings = ServiceSettings(data_dir=tmp_path / "empty", api_keys=f"r:read:{digest(READ)}", log_json=False)
    client = TestClient(create_app(settings, FakeEncoder()))
    assert client.get("/ready").status_code == 503
    response = client.get("/v1/members/x/peers", headers=auth(READ))
    assert response.status_code == 503 and "not ready" in response.json()["message"]


def test_stored_members_answers_are_precomputed_and_equal_fresh_ones(tmp_path: Path) -> None:
    app = create_app(seeded_settings(tmp_path), FakeEncoder())
    state = app.state.service
    snapshot = state.snapshot
    cache = state.cache_for(snapshot)
    for _ in range(200):
        if len(cache._items) == 3:
            break
        time.sleep(0.02)
    assert len(cache._items) == 3  # every stored member, in the background
    client = TestClient(app)
    cached = client.get("/v1/members/dakar/peers", headers=auth(READ)).content
    from matcher.partnerships import Partnerships
    from matcher.recommend.peers import PeerOptions
    from matcher.usecases.peers import peer_question
    from service.answers import peer_answer

    assert cached == peer_answer(snapshot, peer_question(Partnerships(state.workspace.store), "dakar", PeerOptions())).body
    client.put("/v1/resources/more", headers=auth(WRITE), json=resource("more", "More", "More floods."))
    assert state.snapshot is not snapshot and state.cache_for(state.snapshot) is not cache  # a write starts a new cache


def test_two_workers_give_identical_answers_after_writes_on_each(tmp_path: Path) -> None:
    """The review's drift scenario: a member written through worker B, an unrelated resource
    through worker A; both then serve the same generation, capacity map and peer scores."""
    settings = seeded_settings(tmp_path)
    a = TestClient(create_app(settings, FakeEncoder()))
    b = TestClient(create_app(settings, FakeEncoder()))
    probe = member("probe-stale", strengths=[{"text": "digital older adults"}], partners=["dakar"])
    assert b.put("/v1/members/probe-stale", headers=auth(WRITE), json=probe).status_code == 200
    assert a.put("/v1/resources/extra", headers=auth(WRITE), json=resource("extra", "Extra", "Gardens.")).status_code == 200
    deadline = time.time() + 2  # each worker's watcher looks every 0.25 s
    while a.get("/ready").json()["generation"] != b.get("/ready").json()["generation"] and time.time() < deadline:
        time.sleep(0.05)
    answers = [
        (
            c.get("/ready").json()["generation"],
            c.get("/v1/capacity", headers=auth(READ)).json(),
            c.get("/v1/members/lima/peers", headers=auth(READ)).json(),
        )
        for c in (a, b)
    ]
    assert answers[0] == answers[1]
    assert answers[0][1]["totals"]["members"] == 4


def test_an_idle_worker_reports_the_other_workers_generation(tmp_path: Path) -> None:
    """/ready on a worker that served no /v1 request since the other one wrote."""
    settings = seeded_settings(tmp_path)
    idle = TestClient(create_app(settings, FakeEncoder()))
    busy = TestClient(create_app(settings, FakeEncoder()))
    written = busy.put("/v1/resources/extra", headers=auth(WRITE), json=resource("extra", "Extra", "Gardens.")).json()
    deadline = time.time() + 2  # the idle worker's watcher looks every 0.25 s
    while (ready := idle.get("/ready").json())["generation"] != written["generation"] and time.time() < deadline:
        time.sleep(0.05)
    assert (ready["generation"], ready["store_revision"], ready["resources"]) == (written["generation"], written["store_revision"], 3)


def test_metrics_count_the_snapshots_swapped_in(client: TestClient) -> None:
    """peermatch_index_swaps_total was declared but never counted."""

    def swaps() -> float:
        text = client.get("/metrics", headers=auth(ADMIN)).text
        return float(next(line.split()[1] for line in text.splitlines() if line.startswith("peermatch_index_swaps_total")))

    before = swaps()
    client.put("/v1/resources/more", headers=auth(WRITE), json=resource("more", "More", "More floods."))
    assert swaps() == before + 1


def test_whom_a_member_can_help_is_the_other_side_of_peers(client: TestClient) -> None:
    page = client.get("/v1/members/lyon/helps", headers=auth(READ)).json()
    assert [item["id"] for item in page["items"]] == ["dakar"]
    top = page["items"][0]
    assert top["need"] == "digital older adults" and top["match_quality"] != "weak" and top["match_score"] >= 0.3
    assert top["evidence"][0]["text"] == "digital literacy for older adults"
    # flood drills meet nobody's need: an empty page, not the closest weak ones
    assert client.get("/v1/members/lima/helps", headers=auth(READ)).json()["items"] == []
    assert client.get("/v1/members/nobody/helps", headers=auth(READ)).status_code == 404
