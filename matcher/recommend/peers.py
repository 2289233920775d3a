"""Peer partners for a member: who can help with its needs, who faces the same challenges, or both.

Scores, per candidate:
- gives: how well the candidate's evidence meets the member's needs (priority-weighted mean);
- context: the same challenges (need against need), a similar profile, the same kind, shared clusters;
- receives (reciprocal mode): how well the member's evidence meets the candidate's needs;
- mutual: the harmonic mean of gives and receives, high only when both sides benefit;
- graph: a bounded, evidence-gated bonus from personalised PageRank (see ``graph_bonus``).

In complementary mode the score is gives + the graph bonus, unless weights learned from feedback
are in the data directory (``matcher.recommend.peer_weights``): then it is their combination of
gives, context and the graph share. For a member with several needs, each need's best answer (at
least partial) is moved to the front (``each_need_answered_first``), flagged when it stands above
higher scores.

Gives and receives are on the calibrated 0-1 scale (``matcher.scoring.calibration``); each
result carries its match quality. With ``only_evidence`` (the default), candidates whose gives
is weak are left out; when nobody reaches a partial match, the closest few come back flagged
'no evidence', so that the answer says nobody in the network states the need.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from embeddings.embedder import TextEncoder, encode_in_roles
from embeddings.languages import languages_read
from matcher.graph.signals import GraphSignals
from matcher.passages import role_of_field
from matcher.recommend.candidate_facts import CandidateFacts
from matcher.recommend.peer_weights import PartWeights
from matcher.recommend.stored_vectors import StoredVectors
from matcher.records import DEFAULT_PRIORITY, Member
from matcher.scoring.calibration import LABEL_ORDER, PARTIAL, MatchQuality, affinity, match_quality, match_score, shown
from matcher.scoring.evidence import NeedEvidence, NeedScores, level_factor, pool_evidence, scale_positive
from matcher.scoring.similarity import OwnerGroups, Prepared, best_by_owner
from matcher.text_language import unread as unread_languages

PeerMode = Literal["complementary", "similar", "blend"]
CONTEXT_WEIGHTS = {"needs": 0.5, "profile": 0.25, "kind": 0.15, "clusters": 0.1}
CLOSEST = 3  # weak matches returned, flagged, when no candidate has evidence
NO_EVIDENCE = "no evidence: nobody in the network states this; closest match"
NO_SHARED = "no shared challenge: no member states these needs as its own; closest match"
UNREAD = "language not read by the model ({languages}): the scores of this need are not meaningful"
RANKED_ABOVE = "ranked above a higher label: more evidence in all (wording shared with the need, several passages), a weaker best passage"
RANKED_ABOVE_SIMILAR = "ranked above a higher label: more in common in all (needs, profile, kind, clusters), a less close single need"
NEED_FIRST = "the best answer to another of your needs: placed above higher scores so that each need's best answer is near the top"
SCORE_DIGITS = 4  # digits of a score as shown, cached and evaluated (one rounding, so all three agree)
# Reciprocal mode scores the reverse direction only for the forward ranking's head: a candidate
# far down the forward ranking cannot reach the top k by harmonic mean, since the mean is at
# most twice the smaller side. Five times k, and at least 50, leaves room for the reverse
# direction to reorder the head without scoring every member's needs for each request.
RECIPROCAL_DEPTH = 5
RECIPROCAL_FLOOR = 50


class PeerOptions(BaseModel):
    k: int = Field(10, ge=1, le=500)
    mode: PeerMode = "complementary"
    blend: float = Field(0.5, ge=0.0, le=1.0, description="Share of 'gives' in blend mode; the rest is context.")
    reciprocal: bool = False
    require_common_language: bool = True
    include_partners: bool = False
    cross_region: bool = False
    regions: list[str] | None = None
    countries: list[str] | None = None
    kinds: list[str] | None = None
    networks: list[str] | None = None
    clusters: list[str] | None = None
    max_per_country: int | None = Field(2, ge=1, description="At most this many results from one country.")
    graph_weight: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description=(
            "Largest bonus (0-1 scale) the graph signal can add to a candidate with evidence; 0: off; none: PEERMATCH_GRAPH_WEIGHT."
        ),
    )
    only_evidence: bool = Field(True, description="Leave out candidates whose evidence for the needs is weak.")
    exclude: list[str] | None = Field(
        None, max_length=10_000, description="Member ids to leave out (the service and the CLI put declined partners here)."
    )


class PeerScoreParts(BaseModel):
    gives: float = Field(description="0-1: the candidate's evidence for the member's needs (who can help me).")
    context: float = Field(description="0-1: the same needs, a similar profile, the same kind, shared clusters (peers like me).")
    graph: float | None = Field(default=None, description="The candidate's personalised PageRank from the needs' topics; None when off.")
    receives: float | None = Field(default=None, description="0-1, with reciprocal: the member's evidence for the candidate's needs.")
    mutual: float | None = Field(default=None, description="0-1, with reciprocal: the harmonic mean of gives and receives.")


class MatchedEvidence(BaseModel):
    kind: str
    passage: str
    text: str
    cosine: float
    score: float
    resource_id: str | None = None


class NeedMet(BaseModel):
    need: str
    priority: int | None
    score: float
    evidence: list[MatchedEvidence]


class PeerMatch(BaseModel):
    id: str
    name: str
    kind: str
    country: str
    region: str
    score: float = Field(description="What the list is ranked by (every piece of evidence, and the graph or context the mode adds).")
    match_score: float = Field(
        description="0-1, what match_quality comes from: the best stated strength or authored document for the needs,"
        " the same in every language; in mode 'similar', the candidate's need closest to one of the member's"
        " (the same challenge)."
    )
    match_quality: MatchQuality
    parts: PeerScoreParts
    needs_met: list[NeedMet]
    offers_back: list[NeedMet] = []
    shared_languages: list[str]
    shared_clusters: list[str]
    introductions: list[str] = []
    flags: list[str]


@dataclass(frozen=True)
class Parts:
    """Every candidate's parts of the score for one member (rows: ``NeedEvidence.candidates``)."""

    needs: list[str]
    priorities: list[int]
    vectors: np.ndarray
    prepared: Any
    scores: NeedScores
    gives: np.ndarray
    context: np.ndarray
    graph: np.ndarray | None  # personalised PageRank; None when the graph is off
    matches: np.ndarray  # the match score (``NeedScores.match``) of the need each candidate answers best
    shares: np.ndarray  # the match score of the candidate's need closest to one of the member's (mode 'similar')
    unread: list[str | None]  # per need: its language when the encoder does not read it, else None

    def labelled_by(self, mode: PeerMode) -> np.ndarray:
        """What each candidate's label comes from: in mode 'similar', how closely it states one
        of the member's needs as its own (the same challenge); else how well it answers one."""
        return self.shares if mode == "similar" else self.matches

    @property
    def graph_share(self) -> np.ndarray:
        """The graph part on a 0-1 scale, gated by the match evidence (``graph_bonus`` with weight 1)."""
        return np.zeros_like(self.gives) if self.graph is None else graph_bonus(self.graph, self.matches, 1.0)


@dataclass(frozen=True)
class PeerRanking:
    """A ranking for one member, best first, as ``implicit``'s ``recommend`` gives it: ids and
    scores (rounded to ``SCORE_DIGITS``, as shown) with their parts; ``rows``, ``gives`` and
    ``evidence`` are what ``PeerRecommender.explain`` needs to explain the results shown."""

    member: Member
    rows: list[int]  # candidate codes (``NeedEvidence.candidates``)
    ids: list[str]
    scores: list[float]
    parts: list[PeerScoreParts]
    gives: list[float]  # unrounded
    matches: list[float]  # unrounded: the match quality is judged on it
    no_evidence: bool  # nobody reached a partial match: these are the closest, flagged
    evidence: Parts
    mode: PeerMode = "complementary"  # what the label says: answers a need, or shares it ('similar')

    def scored(self) -> dict[str, float]:
        """``{id: score}``, the TREC/ranx run of this ranking."""
        return dict(zip(self.ids, self.scores, strict=True))

    def page(self, offset: int, k: int) -> PeerRanking:
        """The ``k`` results after the first ``offset``, to explain only those shown."""
        cut = slice(offset, offset + k)
        return replace(
            self,
            rows=self.rows[cut],
            ids=self.ids[cut],
            scores=self.scores[cut],
            parts=self.parts[cut],
            gives=self.gives[cut],
            matches=self.matches[cut],
        )


class PeerRecommender:
    def __init__(
        self,
        members: list[Member],
        evidence: NeedEvidence,
        encoder: TextEncoder,
        signals: GraphSignals | None = None,
        learned: PartWeights | None = None,
        *,
        by_id: Mapping[str, Member] | None = None,
        stored: StoredVectors | None = None,
    ) -> None:
        """``learned``: weights of the parts learned from feedback (``peer_weights``), used in
        complementary mode; None: the defaults. ``by_id``: the snapshot's id -> member map of
        ``members`` (built here when there is none); ``stored``: stored members' vectors (from
        ``evidence``'s member matrix when there is none)."""
        self.signals = signals
        self.stored = stored if stored is not None else StoredVectors(evidence.member_matrix, encoder)
        self.learned = learned
        self.members = members
        self.by_id = by_id if by_id is not None else {m.id: m for m in members}
        self.evidence = evidence
        self.encoder = encoder
        # Facts about each candidate that every request compares against, gathered once.
        self.facts = CandidateFacts([self.by_id[c] for c in evidence.candidates])

    def parts(self, member: Member, options: PeerOptions) -> Parts:
        """The parts of every candidate's score for ``member`` (also what feedback is learned from)."""
        ev = self.evidence
        needs, priorities = _needs_of(member)
        fields = [f"need:{i}" for i in range(len(member.needs))] if member.needs else ["profile"]
        vectors = self._vectors(member, needs, fields)
        unread = [next(iter(self._unread(member, [need])), None) for need in needs]
        prepared = ev.prepare(needs, vectors, np.asarray([code is not None for code in unread], dtype=bool))
        scores = ev.score(needs, vectors, prepared)
        weights = np.asarray(priorities, dtype=np.float32)
        gives = (weights @ scores.total) / weights.sum()
        # the label says whether the candidate answers a need: its best need, not the mean over all
        matches = scores.match.max(axis=0)
        context, shares = self._context(member, prepared[0], self._profile_prepared(member, prepared[0], unread))
        graph = self._graph_scores(member, options)
        return Parts(needs, priorities, vectors, prepared, scores, gives, context, graph, matches, shares, unread)

    def weights_for(self, options: PeerOptions) -> PartWeights | None:
        """The weights of the parts in this mode: learned ones in complementary mode when there
        are some; None: the mode's own combination (blend, similar) or the defaults."""
        return self.learned if options.mode == "complementary" else None

    def rank(self, member: Member, options: PeerOptions | None = None) -> PeerRanking:
        """The top ``options.k`` candidates for ``member``, best first: ids, scores and parts,
        no explanation (``explain`` builds it for the results shown). Every exclusion, the
        caller's ``options.exclude`` included, is applied before the per-country cap."""
        options = options or PeerOptions()
        ev = self.evidence
        parts = self.parts(member, options)
        gives, context, graph = parts.gives, parts.context, parts.graph

        learned = self.weights_for(options)
        if learned is not None:
            base = learned.combine(gives, context, parts.graph_share)
        else:
            base = self._base(gives, context, options)
            if graph is not None:
                base = base + graph_bonus(graph, parts.labelled_by(options.mode), options.graph_weight or 0.0)
        # Candidate columns, best first, filtered as arrays: a loop over every candidate in
        # Python grows with the network, and the head of the order is all a request reads.
        ranked = np.argsort(-base, kind="stable")
        ranked = ranked[self._eligible(member, options)[ranked]]
        no_evidence = False
        labelled = parts.labelled_by(options.mode)
        if options.only_evidence:
            with_evidence = ranked[labelled[ranked] >= PARTIAL]
            no_evidence = not len(with_evidence)
            ranked = with_evidence if len(with_evidence) else ranked[:CLOSEST]
        order: list[int] = ranked.tolist()

        receives: dict[int, float] = {}
        final = dict(zip(order, base[ranked].tolist(), strict=True))
        if options.reciprocal:
            pool = order[: reciprocal_pool(options.k)]
            receives = self._receives(member, pool)
            # The forward direction is the score the options asked for (mode, blend, graph), so
            # --reciprocal changes how candidates are ranked, not which options count.
            final = {j: _harmonic(float(base[j]), receives[j]) for j in pool}
            order = sorted(pool, key=lambda j: (-final[j], ev.candidates[j]))
        if options.mode != "similar" and len(parts.needs) > 1:
            order = each_need_answered_first(order, parts.scores.match)
        chosen = _cap_per_country(order, self.facts.countries, options)
        return PeerRanking(
            member=member,
            rows=chosen,
            ids=[ev.candidates[j] for j in chosen],
            scores=[round(final[j], SCORE_DIGITS) for j in chosen],
            parts=[
                _score_parts(float(gives[j]), float(context[j]), receives.get(j), None if graph is None else float(graph[j]))
                for j in chosen
            ],
            gives=[float(gives[j]) for j in chosen],
            matches=[float(labelled[j]) for j in chosen],
            no_evidence=no_evidence,
            evidence=parts,
            mode=options.mode,
        )

    def explain(self, ranking: PeerRanking) -> list[PeerMatch]:
        """The explained results of ``ranking``: for each, the evidence that meets each need."""
        results = [self._explain(ranking, at) for at in range(len(ranking.rows))]
        _flag_need_leaders(results)
        _flag_inversions(results, ranking.mode)
        unread = list(dict.fromkeys(code for code in ranking.evidence.unread if code is not None))
        for result in results:
            if ranking.no_evidence:
                result.flags.append(NO_SHARED if ranking.mode == "similar" else NO_EVIDENCE)
            if unread:
                result.flags.append(UNREAD.format(languages=", ".join(unread)))
        return results

    def _unread(self, member: Member, needs: list[str]) -> list[str]:
        """The languages of ``needs`` that the encoder was not trained on (none for a model directory)."""
        return unread_languages(needs, member.languages, languages_read(self.encoder.model_id))

    def recommend(self, member: Member, options: PeerOptions | None = None) -> list[PeerMatch]:
        """``rank``, then ``explain`` every result."""
        return self.explain(self.rank(member, options))

    # ---- parts of the score ------------------------------------------------------------------

    @staticmethod
    def _base(gives: np.ndarray | float, context: np.ndarray | float, options: PeerOptions) -> Any:
        if options.mode == "complementary":
            return gives
        if options.mode == "similar":
            return context
        return options.blend * gives + (1 - options.blend) * context

    def _graph_scores(self, member: Member, options: PeerOptions) -> np.ndarray | None:
        """Personalised PageRank from the member's need topics (tagged, else assigned), per candidate."""
        if self.signals is None or not options.graph_weight:
            return None
        topics: dict[str, float] = {}
        assigner = self.signals.expertise.assigner
        untagged = [n for n in member.needs if not n.topic]
        unsaved = not self._stored(member)
        assigned = assigner.assign([n.text for n in untagged], query=unsaved, role="query") if assigner and untagged else []
        for need in member.needs:
            if need.topic:
                topics[need.topic] = topics.get(need.topic, 0.0) + need.weight
        for need, found in zip(untagged, assigned, strict=True):
            for topic, _ in found:
                topics[topic] = topics.get(topic, 0.0) + need.weight
        ranks = self.signals.pagerank_from_needs(topics)
        return np.asarray([ranks.get(c, 0.0) for c in self.evidence.candidates], dtype=np.float32)

    def _stored(self, member: Member) -> bool:
        return self.by_id.get(member.id) == member

    def _vectors(self, member: Member, texts: list[str], fields: list[str]) -> np.ndarray:
        """A stored member's texts are rows of the snapshot's matrix (``StoredVectors``); an
        unsaved profile's came with a request, and are embedded as queries (never written to disk)."""
        if self._stored(member):
            return self.stored.vectors(member.id, texts, fields)
        return encode_in_roles(self.encoder, texts, [role_of_field(field) for field in fields], request=True)

    def _profile_prepared(self, member: Member, needs_prepared: Prepared, unread: list[str | None]) -> Prepared:
        """The member's profile text prepared against the member pool, for the profile part of its
        context. A member without needs is ranked on that very text: when the encoder reads it
        (so its lexical gain is the usual one), ``needs_prepared`` is the same preparation, done."""
        if not member.needs and unread == [None]:
            return needs_prepared
        text = stand_in(member)
        return self.evidence.member_similarity.prepare([text], self._vectors(member, [text], ["profile"]))

    def _context(self, member: Member, prepared: Prepared, prepared_profile: Prepared) -> tuple[np.ndarray, np.ndarray]:
        """Each candidate's context ("peers like me", 0-1: the same needs, a similar profile, the
        same kind, shared clusters), and the match score of its need closest to one of the
        member's (0-1, dense evidence alone like every label: what mode 'similar' is labelled by).
        ``prepared``: the member's needs, ``prepared_profile``: its profile text (``_profile_prepared``)."""
        ev = self.evidence
        n = len(ev.candidates)
        _, dense, lexical = ev.member_similarity.parts(prepared, ev.need_set)
        same = best_by_owner(dense if lexical is None else dense + lexical, ev.need_groups, n)
        # Evidence levels (z units, unbounded) mapped to 0-1 like a candidate's 'gives', so that
        # the context is on the scale its weights and the blend mode assume.
        same_needs = np.where(np.isfinite(same), affinity(same), 0.0).mean(axis=0) if member.needs else np.zeros(n)
        shared = best_by_owner(dense * prepared.match_gain[:, None], ev.need_groups, n)
        shares = match_score(shared.max(axis=0)) if member.needs else np.zeros(n, dtype=np.float32)
        _, profile_scores = ev.member_similarity.rows(prepared_profile, ev.profile_set)
        profile = best_by_owner(profile_scores, ev.profile_groups, n)
        profile = np.where(np.isfinite(profile[0]), affinity(profile[0]), 0.0)
        kind = (self.facts.kinds == member.kind).astype(np.float64)
        clusters = self.facts.cluster_overlap({c.cluster for c in member.clusters})
        w = CONTEXT_WEIGHTS
        return w["needs"] * same_needs + w["profile"] * profile + w["kind"] * kind + w["clusters"] * clusters, shares

    def _receives(self, member: Member, pool: list[int]) -> dict[int, float]:
        """For each candidate in ``pool``: how well ``member``'s evidence meets that candidate's needs."""
        ev = self.evidence
        rows_of: dict[int, list[int]] = {}
        in_pool = set(pool)
        for row, code in zip(ev.need_rows.tolist(), ev.need_codes.tolist(), strict=True):
            if code in in_pool:
                rows_of.setdefault(code, []).append(row)
        all_rows = [row for rows in rows_of.values() for row in rows]
        if not all_rows:
            return {j: 0.0 for j in pool}
        matrix = ev.member_matrix
        texts = [matrix.passages[r].text for r in all_rows]
        vectors = matrix.vectors[all_rows]
        if member.id in ev.code_of:
            column = ev.score(texts, vectors).total[:, ev.code_of[member.id]]
        else:
            column = self._score_unsaved(member, texts, vectors)
        by_row = dict(zip(all_rows, column.tolist(), strict=True))
        out = {}
        for j in pool:
            rows = rows_of.get(j, [])
            priorities = [_priority(self.by_id[ev.candidates[j]], matrix.fields[r]) for r in rows]
            out[j] = float(np.average([by_row[r] for r in rows], weights=priorities)) if rows else 0.0
        return out

    def _score_unsaved(self, member: Member, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """Need scores against a member that is not in the store: its texts are embedded on the fly."""
        ev = self.evidence
        strengths = [s.text for s in member.strengths]
        profile = [member.profile] if member.profile else []
        prepared, _ = ev.prepare(texts, vectors)
        language = member.languages[0]
        total = np.zeros(len(texts), dtype=np.float32)
        levels = []
        if strengths:
            strength_vectors = self.encoder.encode_queries(strengths, role="passage")
            _, s = ev.member_similarity.vectors(prepared, strength_vectors, [language] * len(strengths), strengths)
            factors = np.asarray([level_factor(x.level) for x in member.strengths], dtype=np.float32)
            levels.append(scale_positive(s, factors))
        if profile:
            _, p = ev.member_similarity.vectors(prepared, self.encoder.encode_queries(profile, role="passage"), [language], profile)
            levels.append(scale_positive(p, ev.weights.profile_factor))
        if not levels:
            return total
        columns = np.concatenate(levels, axis=1)
        groups = OwnerGroups(np.zeros(columns.shape[1], dtype=np.int64))
        w = ev.weights
        pooled, _ = pool_evidence(columns, groups, 1, w.corroboration_threshold, w.corroboration_cap, w.volume_next_boundary)
        return affinity(pooled[:, 0])

    # ---- filters, diversity, explanation --------------------------------------------------------

    def _eligible(self, member: Member, options: PeerOptions) -> np.ndarray:
        """Which candidates may be proposed to ``member`` under ``options``: not itself, not
        excluded, not a listed partner unless asked, sharing a working language unless not
        required, and within every filter given (region, country, kind, network, cluster)."""
        facts = self.facts
        allowed = ~facts.rows([member.id, *(options.exclude or ())])
        if not options.include_partners:
            allowed &= ~facts.rows(member.partners)
        if options.require_common_language:
            allowed &= facts.having_any(facts.speaking, member.languages)
        if options.cross_region:
            allowed &= ~facts.having_any(facts.in_region, [member.region])
        for wanted, masks in (
            (options.regions, facts.in_region),
            (options.countries, facts.in_country),
            (options.kinds, facts.of_kind),
            (options.networks, facts.in_network),
            (options.clusters, facts.in_cluster),
        ):
            if wanted:  # None or empty: no filter
                allowed &= facts.having_any(masks, wanted)
        return allowed

    def _explain(self, ranking: PeerRanking, at: int) -> PeerMatch:
        """The result at position ``at`` of ``ranking``, with the score it was ranked by and its parts."""
        ev = self.evidence
        member, j, parts = ranking.member, ranking.rows[at], ranking.evidence
        candidate = self.by_id[ev.candidates[j]]
        met = []
        for i, need in enumerate(parts.needs):
            items = ev.explain(parts.scores, i, j, parts.needs, parts.vectors)
            met.append(
                NeedMet(
                    need=need,
                    priority=parts.priorities[i] if member.needs else None,
                    score=shown(float(parts.scores.match[i, j]), SCORE_DIGITS),
                    evidence=[MatchedEvidence(**item.__dict__) for item in items],
                )
            )
        met.sort(key=lambda n: -n.score)
        shared_languages = sorted(set(member.languages) & set(candidate.languages))
        flags = []
        if not shared_languages:
            flags.append("no common working language")
        if candidate.id in member.partners:
            flags.append("existing partner")
        return PeerMatch(
            id=candidate.id,
            name=candidate.name,
            kind=candidate.kind,
            country=candidate.country,
            region=candidate.region,
            score=ranking.scores[at],
            match_score=shown(ranking.matches[at], SCORE_DIGITS),
            match_quality=match_quality(ranking.matches[at]),
            parts=ranking.parts[at],
            needs_met=met,
            shared_languages=shared_languages,
            shared_clusters=sorted({c.cluster for c in member.clusters} & {c.cluster for c in candidate.clusters}),
            introductions=self.signals.introductions(member.id, candidate.id) if self.signals else [],
            flags=flags,
        )


def each_need_answered_first(order: list[int], match: np.ndarray) -> list[int]:
    """``order`` (candidate columns, best first) with, in front and in rank order, the first
    candidate whose best need is each need, when it answers it at least partially; then the rest.

    A member states several needs and ranking sums the evidence over them, with shared wording
    counting only within one language: Ziguinchor's French needs (teacher training in global
    citizenship, vocational training for its youth) got four French-writing peers for the second
    before the one member stating exactly the first, in English (issue 20). Each need's best
    answer is then one screen away whatever language it is written in. ``match``: (needs,
    candidates) match scores, the label's evidence."""
    best_need = match.argmax(axis=0)
    answers = match[best_need, np.arange(match.shape[1])] >= PARTIAL  # each candidate's best need, at least partially
    best_need_of, answers_its_best = best_need.tolist(), answers.tolist()  # read per candidate below: Python lists
    leaders: dict[int, int] = {}
    for j in order:
        need = best_need_of[j]
        if need not in leaders and answers_its_best[j]:
            leaders[need] = j
    first = set(leaders.values())
    return [j for j in order if j in first] + [j for j in order if j not in first]


def _flag_need_leaders(results: list[PeerMatch]) -> None:
    """Say why a result stands above higher scores: it is the best answer to one of the needs."""
    best_below = -1.0
    for result in reversed(results):
        if best_below > result.score:
            result.flags.append(NEED_FIRST)
        best_below = max(best_below, result.score)


def _flag_inversions(results: list[PeerMatch], mode: PeerMode = "complementary") -> None:
    """Say why a result stands above one with a higher label: ranking weighs all the evidence
    (shared wording counts there, only within one language), the label only the best passage;
    in mode 'similar', ranking weighs everything in common, the label the closest need."""
    best_below = -1
    for result in reversed(results):
        rank = LABEL_ORDER[result.match_quality]
        if best_below > rank and NEED_FIRST not in result.flags:  # that one has its own reason
            result.flags.append(RANKED_ABOVE_SIMILAR if mode == "similar" else RANKED_ABOVE)
        best_below = max(best_below, rank)


def _score_parts(gives: float, context: float, receives: float | None, graph: float | None) -> PeerScoreParts:
    mutual = _harmonic(gives, receives) if receives is not None else None
    return PeerScoreParts(
        gives=round(gives, SCORE_DIGITS),
        context=round(context, SCORE_DIGITS),
        receives=round(receives, SCORE_DIGITS) if receives is not None else None,
        graph=round(graph, SCORE_DIGITS) if graph is not None else None,
        mutual=round(mutual, SCORE_DIGITS) if mutual is not None else None,
    )


def reciprocal_pool(k: int) -> int:
    """Candidates whose reverse direction is scored in reciprocal mode: the forward top
    ``RECIPROCAL_DEPTH`` x k, and never fewer than ``RECIPROCAL_FLOOR``."""
    return max(RECIPROCAL_DEPTH * k, RECIPROCAL_FLOOR)


def _needs_of(member: Member) -> tuple[list[str], list[int]]:
    """The member's needs and priorities; a member that states none is matched on ``stand_in``."""
    if member.needs:
        return [n.text for n in member.needs], [n.weight for n in member.needs]
    return [stand_in(member)], [DEFAULT_PRIORITY]


def stand_in(member: Member) -> str:
    """What a member that states no needs is matched on: its profile, else its strengths (what it
    works on), else its name. The name says nothing of its work: Rouen, stating one strength on
    training teachers in global citizenship, found Oviedo and Reims, close as city names."""
    if member.profile:
        return member.profile
    if member.strengths:
        return " ".join(strength.text for strength in member.strengths)
    return member.name


def _priority(member: Member, field: str) -> int:
    index = int(field.split(":", 1)[1])
    return member.needs[index].weight


def graph_bonus(graph: np.ndarray, matches: np.ndarray, weight: float) -> np.ndarray:
    """The graph's share of a peer score: at most ``weight`` (0-1 scale), in proportion to the
    candidate's PageRank over the best one's, and only for candidates labelled at least partial
    (``matches``: what each one's label comes from). A candidate without text evidence gets
    nothing, so the graph can reorder candidates with evidence but never lift one without evidence
    above one with it. The gate was the ranking score, which counts shared words: a candidate
    labelled weak could be lifted by the graph."""
    gated = np.where(matches >= PARTIAL, graph, 0.0).astype(np.float64)
    top = float(gated.max()) if gated.size else 0.0
    if top <= 0 or weight <= 0:
        return np.zeros_like(matches, dtype=np.float32)
    return (weight * np.minimum(gated / top, 1.0)).astype(np.float32)


def _harmonic(a: float, b: float | None) -> float:
    if b is None or a <= 0 or b <= 0:
        return 0.0
    return 2 * a * b / (a + b)


def _cap_per_country(order: list[int], countries: list[str], options: PeerOptions) -> list[int]:
    chosen: list[int] = []
    per_country: dict[str, int] = {}
    for j in order:
        country = countries[j]
        if options.max_per_country is not None and per_country.get(country, 0) >= options.max_per_country:
            continue
        per_country[country] = per_country.get(country, 0) + 1
        chosen.append(j)
        if len(chosen) == options.k:
            break
    return chosen
