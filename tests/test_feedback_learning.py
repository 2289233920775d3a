"""Learning from feedback: judgements as qrels the harness reads, learned weights that recover
known preferences and are used only when they beat the defaults on held-out members."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from ranx import Qrels, Run, evaluate

from evaluation.dataset import load_dataset
from evaluation.feedback import collect, read_qrels, to_qrels, write_qrels, write_queries
from evaluation.feedback_simulation import simulate
from evaluation.reweighting import Judged, NotEnoughFeedbackError, compare, held_out_scores, pairwise
from matcher.errors import WeightsFileError
from matcher.partnerships import Partnerships
from matcher.recommend.peer_weights import PARTS, SCORE_VERSION, default_weights, load_weights, read_learned, write_learned
from matcher.settings import Settings
from matcher.store import Store
from tests.conftest import import_file, member, write_jsonl

DEFAULTS = default_weights(0.1).vector()


def test_grades_from_proposals_and_feedback_are_qrels_that_ranx_reads(tmp_path: Path, settings: Settings) -> None:
    store = Store(settings.store_path)
    names = ["dakar", "lyon", "lima", "quito", "accra", "pune"]
    import_file(store, write_jsonl(tmp_path / "m.jsonl", [member(n) for n in names]), settings)
    book = Partnerships(store)

    def approved(partner: str) -> int:
        return book.approve(book.propose("recommendation", "dakar", partner, "u").id, "u").id

    book.respond(approved("lyon"), "lyon", False, "u")  # declined: 0
    one = approved("lima")
    book.respond(one, "dakar", True, "u")  # one side accepted: 1
    both = approved("quito")
    book.respond(both, "dakar", True, "u")
    book.respond(both, "quito", True, "u")  # active: 2
    closed = approved("accra")
    book.respond(closed, "dakar", True, "u")
    book.respond(closed, "accra", True, "u")
    book.close(closed, "u", "done", 5)  # closed, rated 5: 4
    book.propose("recommendation", "dakar", "pune", "u")  # nothing known yet: no judgement
    group = book.approve(book.propose("expert_group", "lima", "ESD expert group", "u").id, "u")
    book.respond(group.id, "lima", True, "u")  # active: 2, for the group's query
    store.add_feedback("lyon", "pune", "peers", "accepted", 4, None, "hub")  # rating 4: 2
    store.add_feedback("dakar", "lyon", "peers", "accepted", None, None, "hub")  # the proposal, later, says 0
    store.add_feedback("lima", "res-1", "resources", "declined", None, None, "hub")
    qrels = to_qrels(collect(store))
    assert qrels == {
        "peers:dakar": {"lyon": 0, "lima": 1, "quito": 2, "accra": 4},
        "peers:lyon": {"pune": 2},
        "experts:ESD%20expert%20group": {"lima": 2},
        "resources:lima": {"res-1": 0},
    }
    path = tmp_path / "qrels.tsv"
    assert write_qrels(path, qrels) == 7
    assert "peers:dakar 0 accra 4\n" in path.read_text()
    assert read_qrels(path) == qrels  # as the evaluation harness (ranx) reads them
    assert write_queries(tmp_path / "queries.jsonl", collect(store), ["peers"]) == 2
    first = json.loads((tmp_path / "queries.jsonl").read_text().splitlines()[0])
    assert first["task"] == "peers" and first["member_id"] in {"dakar", "lyon"}
    # with every task's queries beside them, they make a dataset for 'peermatch eval run'
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    for name in ("members.jsonl", "resources.jsonl"):
        (dataset / name).write_text("")
    write_qrels(dataset / "qrels.tsv", qrels)
    write_queries(dataset / "queries.jsonl", collect(store))
    loaded = load_dataset(dataset)
    assert loaded.qrels == qrels and {q.id: q.task for q in loaded.queries}["experts:ESD%20expert%20group"] == "experts"


def test_pairs_order_only_within_a_member() -> None:
    judged = Judged(
        np.asarray(["a", "a", "a", "b", "b"]),
        np.asarray(["x", "y", "z", "x", "y"]),
        np.asarray([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]),
        np.asarray([2, 0, 2, 1, 1]),
    )
    diffs, labels, groups = pairwise(judged)
    # a: x>y and z>y (x and z tie: no pair); b: a tie, no pair; the second pair is flipped to balance the labels
    assert groups.tolist() == ["a", "a"] and labels.tolist() == [1, 0]
    assert diffs.tolist() == [[1.0, -1.0, 0.0], [-0.5, 0.5, 0.0]]


def test_held_out_ndcg_is_ranxs_ndcg() -> None:
    judged = simulate([0.3, 0.6, 0.1], members=20, candidates=12, seed=3)
    ndcg, auc = held_out_scores(judged, DEFAULTS)
    scores = judged.features @ DEFAULTS
    qrels: dict[str, dict[str, int]] = {m: {} for m in ndcg}
    run: dict[str, dict[str, float]] = {m: {} for m in ndcg}
    for m, item, grade, score in zip(judged.members, judged.items, judged.grades, scores, strict=True):
        qrels[m][item] = int(grade)
        run[m][item] = float(score)
    ranx_run = Run(run)
    evaluate(Qrels(qrels), ranx_run, "ndcg@10")
    assert all(abs(ndcg[m] - ranx_run.scores["ndcg@10"][m]) < 1e-9 for m in ndcg)
    assert len(auc) == 20 and all(0.0 <= v <= 1.0 for v in auc.values())


def test_learned_weights_recover_hidden_preferences_and_beat_the_defaults() -> None:
    hidden = np.asarray([0.25, 0.65, 0.10])  # these members care most about a shared context
    comparison = compare(simulate(hidden, members=150, candidates=10, noise=0.1, seed=1), DEFAULTS)
    learned = comparison.weights
    assert np.argsort(-learned).tolist() == np.argsort(-hidden).tolist()  # context > gives > graph
    assert (learned > 0).all() and float(learned @ hidden / np.linalg.norm(learned) / np.linalg.norm(hidden)) > 0.98
    assert comparison.learned_ndcg > comparison.default_ndcg + 0.1 and comparison.learned_auc > comparison.default_auc
    assert comparison.better and comparison.p_value < 1e-6


def test_when_the_defaults_are_the_truth_the_learned_weights_are_not_used() -> None:
    comparison = compare(simulate(DEFAULTS, members=150, candidates=10, noise=0.1, seed=2), DEFAULTS)
    assert not comparison.better
    assert abs(comparison.gain) < 0.01
    assert np.abs(comparison.weights - comparison.defaults).max() < 0.1  # it learned the defaults back


def test_too_little_feedback_is_said() -> None:
    with pytest.raises(NotEnoughFeedbackError, match="3 member"):
        compare(simulate(DEFAULTS, members=3, candidates=5), DEFAULTS)


def test_the_weights_file_is_used_only_when_valid(tmp_path: Path) -> None:
    path = tmp_path / "peer-weights.json"
    write_learned(path, {"gives": 0.5, "context": 1.0, "graph": 0.5}, "fake-keywords", {"note": "test"})
    weights = load_weights(tmp_path, "fake-keywords")
    assert weights is not None and (weights.gives, weights.context, weights.graph) == (0.25, 0.5, 0.25)
    assert load_weights(tmp_path, "usem3") is None  # another encoder: the defaults
    with pytest.raises(WeightsFileError, match="field 'model_id'"):
        read_learned(path, "usem3")
    body = json.loads(path.read_text())
    for change, field in (
        ({"score_version": "peers-0"}, "score_version"),
        ({"weights": {"gives": 2.0, "context": -0.5, "graph": -0.5}}, "weights.gives"),
        ({"weights": {"gives": 0.2, "context": 0.2, "graph": 0.2}}, "weights"),
        ({"weights": {"context": 0.5, "gives": 0.25, "graph": 0.25}}, "weights"),
    ):
        path.write_text(json.dumps(body | change))
        with pytest.raises(WeightsFileError, match=f"field '{field}'"):
            read_learned(path, "fake-keywords")
        assert load_weights(tmp_path, "fake-keywords") is None
    assert body["score_version"] == SCORE_VERSION and list(body["weights"]) == list(PARTS)
    assert dt.datetime.fromisoformat(body["learned_at"]).tzinfo is not None
