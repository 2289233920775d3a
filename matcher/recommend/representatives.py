"""Representative fit: does the person a member sends to a cluster know the cluster's theme?

The GNLC strategy asks member cities to send representatives whose profile matches the
cluster. The fit is the calibrated affinity (``matcher.scoring.calibration``) of the
representative's profile with the cluster's aspects (the best one counts: a representative who
leads one aspect of the cluster fits it), scored against the same cohort as every need: the
network's strengths and profiles. A representative's profile is a person's general work, not a
statement about the cluster, so a partial match with one aspect is already evidence: good at the
partial level and above (on the demo, representatives whose work is one of the cluster's aspects
score 0.34 to 0.83, the traffic engineers 0.04); partial from half that level (some overlap, not
evidence); poor below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel

from embeddings.embedder import TextEncoder
from matcher.recommend.clusters import cluster_aspects, cluster_theme
from matcher.records import Member
from matcher.scoring.calibration import PARTIAL, affinity
from matcher.scoring.evidence import NeedEvidence

GOOD_FIT = PARTIAL
PARTIAL_FIT = PARTIAL / 2

Fit = Literal["good", "partial", "poor", "none"]


class RepresentativeFit(BaseModel):
    member_id: str
    cluster: str
    representative: str | None
    fit: Fit
    score: float
    best_aspect: str | None
    reasons: list[str]


def representative_fit(
    member: Member, cluster: str, evidence: NeedEvidence, encoder: TextEncoder, taxonomy_path: Path | None = None
) -> RepresentativeFit:
    if member.representative is None:
        return RepresentativeFit(
            member_id=member.id,
            cluster=cluster,
            representative=None,
            fit="none",
            score=0.0,
            best_aspect=None,
            reasons=[f"{member.name} has named no representative"],
        )
    aspects = cluster_aspects(cluster, taxonomy_path)
    texts = [cluster_theme(cluster, taxonomy_path), *aspects]
    vectors = encoder.encode(texts, role="query")
    prepared, _ = evidence.prepare(texts, vectors)
    profile_vector = encoder.encode([member.representative.profile])
    language = (member.representative.languages or member.languages)[0]
    raw, levels = evidence.member_similarity.vectors(prepared, profile_vector, [language], [member.representative.profile])
    scores = affinity(levels)
    best = int(np.argmax(scores[1:, 0])) if aspects else -1
    fit_score = float(scores[1 + best, 0]) if best >= 0 else float(scores[0, 0])
    fit: Fit = "good" if fit_score >= GOOD_FIT else "partial" if fit_score >= PARTIAL_FIT else "poor"
    reasons = [f"profile against the whole cluster theme: score {float(scores[0, 0]):.3f} (cosine {float(raw[0, 0]):.3f})"]
    if best >= 0:
        reasons.append(f"closest aspect: '{aspects[best]}' (score {fit_score:.3f}, cosine {float(raw[1 + best, 0]):.3f})")
    if fit == "poor":
        theme = cluster_theme(cluster, taxonomy_path).split(":")[0].lower()
        reasons.append(
            f"poor fit: {member.representative.name}'s profile says little about {theme}; "
            "consider a representative who works on the cluster's theme"
        )
    if cluster not in {c.cluster for c in member.clusters}:
        reasons.append(f"{member.name} is not a member of the '{cluster}' cluster")
    return RepresentativeFit(
        member_id=member.id,
        cluster=cluster,
        representative=member.representative.name,
        fit=fit,
        score=round(fit_score, 4),
        best_aspect=aspects[best] if best >= 0 else None,
        reasons=reasons,
    )
