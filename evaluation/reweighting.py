"""Learning the weights of a peer score's parts from graded judgements, and whether they beat the defaults.

The model: pairwise logistic regression (a RankNet-style linear ranker). For each member, every
two judged candidates with different grades make one example, the difference of their parts,
labelled by which was graded higher; no intercept, so only orderings within a member count (a
member who accepts everything teaches nothing). L2-regularised; its strength C is chosen by
cross-validation on the training members only (GroupKFold: a member's pairs never straddle folds).

Whether to use them: outer GroupKFold over members. In each fold the weights are learned on the
other members, and the held-out members' judged candidates are ranked by the learned and by the
default weights: nDCG@10 per member and AUC (accepted against declined, per member,
scikit-learn). The learned weights are used only when, over all held-out members, their nDCG@10
is higher by at least ``MIN_GAIN`` and a one-sided Wilcoxon signed-rank test on the per-member
differences gives p < ``ALPHA``; the weights kept are then fitted on every member.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import wilcoxon
from sklearn.linear_model import LogisticRegressionCV
from sklearn.metrics import ndcg_score, roc_auc_score
from sklearn.model_selection import GroupKFold

from matcher.errors import PeermatchError
from matcher.recommend.peer_weights import PARTS

C_GRID = np.logspace(-3, 2, 11)  # L2 strengths tried, 0.001 to 100
OUTER_FOLDS = 5
INNER_FOLDS = 3
MIN_GAIN = 0.01  # nDCG@10 the learned weights must add over held-out members (below: noise, not worth a change)
ALPHA = 0.05
MIN_MEMBERS = 10  # members with judgements of at least two grades; fewer cannot be split into folds that say anything
NDCG_AT = 10
METRIC = f"ndcg@{NDCG_AT}"


class NotEnoughFeedbackError(PeermatchError):
    """Too few members with judgements of different grades to learn from."""


@dataclass(frozen=True)
class Judged:
    """Judged (member, candidate) rows: the candidate's parts (``PARTS`` columns) and its grade."""

    members: np.ndarray  # (n,) member ids
    items: np.ndarray  # (n,) candidate ids
    features: np.ndarray  # (n, len(PARTS)) float64
    grades: np.ndarray  # (n,) int

    def informative(self) -> Judged:
        """Only the members whose judgements have at least two grades (the others order nothing)."""
        keep = np.zeros(len(self.grades), dtype=bool)
        for member in np.unique(self.members):
            rows = self.members == member
            keep |= rows & (len(np.unique(self.grades[rows])) > 1)
        return self.subset(keep)

    def subset(self, rows: np.ndarray) -> Judged:
        return Judged(self.members[rows], self.items[rows], self.features[rows], self.grades[rows])


@dataclass
class Comparison:
    """Default and learned weights on held-out members, side by side."""

    defaults: np.ndarray
    weights: np.ndarray  # learned on every member (normalised: absolute values sum to 1)
    c: float
    members: int
    judgements: int
    default_ndcg: float
    learned_ndcg: float
    default_auc: float
    learned_auc: float
    p_value: float
    folds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def gain(self) -> float:
        return self.learned_ndcg - self.default_ndcg

    @property
    def better(self) -> bool:
        return self.gain >= MIN_GAIN and self.p_value < ALPHA

    def as_dict(self) -> dict[str, Any]:
        return {
            "members": self.members,
            "judgements": self.judgements,
            "c": self.c,
            "weights": {"defaults": _named(self.defaults), "learned": _named(self.weights)},
            "held_out": {
                METRIC: {"defaults": round(self.default_ndcg, 4), "learned": round(self.learned_ndcg, 4)},
                "auc": {"defaults": round(self.default_auc, 4), "learned": round(self.learned_auc, 4)},
                "gain": round(self.gain, 4),
                "wilcoxon_p": round(self.p_value, 6),
            },
            "better": self.better,
            "folds": self.folds,
        }


def pairwise(judged: Judged) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(differences of parts, labels, member of each pair) for every two candidates of a member with
    different grades; every other pair is flipped so the two labels are balanced."""
    diffs, labels, groups = [], [], []
    flip = False
    for member in np.unique(judged.members):
        rows = np.flatnonzero(judged.members == member)
        for a_at, a in enumerate(rows):
            for b in rows[a_at + 1 :]:
                if judged.grades[a] == judged.grades[b]:
                    continue
                better, worse = (a, b) if judged.grades[a] > judged.grades[b] else (b, a)
                diff = judged.features[better] - judged.features[worse]
                diffs.append(-diff if flip else diff)
                labels.append(0 if flip else 1)
                groups.append(member)
                flip = not flip
    width = judged.features.shape[1]
    return np.asarray(diffs, dtype=np.float64).reshape(-1, width), np.asarray(labels), np.asarray(groups)


def fit(judged: Judged, seed: int = 0) -> tuple[np.ndarray, float]:
    """Learned weights (normalised: absolute values sum to 1) and the C chosen by inner cross-validation."""
    diffs, labels, groups = pairwise(judged)
    if len(np.unique(groups)) < 2 or len(np.unique(labels)) < 2:
        count = len(np.unique(groups))
        who = "1 member" if count == 1 else f"{count} members"
        raise NotEnoughFeedbackError(f"{who} with judgements of different grades: nothing to learn from")
    inner = GroupKFold(n_splits=min(INNER_FOLDS, len(np.unique(groups))), shuffle=True, random_state=seed)
    model = LogisticRegressionCV(
        Cs=C_GRID,
        cv=list(inner.split(diffs, labels, groups)),
        fit_intercept=False,
        l1_ratios=(0.0,),
        scoring="neg_log_loss",
        max_iter=1000,
        use_legacy_attributes=False,
    )
    model.fit(diffs, labels)
    weights = model.coef_[0].astype(np.float64)
    total = float(np.abs(weights).sum())
    if total == 0.0:
        raise NotEnoughFeedbackError("the learned weights are all 0: the judgements do not order the parts")
    return weights / total, float(np.ravel(model.C_)[0])


def held_out_scores(judged: Judged, weights: np.ndarray) -> tuple[dict[str, float], dict[str, float]]:
    """Per member: nDCG@10 of its judged candidates ranked by ``weights`` (linear gains, ties
    averaged: scikit-learn's ``ndcg_score``, the same figure as ranx's ``ndcg@10`` without ties,
    many times faster on thousands of small queries) and, where it has both accepted (grade > 0)
    and declined candidates, the AUC."""
    scores = judged.features @ weights
    ndcg: dict[str, float] = {}
    auc: dict[str, float] = {}
    for member in np.unique(judged.members):
        rows = judged.members == member
        grades, member_scores = judged.grades[rows], scores[rows]
        ndcg[str(member)] = float(ndcg_score(grades[None, :], member_scores[None, :], k=NDCG_AT)) if len(grades) > 1 else 1.0
        positive = grades > 0
        if positive.any() and not positive.all():
            auc[str(member)] = float(roc_auc_score(positive, member_scores))
    return ndcg, auc


def compare(judged: Judged, defaults: np.ndarray, folds: int = OUTER_FOLDS, seed: int = 0) -> Comparison:
    """Learned against default weights on held-out members (see the module's docstring)."""
    data = judged.informative()
    members = np.unique(data.members)
    if len(members) < MIN_MEMBERS:
        raise NotEnoughFeedbackError(
            f"not enough feedback to learn from: {len(members)} {'member has' if len(members) == 1 else 'members have'} judgements"
            " of at least two grades"
            f" (accepted and declined, or rated differently); at least {MIN_MEMBERS} are needed"
        )
    default_ndcg: dict[str, float] = {}
    learned_ndcg: dict[str, float] = {}
    default_auc: dict[str, float] = {}
    learned_auc: dict[str, float] = {}
    fold_rows = []
    splitter = GroupKFold(n_splits=min(folds, len(members)), shuffle=True, random_state=seed)
    for number, (train, test) in enumerate(splitter.split(data.features, data.grades, data.members), start=1):
        weights, c = fit(data.subset(train), seed)
        held = data.subset(test)
        d_ndcg, d_auc = held_out_scores(held, defaults)
        l_ndcg, l_auc = held_out_scores(held, weights)
        default_ndcg |= d_ndcg
        learned_ndcg |= l_ndcg
        default_auc |= d_auc
        learned_auc |= l_auc
        fold_rows.append(
            {
                "fold": number,
                "members": len(d_ndcg),
                f"{METRIC} defaults": _mean(d_ndcg),
                f"{METRIC} learned": _mean(l_ndcg),
                "auc defaults": _mean(d_auc),
                "auc learned": _mean(l_auc),
                "c": c,
                "weights": _named(weights),
            }
        )
    weights, c = fit(data, seed)
    order = sorted(default_ndcg)
    differences = np.asarray([learned_ndcg[m] - default_ndcg[m] for m in order])
    return Comparison(
        defaults=defaults / (np.abs(defaults).sum() or 1.0),
        weights=weights,
        c=c,
        members=len(members),
        judgements=len(data.grades),
        default_ndcg=_mean(default_ndcg),
        learned_ndcg=_mean(learned_ndcg),
        default_auc=_mean(default_auc),
        learned_auc=_mean(learned_auc),
        p_value=_one_sided_p(differences),
        folds=fold_rows,
    )


def table(comparison: Comparison) -> str:
    """The side-by-side report (Markdown)."""
    c = comparison
    lines = [
        f"held-out members: {c.members} ({len(c.folds)} folds by member), judgements: {c.judgements}",
        "",
        "| | defaults | learned |",
        "|---|---|---|",
        f"| {METRIC} (held-out) | {c.default_ndcg:.4f} | {c.learned_ndcg:.4f} |",
        f"| AUC (held-out) | {c.default_auc:.4f} | {c.learned_auc:.4f} |",
    ]
    for part, d, w in zip(PARTS, c.defaults, c.weights, strict=True):
        lines.append(f"| weight: {part} | {d:.3f} | {w:.3f} |")
    lines += ["", f"| fold | members | {METRIC} defaults | {METRIC} learned | AUC defaults | AUC learned | C |", "|---" * 7 + "|"]
    for row in c.folds:
        lines.append(
            f"| {row['fold']} | {row['members']} | {row[f'{METRIC} defaults']:.4f} | {row[f'{METRIC} learned']:.4f}"
            f" | {row['auc defaults']:.4f} | {row['auc learned']:.4f} | {row['c']:.3g} |"
        )
    verdict = (
        f"learned weights beat the defaults: {METRIC} {c.gain:+.4f}, Wilcoxon p = {c.p_value:.2g}"
        if c.better
        else f"the defaults stay: {METRIC} {c.gain:+.4f}, Wilcoxon p = {c.p_value:.2g}"
        f" (the learned weights must add >= {MIN_GAIN} with p < {ALPHA})"
    )
    return "\n".join([*lines, "", verdict])


def _one_sided_p(differences: np.ndarray) -> float:
    """Wilcoxon signed-rank, H1: learned > defaults; 1.0 when no member's nDCG changed."""
    if not np.any(differences != 0):
        return 1.0
    return float(wilcoxon(differences, alternative="greater", zero_method="wilcox").pvalue)


def _mean(values: dict[str, float]) -> float:
    return float(np.mean(list(values.values()))) if values else math.nan


def _named(weights: np.ndarray) -> dict[str, float]:
    return {part: round(float(w), 4) for part, w in zip(PARTS, weights, strict=True)}
