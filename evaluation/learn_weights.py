"""``peermatch eval learn-weights``: the store's peer judgements, the parts of each judged
candidate's score today, learned weights against the defaults on held-out members, and the
weights file written only when the learned ones win.

The parts are computed from the current snapshot (the records and indexes as they are now), in
"who can help me" mode with the settings' graph weight, for the candidates that are still
members; a judgement of a member or candidate since deleted is skipped (and counted).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluation.feedback import Judgement, collect
from evaluation.reweighting import Comparison, Judged, compare
from matcher.recommend.peer_weights import PARTS, default_weights, publish_shared, weights_path, write_learned
from matcher.recommend.peers import PeerOptions
from matcher.workspace import Workspace


@dataclass
class LearnReport:
    comparison: Comparison
    skipped: int  # judgements whose member or candidate is no longer in the network
    written: Path | None  # the weights file, when the learned weights were applied
    removed: Path | None  # an older weights file removed because the defaults now win


def peer_parts(workspace: Workspace, judgements: list[Judgement]) -> tuple[Judged, int]:
    """The parts of every judged (member, candidate) peer pair, from the current snapshot."""
    recommender = workspace.snapshot().recommender
    peers = recommender.peer_recommender
    code_of = recommender.evidence.code_of
    options = PeerOptions(graph_weight=recommender.settings.graph_weight)
    by_member: dict[str, list[Judgement]] = defaultdict(list)
    for j in judgements:
        if j.task == "peers":
            by_member[j.query].append(j)
    members, items, rows, grades = [], [], [], []
    skipped = 0
    for member_id in sorted(by_member):
        member = recommender.members_by_id.get(member_id)
        if member is None:
            skipped += len(by_member[member_id])
            continue
        parts = peers.parts(member, options)
        share = parts.graph_share
        for j in by_member[member_id]:
            column = code_of.get(j.item)
            if column is None:
                skipped += 1
                continue
            members.append(member_id)
            items.append(j.item)
            rows.append([parts.gives[column], parts.context[column], share[column]])
            grades.append(j.grade)
    features = np.asarray(rows, dtype=np.float64).reshape(-1, len(PARTS))
    return Judged(np.asarray(members), np.asarray(items), features, np.asarray(grades, dtype=int)), skipped


def learn_weights(workspace: Workspace, apply: bool = False, seed: int = 0) -> LearnReport:
    """Compare learned and default weights on the store's feedback; with ``apply``, write the
    learned weights when they win (and remove an older file when the defaults win); on a shared
    PostgreSQL store, the outcome also goes to the database, whence every replica copies it."""
    judged, skipped = peer_parts(workspace, collect(workspace.store))
    defaults = default_weights(workspace.settings.graph_weight)
    comparison = compare(judged, defaults.vector(), seed=seed)
    path = weights_path(workspace.settings.data_dir)
    written = removed = None
    if apply and comparison.better:
        learned = dict(zip(PARTS, comparison.weights.tolist(), strict=True))
        write_learned(path, learned, workspace.encoder.model_id, comparison.as_dict())
        written = path
    elif apply and path.exists():
        path.unlink()
        removed = path
    if apply and workspace.store.engine == "postgresql":
        publish_shared(workspace.store, workspace.settings.data_dir)  # every replica copies it into its own folder
    return LearnReport(comparison, skipped, written, removed)


def shown_parts(workspace: Workspace, shown: int) -> Judged:
    """Every member's top ``shown`` peers by the current ranking (what a member is shown, so what
    it can judge) with their parts; grades 0 (for ``feedback_simulation.judge`` to fill in)."""
    recommender = workspace.snapshot().recommender
    options = PeerOptions(k=shown, max_per_country=None)
    probes = [
        Judgement("peers", m.id, result.id, 0, "shown") for m in recommender.members for result in recommender.peers(m.id, options)
    ]
    judged, _ = peer_parts(workspace, probes)
    return judged
