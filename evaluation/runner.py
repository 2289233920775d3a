"""Run a dataset's queries through peermatch under a scoring variant, giving runs {query: {item: score}}.

The dataset is imported and indexed once (in a work folder); each variant reuses the indexes and
the embedder and changes only how scores are computed.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm.auto import tqdm

from embeddings.embedder import TextEncoder
from evaluation.dataset import Dataset
from evaluation.variants import Variant
from matcher.recommend.engine import Recommender
from matcher.recommend.peers import PeerOptions
from matcher.record_forms import UnsavedProfile
from matcher.settings import Settings
from matcher.snapshot import Snapshot
from matcher.usecases.peers import peers_for
from matcher.workspace import Workspace

Runs = dict[str, dict[str, float]]
DEPTH = 100  # items kept per query


@dataclass
class Harness:
    dataset: Dataset
    workspace: Workspace

    @classmethod
    def open(
        cls, dataset: Dataset, work_dir: Path | None = None, encoder: TextEncoder | None = None, database_url: str | None = None
    ) -> Harness:
        folder = work_dir or Path(tempfile.mkdtemp(prefix="peermatch-eval-"))
        # The dataset goes to a store of its own: SQLite in the work folder, whatever
        # PEERMATCH_DATABASE_URL says (a shared database is the network's, not a dataset's), unless
        # a caller names a database on purpose (the replica tests).
        workspace = Workspace(Settings(data_dir=folder, database_url=database_url), encoder)
        workspace.import_files([dataset.folder / "members.jsonl", dataset.folder / "resources.jsonl"])
        return cls(dataset, workspace)

    def snapshot(self, variant: Variant) -> Snapshot:
        """The dataset's snapshot scored under ``variant``: the same records, indexes and graph,
        the variant's settings (so a fresh recommender and searcher)."""
        snapshot = self.workspace.snapshot()
        settings = self.workspace.settings.model_copy(update=variant.settings)
        return replace(snapshot, settings=settings, built_graph=snapshot.graph)

    def recommender(self, variant: Variant) -> Recommender:
        return self.snapshot(variant).recommender

    def run(self, variant: Variant, tasks: tuple[str, ...] = ("resources", "peers", "experts")) -> dict[str, Runs]:
        snapshot = self.snapshot(variant)
        recommender = snapshot.recommender
        out: dict[str, Runs] = {}
        if "resources" in tasks:
            searcher = snapshot.searcher
            out["resources"] = {
                q.id: {h.id: h.score for h in searcher.search(q.text, k=DEPTH, mode=variant.mode, language_mix=False)}
                for q in tqdm(self.dataset.by_task("resources"), desc=f"{variant.name}: resources", leave=False, disable=None)
            }
        if "peers" in tasks:
            options = PeerOptions(k=DEPTH, max_per_country=None)
            out["peers"] = {}
            for q in tqdm(self.dataset.by_task("peers"), desc=f"{variant.name}: peers", leave=False, disable=None):
                target = q.member_id if q.member_id else _profile_only(q.text)
                # Ids and scores only: an evaluation never reads an explanation, so none is built.
                out["peers"][q.id] = peers_for(snapshot, None, target, options).scored()
        if "experts" in tasks:
            finder = recommender.expert_finder
            queries = self.dataset.by_task("experts")
            if queries:
                scores, _, _ = finder.scores([q.text for q in queries])
                candidates = recommender.evidence.candidates
                out["experts"] = {}
                for row, q in enumerate(queries):
                    order = scores[row].argsort()[::-1][:DEPTH]
                    out["experts"][q.id] = {candidates[j]: float(scores[row, j]) for j in order}
        for task, runs in out.items():
            for qid in runs:
                if not runs[qid]:
                    runs[qid] = {"(none)": 0.0}  # ranx needs a non-empty ranking per query
            out[task] = runs
        return out


def _profile_only(text: str) -> UnsavedProfile:
    """A query without a member: an unsaved profile (no id: it is nobody stored) whose one need is the query text."""

    return UnsavedProfile(
        name="query",
        kind="organization",
        country="FR",
        region="Europe and North America",
        languages=["en", "fr", "es"],
        needs=[{"text": text}],
    )
