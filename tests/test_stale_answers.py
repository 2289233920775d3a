"""Bounded staleness of cached peer answers (issue 21, item 2): a write that touches neither the
asking member nor a member its answer lists may leave the answer served from the cache, stale, for
at most ``answer_stale_seconds`` while it is ranked again in the background; every other write is
seen at once; ``X-Peermatch-Revision`` says the store revision an answer was ranked at."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matcher.partnerships import Partnerships
from service.app import create_app
from tests.conftest import member, resource
from tests.fakes import FakeEncoder
from tests.test_service import READ, WRITE, auth, seeded_settings


def _client(tmp_path: Path, stale_seconds: float) -> TestClient:
    settings = seeded_settings(tmp_path, precompute_peers=False, answer_stale_seconds=stale_seconds)
    return TestClient(create_app(settings, FakeEncoder()))


def _peers(client: TestClient, member_id: str = "dakar") -> tuple[int, list[str]]:
    response = client.get(f"/v1/members/{member_id}/peers", headers=auth(READ))
    assert response.status_code == 200
    return int(response.headers["X-Peermatch-Revision"]), [item["id"] for item in response.json()["items"]]


def _revision(client: TestClient) -> int:
    return int(client.get("/ready").json()["store_revision"])


def _unrelated_write(client: TestClient) -> int:
    """A resource nobody authored: it touches no member's record nor evidence."""
    assert client.put("/v1/resources/more", headers=auth(WRITE), json=resource("more", "More", "More floods.")).status_code == 200
    return _revision(client)


def test_an_unrelated_write_leaves_the_answer_served_stale_within_the_bound(tmp_path: Path) -> None:
    client = _client(tmp_path, stale_seconds=60)
    before, ids = _peers(client)
    assert before == _revision(client)
    after = _unrelated_write(client)
    assert after > before
    assert _peers(client) == (before, ids)  # from the cache, saying the revision it was ranked at


def test_past_the_bound_the_answer_is_ranked_again(tmp_path: Path) -> None:
    client = _client(tmp_path, stale_seconds=0.6)
    before, _ = _peers(client)
    after = _unrelated_write(client)
    time.sleep(0.7)
    assert _peers(client)[0] == after


def test_a_stale_answer_is_ranked_again_in_the_background_within_its_bound(tmp_path: Path) -> None:
    client = _client(tmp_path, stale_seconds=4.0)
    before, _ = _peers(client)
    after = _unrelated_write(client)
    assert _peers(client)[0] == before  # served stale, at first
    # Read on (each stale answer served may ask for its refresh, once due), well within the bound:
    # only the background refresh can make the answer current before 4 s.
    deadline = time.monotonic() + 3.5
    while _peers(client)[0] != after and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _peers(client)[0] == after


def test_an_answer_a_write_touched_is_ranked_again_before_anyone_asks(tmp_path: Path) -> None:
    client = _client(tmp_path, stale_seconds=60)
    _peers(client)
    state = client.app.state.service  # type: ignore[attr-defined]
    lyon = member("lyon", strengths=[{"text": "digital literacy for older adults, online", "level": 5}])
    assert client.put("/v1/members/lyon", headers=auth(WRITE), json=lyon).status_code == 200
    snapshot = state.snapshot
    cache = state.cache_for(snapshot)
    deadline = time.monotonic() + 3
    while not cache._items and time.monotonic() < deadline:
        time.sleep(0.02)
    (entry,) = cache._items.values()  # ranked again by the background thread: no reader asked yet
    assert entry.stale_since is None and entry.answer.revision == snapshot.store_revision
    misses = cache.misses
    assert _peers(client)[0] == snapshot.store_revision and cache.misses == misses  # the reader's is a hit


TOUCHING_WRITES = {
    "the asking member": (
        "/v1/members/dakar",
        member("dakar", country="SN", region="Africa", needs=[{"text": "flood drills", "priority": 5}]),
    ),
    "a listed member": ("/v1/members/lyon", member("lyon", strengths=[{"text": "digital literacy for older adults, online", "level": 5}])),
    "a resource a listed member wrote": (
        "/v1/resources/lyon-guide",
        resource("lyon-guide", "Guide", "Older adults online.", authors=["lyon"]),
    ),
}


@pytest.mark.parametrize("touched", TOUCHING_WRITES)
def test_a_write_the_answer_depends_on_is_seen_at_once(tmp_path: Path, touched: str) -> None:
    client = _client(tmp_path, stale_seconds=60)
    _, ids = _peers(client)
    assert "lyon" in ids
    path, body = TOUCHING_WRITES[touched]
    assert client.put(path, headers=auth(WRITE), json=body).status_code == 200
    assert _peers(client)[0] == _revision(client)


def test_a_deleted_member_leaves_every_answer_at_once(tmp_path: Path) -> None:
    client = _client(tmp_path, stale_seconds=60)
    _, ids = _peers(client)
    assert "lyon" in ids
    assert client.delete("/v1/members/lyon", headers=auth(WRITE)).status_code == 204
    revision, ids = _peers(client)
    assert "lyon" not in ids and revision == _revision(client)


def test_a_new_member_is_in_every_answer_at_once(tmp_path: Path) -> None:
    client = _client(tmp_path, stale_seconds=60)
    _peers(client)
    oslo = member("oslo", strengths=[{"text": "digital literacy for older adults", "level": 5}])
    assert client.put("/v1/members/oslo", headers=auth(WRITE), json=oslo).status_code == 200
    revision, ids = _peers(client)
    assert revision == _revision(client) and "oslo" in ids


def test_with_no_staleness_every_answer_is_current(tmp_path: Path) -> None:
    client = _client(tmp_path, stale_seconds=0)
    _peers(client)
    after = _unrelated_write(client)
    assert _peers(client)[0] == after


def _served(client: TestClient) -> str:
    """How the answer was served, from ``Server-Timing`` (``answer;desc="stale";dur=0.8``)."""
    response = client.get("/v1/members/dakar/peers", headers=auth(READ))
    name, desc, duration = response.headers["Server-Timing"].split(";")
    assert name == "answer" and float(duration.removeprefix("dur=")) >= 0
    return desc.removeprefix("desc=").strip('"')


def test_server_timing_says_whether_an_answer_was_computed_cached_or_stale(tmp_path: Path) -> None:
    client = _client(tmp_path, stale_seconds=60)
    assert _served(client) == "computed"
    assert _served(client) == "current"
    _unrelated_write(client)
    assert _served(client) == "stale"


def test_a_cached_answer_is_served_without_the_thread_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached answer is served on the event loop (no hand-over to a thread and back, which waits
    for the interpreter while a write runs); a computed one goes to the thread pool; a decline
    still moves a cached answer at once (the exclusions are read on the event loop too)."""
    import service.routes.recommend as routes

    handed_over: list[str] = []
    real = routes.run_in_threadpool

    async def counting(function: Any, *args: Any, **kwargs: Any) -> Any:
        handed_over.append("thread pool")
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(routes, "run_in_threadpool", counting)
    client = _client(tmp_path, stale_seconds=60)
    assert (_served(client), handed_over) == ("computed", ["thread pool"])
    assert (_served(client), handed_over) == ("current", ["thread pool"])
    _unrelated_write(client)
    assert (_served(client), handed_over) == ("stale", ["thread pool"])
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    listed = _peers(client)[1][0]
    book.reject(book.propose("recommendation", "dakar", listed, "user:alice").id, "user:alice", "not now")
    assert listed not in _peers(client)[1]
