"""Simulated feedback whose hidden preferences are known: to check that learning recovers them.

Each simulated member is shown ``candidates`` peers with random parts, drawn where real results
lie: gives from 0.3 (results need at least partial evidence) to 1, context from 0 to 0.8, and a
graph share that is 0 for half of them. Its hidden utility for a candidate is ``hidden`` · parts
plus Gaussian noise (sd ``noise``). Grades follow the member's order of utility: the lower half is
declined (0), the upper half accepted, graded 1 to 4 as a partnership would be (active, then
closed with a better rating the higher the utility).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evaluation.reweighting import Judged


def simulate(hidden: Sequence[float], members: int = 300, candidates: int = 12, noise: float = 0.1, seed: int = 0) -> Judged:
    rng = np.random.default_rng(seed)
    shape = (members, candidates)
    gives = rng.uniform(0.3, 1.0, shape)
    context = rng.uniform(0.0, 0.8, shape)
    graph = np.where(rng.random(shape) < 0.5, rng.uniform(0.0, 1.0, shape), 0.0)
    parts = np.stack([gives, context, graph], axis=-1)
    utility = parts @ np.asarray(hidden, dtype=np.float64) + rng.normal(0.0, noise, shape)
    rank = utility.argsort(axis=1).argsort(axis=1) / (candidates - 1)  # 0 worst, 1 best, per member
    grades = np.where(rank < 0.5, 0, np.minimum(4, 1 + np.floor((rank - 0.5) * 8))).astype(int)
    member_ids = np.repeat([f"m{i}" for i in range(members)], candidates)
    item_ids = np.tile([f"c{j}" for j in range(candidates)], members)
    return Judged(member_ids, item_ids, parts.reshape(-1, 3), grades.reshape(-1))
