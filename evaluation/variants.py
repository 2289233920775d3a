"""Scoring variants the harness compares: settings overrides plus the resource search mode."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.errors import PeermatchError


@dataclass(frozen=True)
class Variant:
    name: str
    settings: dict[str, Any] = field(default_factory=dict)
    mode: str = "hybrid"  # resource search: hybrid, dense or lexical


# lexical and dense reach every task: resource search (lexical_weight, the mode), and the evidence
# behind peers and experts (dense_evidence; the lexical gains of evidence and profiles). With only
# the search knobs, the experts task ran the same hybrid scorer under all three names.
LEXICAL_ONLY = {"dense_evidence": False, "lexical_weight": 1.0, "calibrate_languages": False, "graph_weight": 0.0}
DENSE_ONLY = {
    "evidence_lexical_gain": 0.0,
    "statement_lexical_gain": 0.0,
    "profile_lexical_gain": 0.0,
    "lexical_weight": 0.0,
    "graph_weight": 0.0,
}
NAMED: dict[str, Variant] = {
    "lexical": Variant("lexical", LEXICAL_ONLY, "lexical"),
    "dense": Variant("dense", DENSE_ONLY, "dense"),
    "hybrid": Variant("hybrid", {"graph_weight": 0.0}, "hybrid"),
    "hybrid-rrf": Variant("hybrid-rrf", {"fusion": "rrf", "graph_weight": 0.0}, "hybrid"),
    "hybrid-uncalibrated": Variant("hybrid-uncalibrated", {"calibrate_languages": False, "graph_weight": 0.0}, "hybrid"),
    "hybrid+graph": Variant("hybrid+graph", {"graph_weight": 0.3}, "hybrid"),
}
ABLATION = ("lexical", "dense", "hybrid", "hybrid+graph")
SWEEP = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)


def resolve(config: str) -> Variant:
    """A named variant, or a JSON file ``{"name": ..., "settings": {...}, "mode": ...}``."""
    if config in NAMED:
        return NAMED[config]
    path = Path(config)
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        return Variant(data.get("name", path.stem), data.get("settings", {}), data.get("mode", "hybrid"))
    raise PeermatchError(f"unknown scoring variant '{config}': use one of {', '.join(NAMED)} or a JSON file")


def sweep_variant(weight: float) -> Variant:
    return Variant(f"lexical_weight={weight}", {"lexical_weight": weight, "graph_weight": 0.0}, "hybrid")
