"""Which offers could answer each component of a request, and how well, on the peers' scale.

A component's text is scored against every offer's description with the *match evidence* the
peer label reads (``calibration.match_score``): the dense cosine against the same cohort of
stored strengths and profiles (``Similarity.vectors``), in the spread of unrelated passages
(``Prepared.match_gain``). So 0.3 and 0.7 mean here what they mean for peers: an offer below
``PARTIAL`` is not evidence that it answers the component, whatever its type.

An offer is *suitable* for a component when its type is the one wanted, its evidence is at least
partial, it works in one of the request's languages, it serves the country, it is available
before the deadline, and it has capacity left; each test that fails is kept (``Candidate.fails``)
so that an uncovered component can say why (``matcher.requests.diagnose``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from embeddings.embedder import TextEncoder
from matcher.requests.records import Offer, Request
from matcher.scoring.calibration import PARTIAL, match_quality, match_score, shown
from matcher.scoring.similarity import Similarity
from matcher.text_language import detect

# Why an offer cannot serve a component, in the order a reader is told (the first that applies).
TYPE, EVIDENCE, LANGUAGE, REGION, AVAILABILITY, CAPACITY, CURRENCY = (
    "type",
    "evidence",
    "language",
    "region",
    "availability",
    "capacity",
    "currency",
)


@dataclass(frozen=True)
class Candidate:
    """One offer for one component: its evidence score (0-1, the peers' scale), the capacity it
    has left, and what keeps it out (``fails``, empty when suitable)."""

    offer_id: str
    member_id: str
    score: float
    left: float
    fails: tuple[str, ...] = ()
    tech_fit: bool = True

    @property
    def suitable(self) -> bool:
        return not self.fails

    @property
    def label(self) -> str:
        return match_quality(self.score)


@dataclass
class Candidates:
    """Per component, every offer of the type it wants, best first (suitable first, then by
    evidence, tech level fit, capacity left)."""

    request: Request
    by_component: list[list[Candidate]]
    offers: dict[str, Offer] = field(default_factory=dict)


def capacity_left(offer: Offer, committed_elsewhere: dict[str, float]) -> float:
    """The offer's capacity minus what is committed outside peermatch and to other packages."""
    return max(offer.free - committed_elsewhere.get(offer.id, 0.0), 0.0)


def evidence_scores(request: Request, offers: list[Offer], similarity: Similarity, encoder: TextEncoder) -> np.ndarray:
    """(components, offers) match scores on the 0-1 scale of the peers' label."""
    if not offers:
        return np.zeros((len(request.components), 0), dtype=np.float32)
    texts = [component.text for component in request.components]
    queries = encoder.encode_queries(texts)
    # Offer descriptions go through ``encode`` like stored passages: the on-disk cache keeps them.
    vectors = encoder.encode([offer.description for offer in offers])
    languages = [detect(offer.description, offer.languages) or offer.languages[0] for offer in offers]
    prepared = similarity.prepare(texts, queries)
    _, dense = similarity.vectors(prepared, vectors, languages)
    return match_score(dense * prepared.match_gain[:, None])


def rank_candidates(
    request: Request,
    offers: list[Offer],
    scores: np.ndarray,
    committed_elsewhere: dict[str, float],
    today: dt.date,
    excluded: frozenset[str] = frozenset(),
) -> Candidates:
    """Each component's candidates from ``scores`` (``evidence_scores``), with what keeps each
    out; ``excluded``: offers left out by the caller (declined for this request, a partner forced out)."""
    by_component: list[list[Candidate]] = []
    for c, component in enumerate(request.components):
        rows: list[Candidate] = []
        for o, offer in enumerate(offers):
            # another type is never a candidate: 'no offer of that type' is told from the offers
            if offer.id in excluded or offer.type != component.type:
                continue
            score = float(scores[c, o])
            left = capacity_left(offer, committed_elsewhere)
            fails = []
            if score < PARTIAL:
                fails.append(EVIDENCE)
            if not set(offer.languages) & set(request.languages):
                fails.append(LANGUAGE)
            if not offer.serves(request.country, request.region):
                fails.append(REGION)
            if _unavailable(offer, today, request.deadline):
                fails.append(AVAILABILITY)
            if component.currency and offer.currency and component.currency != offer.currency:
                fails.append(CURRENCY)
            if left <= 0:
                fails.append(CAPACITY)
            tech_fit = request.tech_level is None or offer.tech_level is None or offer.tech_level == request.tech_level
            rows.append(Candidate(offer.id, offer.member_id, shown(score), left, tuple(fails), tech_fit))
        rows.sort(key=lambda x: (not x.suitable, -x.score, not x.tech_fit, -x.left, x.offer_id))
        by_component.append(rows)
    return Candidates(request, by_component, {offer.id: offer for offer in offers})


def _unavailable(offer: Offer, today: dt.date, deadline: dt.date | None) -> bool:
    """An offer whose window has closed, or that opens only after the request's deadline."""
    if offer.available_until is not None and offer.available_until < today:
        return True
    return offer.available_from is not None and deadline is not None and offer.available_from > deadline
