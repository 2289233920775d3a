"""Simulated feedback whose hidden preferences are known: to check that learning recovers them.

``simulate``: each simulated member is shown ``candidates`` peers with random parts, drawn where
real results lie: gives from 0.3 (results need at least partial evidence) to 1, context from 0 to
0.8, and a graph share that is 0 for half of them. ``judge`` grades candidates already shown (random
ones, or a real network's top results with their real parts): a member's hidden utility for a
candidate is ``hidden`` · parts plus Gaussian noise (sd ``noise``); the lower half of its
candidates by utility is declined (0), the upper half accepted, graded 1 to 4 as a partnership
would be (active, then closed with a better rating the higher the utility).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evaluation.reweighting import Judged


def simulate(hidden: Sequence[float] | np.ndarray, members: int = 300, candidates: int = 12, noise: float = 0.1, seed: int = 0) -> Judged:
    rng = np.random.default_rng(seed)
    shape = (members, candidates)
    gives = rng.uniform(0.3, 1.0, shape)
    context = rng.uniform(0.0, 0.8, shape)
    graph = np.where(rng.random(shape) < 0.5, rng.uniform(0.0, 1.0, shape), 0.0)
    parts = np.stack([gives, context, graph], axis=-1).reshape(-1, 3)
    member_ids = np.repeat([f"m{i}" for i in range(members)], candidates)
    item_ids = np.tile([f"c{j}" for j in range(candidates)], members)
    return judge(Judged(member_ids, item_ids, parts, np.zeros(len(parts), dtype=int)), hidden, noise, rng)


def judge(shown: Judged, hidden: Sequence[float] | np.ndarray, noise: float, rng: np.random.Generator) -> Judged:
    """``shown`` with grades from the hidden utility (see the module's docstring); members shown
    fewer than two candidates are left out."""
    utility = shown.features @ np.asarray(hidden, dtype=np.float64) + rng.normal(0.0, noise, len(shown.grades))
    grades = np.zeros(len(utility), dtype=int)
    keep = np.zeros(len(utility), dtype=bool)
    for member in dict.fromkeys(shown.members.tolist()):
        rows = np.flatnonzero(shown.members == member)
        if len(rows) < 2:
            continue
        rank = utility[rows].argsort().argsort() / (len(rows) - 1)  # 0 worst, 1 best
        grades[rows] = np.where(rank < 0.5, 0, np.minimum(4, 1 + np.floor((rank - 0.5) * 8)))
        keep[rows] = True
    return Judged(shown.members, shown.items, shown.features, grades).subset(keep)
