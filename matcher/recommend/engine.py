"""The Python API of the recommendations: one Recommender per index generation.

recommender = workspace.snapshot().recommender
recommender.peers("city-dakar-sn", PeerOptions(k=5, reciprocal=True))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cached_property

import numpy as np

from embeddings.embedder import TextEncoder
from matcher.errors import UnknownIdError
from matcher.graph.build import ExpertiseGraph
from matcher.graph.capacity import CapacityMap, capacity_map
from matcher.graph.signals import GraphSignals
from matcher.index.indexes import Indexes
from matcher.recommend.affinity import AffinityMatrix, affinity_matrix
from matcher.recommend.experts import ExpertFinder, ExpertGroup, ExpertOptions
from matcher.recommend.helps import HelpMatch, HelpOptions, whom_can_help
from matcher.recommend.member_resources import MemberResourceHit, MemberResourceOptions, resources_for_member
from matcher.recommend.peer_weights import load_weights
from matcher.recommend.peers import PeerMatch, PeerOptions, PeerRanking, PeerRecommender
from matcher.recommend.representatives import RepresentativeFit, representative_fit
from matcher.recommend.stored_vectors import StoredVectors
from matcher.records import Member, Resource
from matcher.scoring.evidence import EvidenceWeights, NeedEvidence
from matcher.scoring.similarity import PassageMatrix
from matcher.settings import Settings

# The EvidenceWeights fields a setting chooses, and the setting that does (where the names
# differ, the setting's name is the one users know). The defaults are the settings'; a test
# checks that EvidenceWeights() equals evidence_weights(Settings()), so the two cannot drift.
EVIDENCE_SETTINGS = {
    "passage_lexical_gain": "evidence_lexical_gain",
    "statement_lexical_gain": "statement_lexical_gain",
    "profile_lexical_gain": "profile_lexical_gain",
    "corroboration_threshold": "corroboration_threshold",
    "corroboration_cap": "corroboration_cap",
    "centroid_gain": "centroid_gain",
    "document_breadth": "document_breadth",
    "volume_next_boundary": "volume_next_boundary",
    "dense": "dense_evidence",
    "calibrate": "calibrate_languages",
    "lexical_across_languages": "lexical_across_languages",
}


def evidence_weights(settings: Settings) -> EvidenceWeights:
    """How evidence pools under ``settings``; the fields no setting chooses keep EvidenceWeights' own."""
    return EvidenceWeights(**{field: getattr(settings, name) for field, name in EVIDENCE_SETTINGS.items()})


class Recommender:
    def __init__(
        self,
        indexes: Indexes,
        members: list[Member],
        resources: list[Resource],
        encoder: TextEncoder,
        settings: Settings,
        graph: ExpertiseGraph | None = None,
        *,
        members_by_id: Mapping[str, Member] | None = None,
        resources_by_id: Mapping[str, Resource] | None = None,
        earlier_signals: Callable[[], GraphSignals | None] = lambda: None,
    ) -> None:
        """``members_by_id``, ``resources_by_id``: the snapshot's id maps of the same records
        (built here when the caller has none). ``earlier_signals``: the last snapshot's graph
        signals, if still held (``GraphSignals``: taken over when the graph's help view is the same)."""
        self.graph = graph
        self._earlier_signals = earlier_signals
        self.indexes = indexes
        self.members = members
        self.resources = resources
        self.members_by_id = members_by_id if members_by_id is not None else {m.id: m for m in members}
        self.resources_by_id = resources_by_id if resources_by_id is not None else {r.id: r for r in resources}
        self.encoder = encoder
        self.settings = settings

    @cached_property
    def signals(self) -> GraphSignals | None:
        """Graph views for this state of the graph (None when the recommender has no graph)."""
        if self.graph is None:
            return None
        signals = GraphSignals(self.graph, self._earlier_signals())
        self._earlier_signals = lambda: None  # not kept: the last snapshot is freed with its graph
        return signals

    @property
    def member_matrix(self) -> PassageMatrix:
        return PassageMatrix.of(self.indexes["members"])

    @property
    def resource_matrix(self) -> PassageMatrix:
        return PassageMatrix.of(self.indexes["resources"])  # shared with the snapshot before a write of members only

    @cached_property
    def evidence(self) -> NeedEvidence:
        weights = evidence_weights(self.settings)
        return NeedEvidence(self.members, self.resources, self.member_matrix, self.resource_matrix, weights)

    @cached_property
    def stored_vectors(self) -> StoredVectors:
        """Stored members' need and profile vectors, read from the member matrix."""
        return StoredVectors(self.member_matrix, self.encoder)

    @cached_property
    def peer_recommender(self) -> PeerRecommender:
        """Built once for this state of the data, not per request."""
        learned = load_weights(self.settings.data_dir, self.encoder.model_id)
        return PeerRecommender(
            self.members, self.evidence, self.encoder, self.signals, learned, by_id=self.members_by_id, stored=self.stored_vectors
        )

    @cached_property
    def expert_finder(self) -> ExpertFinder:
        return ExpertFinder(self.members, self.evidence, self.encoder, by_id=self.members_by_id)

    def member(self, member_id: str) -> Member:
        try:
            return self.members_by_id[member_id]
        except KeyError:
            raise UnknownIdError("member", member_id) from None

    def rank_peers(self, member: str | Member, options: PeerOptions | None = None) -> PeerRanking:
        """Peer partners for a stored member (by id) or an unsaved profile: ids, scores and parts,
        best first, not yet explained (``explain_peers``)."""
        target = self.member(member) if isinstance(member, str) else member
        options = options or PeerOptions()
        if options.graph_weight is None:  # the settings' default, for the CLI, the API and the evaluation alike
            options = options.model_copy(update={"graph_weight": self.settings.graph_weight})
        return self.peer_recommender.rank(target, options)

    def explain_peers(self, ranking: PeerRanking) -> list[PeerMatch]:
        """The results of ``ranking``, each with the evidence behind its score."""
        return self.peer_recommender.explain(ranking)

    def peers(self, member: str | Member, options: PeerOptions | None = None) -> list[PeerMatch]:
        """``rank_peers``, then ``explain_peers``."""
        return self.explain_peers(self.rank_peers(member, options))

    def helps(self, member_id: str, options: HelpOptions | None = None) -> list[HelpMatch]:
        """Whom a stored member can help: its evidence against every other member's needs."""
        return whom_can_help(self.evidence, self.members_by_id, self.member(member_id), options or HelpOptions())

    def experts(
        self, theme: str, options: ExpertOptions | None = None, wordings: Mapping[str, Sequence[str]] | None = None
    ) -> ExpertGroup:
        """An expert group for a theme, covering its aspects (``ExpertFinder.group``)."""
        return self.expert_finder.group(theme, options, wordings)

    def representative_fit(self, member: str | Member, cluster: str) -> RepresentativeFit:
        target = self.member(member) if isinstance(member, str) else member
        return representative_fit(target, cluster, self.evidence, self.encoder, self.settings.taxonomy_path)

    def resources_for(self, member: str | Member, options: MemberResourceOptions | None = None) -> list[MemberResourceHit]:
        target = self.member(member) if isinstance(member, str) else member
        return resources_for_member(target, self.resources_by_id, self.evidence, self.encoder, options)

    def capacity(self, members: list[Member] | None = None) -> CapacityMap:
        """The capacity map of ``members`` (default: the whole network), its unmet needs including
        those no member's text evidence meets (evidence from the whole network)."""
        if self.graph is None:
            raise ValueError("the capacity map needs the expertise graph (the recommender was built without one)")
        return capacity_map(self.graph, self.members if members is None else members, need_evidence=self.need_evidence)

    @cached_property
    def need_evidence(self) -> dict[str, tuple[float, str | None]]:
        """Each need ("<member id>#need:<i>") -> the best match score any other member's evidence
        reaches (what a peer's label comes from: dense evidence alone, so that 'unmet' and the
        peers' 'weak' agree), and who."""
        matrix = self.affinity()
        need_evidence: dict[str, tuple[float, str | None]] = {}
        for row, need_id in enumerate(matrix.need_ids):
            if matrix.matches.shape[1] == 0:
                need_evidence[need_id] = (0.0, None)
                continue
            best = int(np.argmax(matrix.matches[row]))
            need_evidence[need_id] = (float(matrix.matches[row, best]), matrix.member_ids[best])
        return need_evidence

    def affinity(self, needy: list[str] | None = None, members: list[str] | None = None) -> AffinityMatrix:
        """Needs of ``needy`` members (default: all) against ``members`` (default: all)."""
        chosen = [self.member(m) for m in needy] if needy else self.members
        for member_id in members or []:
            self.member(member_id)
        return affinity_matrix(chosen, self.evidence, self.encoder, members)
