"""The thematic clusters of a learning network and the text that describes each one.

Read from the topic taxonomy (``matcher/graph/taxonomy.json`` or ``PEERMATCH_TAXONOMY_PATH``'s
file): a topic ``cluster-<id>`` names a cluster, and the topics whose ``cluster`` is that id are
its aspects. English labels serve every member (the encoder is multilingual).
"""

from __future__ import annotations

from functools import lru_cache

from matcher.graph.taxonomy import Topic, load_taxonomy


@lru_cache(maxsize=1)
def _taxonomy() -> dict[str, Topic]:
    return load_taxonomy()


def known_clusters() -> dict[str, str]:
    """Cluster id -> English name."""
    return {t.id.removeprefix("cluster-"): t.label["en"] for t in _taxonomy().values() if t.id.startswith("cluster-")}


def cluster_aspects(cluster: str) -> list[str]:
    return [t.label["en"] for t in _taxonomy().values() if t.cluster == cluster and not t.id.startswith("cluster-")]


def cluster_theme(cluster: str) -> str:
    """A sentence describing the cluster: its name and its aspects."""
    names = known_clusters()
    if cluster not in names:
        raise KeyError(cluster)
    return f"{names[cluster]}: " + "; ".join(cluster_aspects(cluster)) + "."
