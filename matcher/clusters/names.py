"""Cluster names in every language of the taxonomy, and the cluster a typed name means.

Read straight from the taxonomy file (no embedding, no graph), so that record validation can use
it: a member imported with « Educación para la ciudadanía mundial » joins the cluster ``gced``,
not a new cluster of that name.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from matcher.text_folding import fold

DEFAULT_TAXONOMY = Path(__file__).resolve().parents[1] / "graph" / "taxonomy.json"
CLUSTER_PREFIX = "cluster-"  # a taxonomy topic "cluster-<code>" names a cluster


@lru_cache(maxsize=8)
def cluster_names(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Cluster code -> {language: name}, in the taxonomy's order (None: the shipped taxonomy)."""
    data = json.loads((path or DEFAULT_TAXONOMY).read_text(encoding="utf-8"))
    return {
        topic["id"].removeprefix(CLUSTER_PREFIX): dict(topic["label"])
        for topic in data.get("topics", [])
        if isinstance(topic, dict) and str(topic.get("id", "")).startswith(CLUSTER_PREFIX)
    }


@lru_cache(maxsize=8)
def _by_folded_name(path: Path | None) -> dict[str, str]:
    found: dict[str, str] = {}
    for code, labels in cluster_names(path).items():
        found[fold(code)] = code
        for label in labels.values():
            found[fold(" ".join(label.split()))] = code
    return found


def cluster_code(name: str, path: Path | None = None) -> str | None:
    """The code of the cluster ``name`` means (its code or its name in any language, whatever the
    case, accents or spacing), or None when no cluster has that name."""
    return _by_folded_name(path).get(fold(" ".join(name.split())))


def canonical_cluster(name: str) -> str:
    """A cluster as stored: the code when the shipped taxonomy knows the name, else the name as typed
    (a network with clusters of its own keeps them)."""
    return cluster_code(name) or name


def cluster_label(code: str, language: str, path: Path | None = None) -> str:
    """The name of cluster ``code`` in ``language`` (English when that one is missing; the code when unknown)."""
    labels = cluster_names(path).get(code)
    if labels is None:
        return code
    return labels.get(language) or labels["en"]
