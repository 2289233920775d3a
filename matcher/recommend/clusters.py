"""The thematic clusters of a learning network and the text that describes each one.

Read from the topic taxonomy (``matcher/graph/taxonomy.json`` or ``PEERMATCH_TAXONOMY_PATH``'s
file): a topic ``cluster-<id>`` names a cluster, and the topics whose ``cluster`` is that id are
its aspects. English labels serve every member (the encoder is multilingual).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from matcher.graph.taxonomy import Topic, load_taxonomy


@lru_cache(maxsize=8)
def _taxonomy(path: Path | None) -> dict[str, Topic]:
    """The taxonomy at ``path`` (None: the shipped one), read once per path."""
    return load_taxonomy(path)


def known_clusters(taxonomy_path: Path | None = None) -> dict[str, str]:
    """Cluster id -> English name, from the taxonomy at ``taxonomy_path`` (the setting; None: shipped)."""
    return {t.id.removeprefix("cluster-"): t.label["en"] for t in _taxonomy(taxonomy_path).values() if t.id.startswith("cluster-")}


def cluster_aspects(cluster: str, taxonomy_path: Path | None = None) -> list[str]:
    return [t.label["en"] for t in _taxonomy(taxonomy_path).values() if t.cluster == cluster and not t.id.startswith("cluster-")]


def cluster_theme(cluster: str, taxonomy_path: Path | None = None) -> str:
    """A sentence describing the cluster: its name and its aspects."""
    names = known_clusters(taxonomy_path)
    if cluster not in names:
        raise KeyError(cluster)
    return f"{names[cluster]}: " + "; ".join(cluster_aspects(cluster, taxonomy_path)) + "."
