"""What a peer request compares about every candidate, gathered once per snapshot.

Each request asked each candidate's record the same questions in a Python loop (which languages
it works in, its region, its networks, its clusters): about 0.2 ms of a 5 ms peer answer on the
demo, growing with the network. Here each answer is a boolean column over the candidates, made
when the snapshot's recommender is built, so a request combines a few columns instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from matcher.records import Member

Masks = Mapping[str, np.ndarray]


def _masks(values_of: Sequence[Iterable[str]]) -> dict[str, np.ndarray]:
    """For each value, which candidates have it (``values_of[j]``: candidate j's values)."""
    rows_of: dict[str, list[int]] = {}
    for row, values in enumerate(values_of):
        for value in values:
            rows_of.setdefault(value, []).append(row)
    masks = {value: np.zeros(len(values_of), dtype=bool) for value in rows_of}
    for value, rows in rows_of.items():
        masks[value][rows] = True
    return masks


class CandidateFacts:
    """The candidates' languages, places, kinds, networks and clusters as boolean columns (rows:
    ``NeedEvidence.candidates``, in that order)."""

    def __init__(self, candidates: list[Member]) -> None:
        self.size = len(candidates)
        self.row_of = {member.id: row for row, member in enumerate(candidates)}
        self.kinds = np.asarray([member.kind for member in candidates])
        self.countries = [member.country for member in candidates]
        self.speaking = _masks([member.languages for member in candidates])
        self.in_region = _masks([[member.region] for member in candidates])
        self.in_country = _masks([[member.country] for member in candidates])
        self.of_kind = _masks([[member.kind] for member in candidates])
        self.in_network = _masks([member.networks for member in candidates])
        clusters = [{membership.cluster for membership in member.clusters} for member in candidates]
        self.in_cluster = _masks(clusters)
        self.cluster_count = np.asarray([len(mine) for mine in clusters], dtype=np.int64)

    def having_any(self, masks: Masks, values: Iterable[str]) -> np.ndarray:
        """Which candidates have at least one of ``values``."""
        found = np.zeros(self.size, dtype=bool)
        for value in set(values):
            mask = masks.get(value)
            if mask is not None:
                found |= mask
        return found

    def rows(self, ids: Iterable[str]) -> np.ndarray:
        """Which candidates are among ``ids`` (ids of no candidate are ignored)."""
        chosen = np.zeros(self.size, dtype=bool)
        chosen[[self.row_of[i] for i in set(ids) if i in self.row_of]] = True
        return chosen

    def cluster_overlap(self, clusters: set[str]) -> np.ndarray:
        """Each candidate's Jaccard index of its clusters with ``clusters`` (0 when both have none)."""
        shared = np.zeros(self.size, dtype=np.int64)
        for cluster in clusters:
            mask = self.in_cluster.get(cluster)
            if mask is not None:
                shared += mask
        union = len(clusters) + self.cluster_count - shared
        # integer counts divided in float64, as len(a & b) / len(a | b) is: the same numbers
        return np.divide(shared, union, out=np.zeros(self.size, dtype=np.float64), where=union > 0)
