"""Issue 21, item 6 (and 12): one request cannot hold a worker up. A bulk request's records are
capped and its error answer is bounded; concurrent sign-ins are bounded (503 with Retry-After)."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.routes.records import BULK_MAX
from tests.fakes import FakeEncoder
from tests.test_console import BASE, PASSWORD, csrf_of
from tests.test_service import WRITE, auth, seeded_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))


def test_a_bulk_over_the_cap_is_refused_naming_the_cap(client: TestClient) -> None:
    answer = client.post("/v1/members/bulk", headers=auth(WRITE), json=[{}] * (BULK_MAX + 1))
    assert answer.status_code == 422 and str(BULK_MAX) in answer.text[:2000]
    assert BULK_MAX <= 5_000  # 50,000 empty records took 15 s to validate in the hostile run


def test_a_bulk_error_answer_lists_the_first_problems_and_counts_them_all(client: TestClient) -> None:
    answer = client.post("/v1/members/bulk", headers=auth(WRITE), json=[{}] * BULK_MAX)
    body = answer.json()
    assert answer.status_code == 422 and len(answer.content) < 200_000
    assert len(body["details"]) == 100
    assert f"in {BULK_MAX} invalid records" in body["message"]
    assert "--skip-invalid" not in body["message"]  # item 12: an API client has no such flag
    assert "first 100" in body["message"]


def test_sign_ins_beyond_the_bound_get_a_503_with_retry_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = seeded_settings(tmp_path, sign_in_concurrency=1, sign_in_queue=0)
    app = create_app(settings, FakeEncoder())
    app.state.accounts.create_user("alice", "secretariat", PASSWORD)
    entered, release = threading.Event(), threading.Event()
    authenticate = app.state.accounts.authenticate

    def slow(*args: Any) -> Any:  # an argon2 verification that takes its time
        entered.set()
        release.wait(10)
        return authenticate(*args)

    monkeypatch.setattr(app.state.accounts, "authenticate", slow)
    first, second = TestClient(app, base_url=BASE), TestClient(app, base_url=BASE)
    forms = []
    for client in (first, second):
        page = client.get("/signin")
        forms.append({"name": "alice", "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    answers: list[int] = []
    running = threading.Thread(target=lambda: answers.append(first.post("/signin", data=forms[0], follow_redirects=False).status_code))
    running.start()
    assert entered.wait(10)
    refused = second.post("/signin", data=forms[1], follow_redirects=False)
    release.set()
    running.join()
    assert refused.status_code == 503 and refused.headers["Retry-After"] == str(settings.retry_after_seconds)
    assert answers == [303]


def test_a_malformed_json_body_names_the_body_not_a_character_offset(client: TestClient) -> None:
    answer = client.post("/v1/feedback", headers={**auth(WRITE), "Content-Type": "application/json"}, content=b'{"member_id": "dakar",, }')
    body = answer.json()
    assert answer.status_code == 422 and body["field"] == "(body)", body
    assert "malformed JSON at character" in body["message"]


def test_a_console_rating_that_is_not_a_number_is_a_plain_refusal() -> None:
    from service.console.form_problems import FormProblem, rating
    from service.console.i18n import Translator

    t = Translator("en")
    assert rating({"rating": " 4 "}, "rating", "Rating (1 to 5)", t) == 4
    for typed in ("abc", "9", "0"):
        with pytest.raises(FormProblem, match=f"Rating \\(1 to 5\\): '{typed}' is not a whole number from 1 to 5"):
            rating({"rating": typed}, "rating", "Rating (1 to 5)", t)


JSON_WRITE = {**auth(WRITE), "Content-Type": "application/json"}


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_a_bulk_body_is_decoded_and_checked_off_the_event_loop(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding 5,000 records and checking them on the event loop held up /health for the whole time:
    both happen in a worker thread, where the event loop keeps answering meanwhile."""
    seen: list[bool] = []
    decode = json.loads

    def spy(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if len(text) > 5_000:  # the bulk body, not a small document read on the way
            seen.append(_on_event_loop())
        return decode(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", spy)
    answer = client.post("/v1/members/bulk", headers=JSON_WRITE, content=json.dumps([{}] * 2_000))
    assert answer.status_code == 422 and "2000 invalid records" in answer.json()["message"]
    assert seen and True not in seen


def test_a_bulk_body_that_is_not_a_list_of_records_is_refused_naming_the_body(client: TestClient) -> None:
    malformed = client.post("/v1/members/bulk", headers=JSON_WRITE, content=b'[{"id": "a"},, ]')
    assert malformed.status_code == 422 and malformed.json()["field"] == "(body)"
    assert "malformed JSON at character" in malformed.json()["message"]
    for body, said in (({"id": "a"}, "list"), ([1, "x"], "object")):
        answer = client.post("/v1/members/bulk", headers=auth(WRITE), json=body)
        assert answer.status_code == 422 and said in answer.json()["message"], answer.text
    over = client.post("/v1/resources/bulk", headers=auth(WRITE), json=[{}] * (BULK_MAX + 1))
    assert over.status_code == 422 and str(BULK_MAX) in over.json()["message"]
