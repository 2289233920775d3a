from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from matcher.search.fusion import reciprocal_rank_fusion, weighted_score_fusion
from matcher.search.resources import ResourceFilters
from matcher.settings import Settings
from matcher.workspace import Workspace
from tests.conftest import import_file, resource, write_jsonl
from tests.fakes import FakeEncoder


def test_reciprocal_rank_fusion_by_hand() -> None:
    fused = reciprocal_rank_fusion({"dense": ["a", "b"], "lexical": ["b", "c"]}, k=60)
    assert fused == pytest.approx({"b": 1 / 62 + 1 / 61, "a": 1 / 61, "c": 1 / 62})
    assert list(fused) == ["b", "a", "c"]


def test_weighted_fusion_scales_bm25_by_its_best_score() -> None:
    fused = weighted_score_fusion({"dense": {"a": 0.8, "b": 0.6}, "lexical": {"b": 10.0, "c": 5.0}}, {"dense": 0.9, "lexical": 0.1})
    assert fused == pytest.approx({"a": 0.72, "b": 0.54 + 0.1, "c": 0.05})


@pytest.fixture
def workspace(tmp_path: Path, settings: Settings, fake_encoder: FakeEncoder) -> Workspace:
    rows = [
        resource("en-teachers", "Digital skills for teachers", "Training teachers in digital tools.", published="2024-05-01"),
        resource(
            "es-teachers",
            "Docentes digitales",
            "Formar a los docentes en herramientas digitales.",
            language="es",
            kind="mooc",
            published="2021-01-01",
        ),
        resource("en-floods", "Flood preparedness", "Schools prepare for floods.", published="2023-01-01"),
        resource("fr-gardens", "Jardins partagés", "Des jardins en ville.", language="fr"),
    ]
    workspace = Workspace(settings, fake_encoder)
    import_file(workspace, write_jsonl(tmp_path / "resources.jsonl", rows), settings)
    return workspace


def test_a_french_query_finds_english_and_spanish_resources(workspace: Workspace) -> None:
    hits = workspace.snapshot().searcher.search("former les enseignants au numérique", k=4)
    assert {hit.id for hit in hits[:2]} == {"en-teachers", "es-teachers"}
    top = hits[0]
    assert top.snippet.passage.startswith(top.id + "#")
    assert top.explanation.dense_cosine == pytest.approx(1.0)


def test_filters_on_language_kind_and_date(workspace: Workspace) -> None:
    def ids(filters: ResourceFilters) -> list[str]:
        return [hit.id for hit in workspace.snapshot().searcher.search("teachers digital", k=10, filters=filters)]

    assert set(ids(ResourceFilters(languages=frozenset({"es"})))) == {"es-teachers"}
    assert set(ids(ResourceFilters(kinds=frozenset({"mooc"})))) == {"es-teachers"}
    assert "es-teachers" not in ids(ResourceFilters(published_after=dt.date(2022, 1, 1)))
    assert ids(ResourceFilters(languages=frozenset({"ar"}))) == []


def test_lexical_mode_sees_only_shared_words(workspace: Workspace) -> None:
    hits = workspace.snapshot().searcher.search("flood", k=5, mode="lexical")
    assert [hit.id for hit in hits] == ["en-floods"]
    assert hits[0].explanation.dense_rank is None and hits[0].explanation.lexical_rank == 1


def test_index_knows_when_it_is_stale(tmp_path: Path, workspace: Workspace) -> None:
    assert not workspace.index_is_stale()
    workspace.store.delete("resources", ["fr-gardens"])
    assert workspace.index_is_stale()


def test_language_mix_promotes_the_best_hit_of_each_missing_language() -> None:
    from matcher.search.resources import ResourceHit, SearchScoreParts, Snippet, mix_languages

    def hit(rank: int, language: str) -> ResourceHit:
        return ResourceHit(
            id=f"r{rank}",
            title="t",
            kind="publication",
            language=language,
            url=None,
            published=None,
            score=1.0 / rank,
            snippet=Snippet(passage=f"r{rank}#title:0", field="title", text="t"),
            explanation=SearchScoreParts(fused=1.0 / rank, fusion="weighted"),
        )

    ranked = [hit(1, "fr"), hit(2, "fr"), hit(3, "fr"), hit(4, "fr"), hit(5, "en"), hit(6, "es"), hit(7, "en"), hit(8, "pt"), hit(13, "ar")]
    mixed = mix_languages(ranked, 4)
    assert [h.id for h in mixed] == ["r1", "r2", "r3", "r5"]
    assert [h.explanation.language_slot for h in mixed] == [False, False, False, True]
    assert [h.id for h in mix_languages(ranked, 8)] == ["r1", "r2", "r3", "r4", "r5", "r6", "r7", "r13"]
    assert [h.id for h in mix_languages(ranked[:3], 4)] == ["r1", "r2", "r3"]


def test_small_languages_borrow_the_cohort_of_large_ones() -> None:
    import numpy as np

    from matcher.scoring.calibration import USEM3_SCALE
    from matcher.search.retrieval import MIN_CALIBRATION_ROWS, _cohort_statistics

    query = np.asarray([1.0, 0.0], dtype=np.float32)
    french = np.stack([np.linspace(0.9, 0.4, 100), np.zeros(100)]).astype(np.float32)  # (d, m): cosines 0.9 .. 0.4
    english = np.stack([np.linspace(0.7, 0.2, 100), np.zeros(100)]).astype(np.float32)
    portuguese = np.stack([np.full(MIN_CALIBRATION_ROWS - 1, 0.8), np.zeros(MIN_CALIBRATION_ROWS - 1)]).astype(np.float32)
    stats, unrelated = _cohort_statistics(query, {"fr": french, "en": english, "pt": portuguese}, USEM3_SCALE)
    spread = float(np.concatenate([french[0], english[0], portuguese[0]]).std())  # one spread: the whole pool's
    assert stats["fr"] == pytest.approx((0.65, spread), abs=1e-5)
    assert stats["en"] == pytest.approx((0.45, spread), abs=1e-5)
    assert stats["pt"] == pytest.approx(((0.65 + 0.45) / 2, spread), abs=1e-5)  # too small: the mean of the large ones
    # The match spread: each cosine around its own language's mean, the median absolute deviation as a spread.
    residuals = np.concatenate([french[0] - 0.65, english[0] - 0.45, portuguese[0] - 0.55])
    mad = 1.4826 * float(np.median(np.abs(residuals - np.median(residuals))))
    assert unrelated == pytest.approx(max(mad, USEM3_SCALE.spread_floor), abs=1e-5)
