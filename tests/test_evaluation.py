"""The evaluation harness: dataset format, metrics against hand-worked values, the expertise format and loss."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.dataset import DatasetError, load_dataset, write_trec_run
from evaluation.expertise import expertise_scores, graded_expertise_loss, read_archives, read_submissions
from evaluation.metrics import accuracy, coverage, exposure_by_region, reciprocity
from evaluation.runner import Harness
from evaluation.variants import NAMED
from matcher.errors import PeermatchError
from matcher.records import Member
from tests.conftest import member, resource, write_jsonl
from tests.fakes import FakeEncoder

OPENREVIEW = Path(__file__).parent / "data" / "openreview"


def test_graded_loss_by_hand() -> None:
    truth: dict[str, dict[str, float]] = {"p": {"a": 3, "b": 1, "c": 2}}
    # pairs: (a,b) w=2, (a,c) w=1, (b,c) w=1 -> maximum 4
    assert graded_expertise_loss({"p": {"a": 0.9, "b": 0.1, "c": 0.5}}, truth) == 0.0
    assert graded_expertise_loss({"p": {"a": 0.1, "b": 0.9, "c": 0.5}}, truth) == 1.0
    # a > c right; (a,b) tied -> 2/2 = 1; (b,c): b > c reversed -> 1; loss (1 + 1) / 4
    assert graded_expertise_loss({"p": {"a": 0.5, "b": 0.5, "c": 0.2}}, truth) == pytest.approx(0.5)
    two_people: dict[str, dict[str, float]] = {"p": {"a": 2, "b": 1}, "q": {"x": 3, "y": 1}}
    # p right (0 of 1), q reversed (2 of 2): 2 / 3
    assert graded_expertise_loss({"p": {"a": 1, "b": 0}, "q": {"x": 0, "y": 1}}, two_people) == pytest.approx(2 / 3)
    with pytest.raises(PeermatchError, match="no predicted score"):
        graded_expertise_loss({"p": {"a": 1}}, truth)


def test_openreview_format_is_read_and_scored_with_the_expert_scorer(tmp_path: Path) -> None:
    archives = read_archives(OPENREVIEW / "archives")
    assert sorted(archives) == ["~Ada_Flood1", "~Ben_Budget1", "~Cleo_Garden1"]
    assert archives["~Ada_Flood1"][1] == ("p2", "Flood early warning", "Volunteers warn residents before floods.")
    submissions = read_submissions(OPENREVIEW / "submissions.json")
    scores = expertise_scores(archives, submissions, FakeEncoder(), tmp_path / "work")
    assert set(scores) == set(archives) and set(scores["~Ada_Flood1"]) == set(submissions)
    best = {sid: max(scores, key=lambda person: scores[person][sid]) for sid in submissions}
    assert best == {"s-floods": "~Ada_Flood1", "s-budget": "~Ben_Budget1", "s-gardens": "~Cleo_Garden1"}
    truth: dict[str, dict[str, float]] = {"~Ada_Flood1": {"s-floods": 3, "s-budget": 1}, "~Cleo_Garden1": {"s-gardens": 3, "s-floods": 1}}
    assert graded_expertise_loss(scores, truth) == 0.0


def test_openreview_errors_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "~X.jsonl").write_text('{"id": "p1", "content": {"title": "ok"}}\n{"content": {"title": "no id"}}\n')
    with pytest.raises(PeermatchError, match=r"~X.jsonl:2: field 'id' is missing"):
        read_archives(tmp_path)


def _dataset(folder: Path) -> Path:
    members = [
        member("asker", languages=["en"], needs=[{"text": "floods", "topic": "flood"}], strengths=[{"text": "gardens", "topic": "garden"}]),
        member(
            "helper",
            languages=["en"],
            country="KE",
            region="Africa",
            strengths=[{"text": "flood drills", "topic": "flood"}],
            needs=[{"text": "gardens", "topic": "garden"}],
        ),
        member("other", languages=["en"], strengths=[{"text": "budget", "topic": "budget"}]),
    ]
    resources = [resource("r-flood", "Floods", "Flood drills."), resource("r-budget", "Budget", "Budget tracking.")]
    write_jsonl(folder / "members.jsonl", members)
    write_jsonl(folder / "resources.jsonl", resources)
    write_jsonl(
        folder / "queries.jsonl",
        [
            {"id": "q1", "text": "inondations", "task": "resources"},
            {"id": "q2", "text": "floods", "task": "peers", "member_id": "asker"},
            {"id": "q3", "text": "budget", "task": "experts"},
        ],
    )
    (folder / "qrels.tsv").write_text("q1 0 r-flood 2\nq2 0 helper 2\nq3 0 other 2\n")
    return folder


def test_harness_runs_every_task_and_writes_trec(tmp_path: Path) -> None:
    dataset = load_dataset(_dataset(tmp_path))
    harness = Harness.open(dataset, tmp_path / "work", FakeEncoder())
    runs = harness.run(NAMED["hybrid"])
    def best(ranked: dict[str, float]) -> str:
        return max(ranked, key=lambda item: ranked[item])

    assert best(runs["resources"]["q1"]) == "r-flood"
    assert best(runs["peers"]["q2"]) == "helper"
    assert best(runs["experts"]["q3"]) == "other"
    assert accuracy(dataset.qrels, runs["peers"])["mrr"] == 1.0
    write_trec_run(tmp_path / "run.trec", runs["resources"], "hybrid")
    first = (tmp_path / "run.trec").read_text().splitlines()[0].split()
    assert first[:4] == ["q1", "Q0", "r-flood", "1"] and first[5] == "hybrid"


def test_dataset_errors_name_file_line_and_field(tmp_path: Path) -> None:
    folder = _dataset(tmp_path)
    (folder / "queries.jsonl").write_text('{"id": "q1", "text": "x", "task": "resources"}\n{"id": "q2", "text": "x", "task": "movies"}\n')
    with pytest.raises(DatasetError, match=r"queries.jsonl:2: field 'task'"):
        load_dataset(folder)
    (folder / "queries.jsonl").write_text('{"id": "q1", "text": "x", "task": "resources"}\n')
    (folder / "qrels.tsv").write_text("q1 0 r-flood 2\nq9 0 r-flood 1\n")
    with pytest.raises(DatasetError, match=r"qrels.tsv:2: query 'q9'"):
        load_dataset(folder)


def test_ndcg_and_mrr_match_hand_computed_values() -> None:
    import math

    qrels = {"q": {"a": 2, "b": 1}}
    run = {"q": {"x": 0.9, "a": 0.8, "b": 0.1}}
    # ranx's default nDCG takes the grade itself as the gain (Jarvelin and Kekalainen)
    dcg = 2 / math.log2(3) + 1 / math.log2(4)
    ideal = 2 / math.log2(2) + 1 / math.log2(3)
    scores = accuracy(qrels, run)
    assert scores["mrr"] == 0.5
    assert scores["ndcg@10"] == pytest.approx(round(dcg / ideal, 4), abs=1e-4)


def test_beyond_accuracy_metrics_by_hand() -> None:
    members = {
        "a": Member(
            id="a",
            name="A",
            kind="city",
            country="FR",
            region="Europe and North America",
            languages=["fr"],
            strengths=[{"text": "x", "topic": "t1"}],
        ),
        "b": Member(id="b", name="B", kind="city", country="SN", region="Africa", languages=["fr"], needs=[{"text": "y", "topic": "t1"}]),
        "c": Member(id="c", name="C", kind="city", country="PE", region="Latin America and the Caribbean", languages=["es"]),
    }
    runs = {"q1": {"b": 0.9, "c": 0.5}, "q2": {"b": 0.3}}
    assert coverage(runs, catalogue=4) == 0.5
    exposure = exposure_by_region(runs, members)
    assert exposure == {
        "Africa": pytest.approx(2 / 3, abs=1e-4),
        "Latin America and the Caribbean": pytest.approx(1 / 3, abs=1e-4),
        "Global South": pytest.approx(1.0, abs=1e-4),
    }
    assert reciprocity({"q1": {"b": 0.9, "c": 0.5}}, {"q1": "a"}, members) == 0.5
    assert json.dumps(exposure)  # plain data, for the JSON report
