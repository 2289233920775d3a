"""Run a dataset's queries through peermatch under a scoring variant, giving runs {query: {item: score}}.

The dataset is imported and indexed once (in a work folder); each variant reuses the indexes and
the embedder and changes only how scores are computed.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from embeddings.embedder import TextEncoder
from evaluation.dataset import Dataset
from evaluation.variants import Variant
from matcher.recommend.engine import Recommender
from matcher.recommend.peers import PeerOptions
from matcher.records import Member
from matcher.search.resources import ResourceSearcher
from matcher.settings import Settings
from matcher.workspace import Workspace

Runs = dict[str, dict[str, float]]
DEPTH = 100  # items kept per query


@dataclass
class Harness:
    dataset: Dataset
    workspace: Workspace

    @classmethod
    def open(cls, dataset: Dataset, work_dir: Path | None = None, encoder: TextEncoder | None = None) -> Harness:
        folder = work_dir or Path(tempfile.mkdtemp(prefix="peermatch-eval-"))
        workspace = Workspace(Settings(data_dir=folder), encoder)
        workspace.import_files([dataset.folder / "members.jsonl", dataset.folder / "resources.jsonl"])
        return cls(dataset, workspace)

    def recommender(self, variant: Variant) -> Recommender:
        settings = self.workspace.settings.model_copy(update=variant.settings)
        snapshot = self.workspace.snapshot()
        return Recommender(snapshot.indexes, snapshot.members, snapshot.resources, snapshot.encoder, settings, snapshot.graph)

    def run(self, variant: Variant, tasks: tuple[str, ...] = ("resources", "peers", "experts")) -> dict[str, Runs]:
        recommender = self.recommender(variant)
        out: dict[str, Runs] = {}
        if "resources" in tasks:
            searcher = ResourceSearcher(recommender.indexes, recommender.resources, recommender.encoder, recommender.settings)
            out["resources"] = {
                q.id: {h.id: h.score for h in searcher.search(q.text, k=DEPTH, mode=variant.mode, language_mix=False)}
                for q in tqdm(self.dataset.by_task("resources"), desc=f"{variant.name}: resources", leave=False, disable=None)
            }
        if "peers" in tasks:
            options = PeerOptions(k=DEPTH, max_per_country=None)
            out["peers"] = {}
            for q in tqdm(self.dataset.by_task("peers"), desc=f"{variant.name}: peers", leave=False, disable=None):
                target = q.member_id if q.member_id else _profile_only(q.text)
                out["peers"][q.id] = {m.id: m.score for m in recommender.peers(target, options)}
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


def _profile_only(text: str) -> Member:
    """A query without a member: an unsaved profile whose one need is the query text."""

    return Member(
        id="query",
        name="query",
        kind="organization",
        country="FR",
        region="Europe and North America",
        languages=["en", "fr", "es"],
        needs=[{"text": text}],
    )
