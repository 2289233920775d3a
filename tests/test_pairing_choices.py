"""Issue 22 item 12 in the domain and over /v1: runs compared, pairs labelled with the peers'
thresholds, and a language both members must speak (request, /v1, CLI)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app as cli
from matcher import explanations as E
from matcher.pairing.compare import compare_runs
from matcher.pairing.run import GreedyBaseline, Pair, PairingResult, PairingSummary
from tests.test_service import READ, auth, client, wait_for_job  # noqa: F401 (fixture)


def pair(mentee: str, mentor: str, affinity: float = 0.5) -> Pair:
    return Pair(mentee=mentee, mentor=mentor, affinity=affinity, common_languages=[], need=None, evidence=None, evidence_passage=None)


def result(*pairs: Pair) -> PairingResult:
    summary = PairingSummary(
        mentees=0,
        mentors=0,
        pairs=len(pairs),
        objective=0,
        total_affinity=0,
        min_affinity=None,
        mean_affinity=None,
        load_per_mentor={},
        served_share_by_region={},
    )
    return PairingResult(
        status="optimal",
        method="lp",
        pairs=list(pairs),
        unmatched=[],
        binding_constraints=[],
        summary=summary,
        greedy_baseline=GreedyBaseline(objective=0, pairs=0, min_affinity=0, optimum_over_greedy=0),
    )


def test_compare_runs_sorts_pairs_into_kept_new_and_dropped_in_each_runs_order() -> None:
    before = result(pair("a", "x", 0.4), pair("b", "y"), pair("c", "z"))
    after = result(pair("c", "y"), pair("a", "x", 0.6), pair("b", "z"))
    changes = compare_runs(before, after)
    assert [(p.mentee, p.mentor, p.affinity) for p in changes.kept] == [("a", "x", 0.6)]  # as the new run has it
    assert [(p.mentee, p.mentor) for p in changes.new] == [("c", "y"), ("b", "z")]
    assert [(p.mentee, p.mentor) for p in changes.dropped] == [("b", "y"), ("c", "z")]
    assert changes.changed
    same = compare_runs(after, after)
    assert not same.changed and len(same.kept) == 3
    # A pair is mentee then mentor: the same two the other way round is another pair.
    assert [(p.mentee, p.mentor) for p in compare_runs(result(pair("a", "b")), result(pair("b", "a"))).new] == [("b", "a")]


def test_v1_pairs_carry_the_peers_match_labels_and_a_required_language_is_enforced_and_named(client: TestClient) -> None:  # noqa: F811
    body = {
        "mentees": ["dakar"],
        "mentors": ["lyon", "lima"],
        "constraints": {"require_common_language": False, "forced": [["dakar", "lima"]], "max_partners": 2},
    }
    job = client.post("/v1/pairings", headers=auth(READ), json=body).json()
    assert wait_for_job(client, job["id"])["status"] == "done"
    pairs = client.get(f"/v1/pairings/{job['id']}/result", headers=auth(READ)).json()["pairs"]
    labels = {(p["mentor"], p["match_quality"]) for p in pairs}
    assert labels == {("lyon", "strong"), ("lima", "weak")}  # 0.96 and 0.02 with the fake encoder: 0.7 strong, 0.3 partial
    body = {"mentees": ["dakar"], "mentors": ["lyon", "lima"], "constraints": {"required_language": "ES"}}
    job = client.post("/v1/pairings", headers=auth(READ), json=body).json()
    assert wait_for_job(client, job["id"])["status"] == "done"
    answer = client.get(f"/v1/pairings/{job['id']}/result", headers=auth(READ)).json()
    assert answer["status"] == "infeasible-partial" and answer["pairs"] == []
    reason = next(r for r in answer["binding_explanations"] if r["template"] == E.PAIRING_REQUIRED_LANGUAGE)
    assert reason["template"] % reason["values"] == "1 mentee does not speak Spanish, which every pair must speak: dakar"
    refused = client.post("/v1/pairings", headers=auth(READ), json={"mentees": ["dakar"], "constraints": {"required_language": "klingon"}})
    assert refused.status_code == 422 and "required_language" in refused.text


def test_cli_pair_takes_a_language_and_refuses_an_unknown_one_by_name(tmp_path: Path) -> None:
    assert "--language" in CliRunner().invoke(cli, ["pair", "--help"]).output
    refused = CliRunner().invoke(cli, ["pair", "--language", "xx", "--data-dir", str(tmp_path)])
    assert refused.exit_code != 0 and "required_language" in refused.output
