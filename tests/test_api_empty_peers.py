"""An empty peer answer says why. The per-result flags ('no evidence', 'language not read by the
model') cannot speak when there is no result: a Russian-only visitor got {total: 0, items: []}
and nothing else, whether the network has no Russian-speaking member or a filter left nobody."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.explanations import HELPS_NO_COMMON_LANGUAGE, HELPS_NO_EVIDENCE, HELPS_NONE_MET, PEERS_NO_COMMON_LANGUAGE, PEERS_NONE_ALLOWED
from service.app import create_app
from tests.conftest import member, resource
from tests.fakes import FakeEncoder
from tests.test_service import READ, WRITE, auth, seeded_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(seeded_settings(tmp_path), FakeEncoder()))


def visitor(languages: list[str]) -> dict[str, object]:
    return {
        "name": "Visitor",
        "kind": "city",
        "country": "RU",
        "region": "Europe and North America",
        "languages": languages,
        "needs": [{"text": "digital older adults"}],
    }


def test_a_visitor_no_member_shares_a_language_with_is_told_so_and_how_to_see_the_others(client: TestClient) -> None:
    alone = client.post("/v1/recommendations/peers", headers=auth(READ), json={"profile": visitor(["ru"])}).json()
    assert alone["total"] == 0 and alone["items"] == []
    why = alone["answer_explanation"]
    assert why["template"] == PEERS_NO_COMMON_LANGUAGE and why["values"]["languages"] == "ru"
    assert alone["answer"].startswith("no member of the network works in ru")
    others = {"profile": visitor(["ru"]), "options": {"require_common_language": False}}
    seen = client.post("/v1/recommendations/peers", headers=auth(READ), json=others).json()
    assert seen["total"] > 0 and seen["answer"] is None and seen["answer_explanation"] is None


def test_a_filter_that_leaves_nobody_is_named_and_a_full_answer_has_no_sentence(client: TestClient) -> None:
    body = {"member_id": "dakar", "options": {"regions": ["Arab States"]}}
    filtered = client.post("/v1/recommendations/peers", headers=auth(READ), json=body).json()
    assert filtered["total"] == 0 and filtered["answer_explanation"]["template"] == PEERS_NONE_ALLOWED
    full = client.post("/v1/recommendations/peers", headers=auth(READ), json={"member_id": "dakar"}).json()
    assert full["items"] and full["answer"] is None


def test_the_get_route_and_its_cached_answers_say_it_too(client: TestClient) -> None:
    lonely = member("moscow", country="RU", languages=["ru"], needs=[{"text": "digital older adults"}])
    assert client.put("/v1/members/moscow", headers=auth(WRITE), json=lonely).status_code == 200
    for _ in range(2):  # computed, then served from the cache
        answer = client.get("/v1/members/moscow/peers", headers=auth(READ)).json()
        assert answer["total"] == 0 and answer["answer_explanation"]["template"] == PEERS_NO_COMMON_LANGUAGE
    assert client.get("/v1/members/dakar/peers", headers=auth(READ)).json()["answer"] is None


def test_resources_for_a_member_nothing_answers_are_flagged_as_the_closest(client: TestClient) -> None:
    # They came back as three weak resources and nothing else, where search says 'no resource is about this'.
    baker = member("baker", needs=[{"text": "tarte tatin"}])
    assert client.put("/v1/members/baker", headers=auth(WRITE), json=baker).status_code == 200
    items = client.get("/v1/members/baker/resources", headers=auth(READ)).json()["items"]
    assert items and all(item["match_quality"] == "weak" and item["flags"][0].startswith("no evidence: ") for item in items)
    guide = resource("older", "Digital literacy for older adults", "Digital literacy classes for older adults.")
    assert client.put("/v1/resources/older", headers=auth(WRITE), json=guide).status_code == 200
    answered = client.get("/v1/members/dakar/resources", headers=auth(READ)).json()["items"]
    assert [item["id"] for item in answered] == ["older"] and answered[0]["match_quality"] != "weak" and answered[0]["flags"] == []


def test_an_empty_whom_can_i_help_answer_says_why(client: TestClient) -> None:
    def why(member_id: str, only_evidence: bool = True) -> str | None:
        answer = client.get(f"/v1/members/{member_id}/helps", headers=auth(READ), params={"only_evidence": only_evidence}).json()
        assert (answer["total"] == 0) == (answer["answer"] is not None)
        return None if answer["answer_explanation"] is None else str(answer["answer_explanation"]["template"])

    assert why("dakar") == HELPS_NO_EVIDENCE  # it states needs only
    # Nobody else works in Spanish: the answer said 'ask with only_evidence false', which brought nobody.
    assert why("lima") == HELPS_NO_COMMON_LANGUAGE
    assert why("lima", only_evidence=False) == HELPS_NO_COMMON_LANGUAGE
    assert why("lyon") is None  # it meets Dakar's need
    baker = member("baker", strengths=[{"text": "tarte tatin"}])  # French, like Dakar, whose need it does not meet
    assert client.put("/v1/members/baker", headers=auth(WRITE), json=baker).status_code == 200
    assert why("baker") == HELPS_NONE_MET
    assert why("baker", only_evidence=False) is None  # the closest come back, as the sentence says


def test_an_expert_answer_filtered_to_some_kinds_does_not_say_nobody_in_the_network(client: TestClient) -> None:
    # With kinds ['academia'] (none in the network here), it said 'nobody in the network states this'.
    body = {"theme": "digital literacy for older adults", "options": {"kinds": ["academia"]}}
    group = client.post("/v1/recommendations/experts", headers=auth(READ), json=body).json()
    assert group["members"] == [] and group["answer"].startswith("no member of the kinds asked (academia) states this")
    anyone = client.post("/v1/recommendations/experts", headers=auth(READ), json={"theme": "tarte tatin"}).json()
    assert anyone["answer"].startswith("nobody in the network states this")
