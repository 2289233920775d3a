"""The thematic clusters of a learning network and the text that describes each one.

The GNLC strategy names the clusters; their aspects are the demo catalogue's topics, in English
(the encoder is multilingual, so one language serves every member).
"""

from __future__ import annotations

from matcher.demo.topics import CLUSTERS, TOPICS


def cluster_aspects(cluster: str) -> list[str]:
    return [topic.en.label for topic in TOPICS if topic.cluster == cluster]


def cluster_theme(cluster: str) -> str:
    """A sentence describing the cluster: its name and its aspects."""
    if cluster not in CLUSTERS:
        raise KeyError(cluster)
    return f"{CLUSTERS[cluster]}: " + "; ".join(cluster_aspects(cluster)) + "."


def known_clusters() -> dict[str, str]:
    return dict(CLUSTERS)
