"""Expert groups, resources for a member and representative fit: one call per question."""

from __future__ import annotations

from pathlib import Path

from matcher.clusters.names import CLUSTER_PREFIX, cluster_code, cluster_names
from matcher.errors import PeermatchError
from matcher.graph.taxonomy import load_taxonomy
from matcher.recommend.clusters import known_clusters
from matcher.recommend.experts import ExpertGroup, ExpertOptions
from matcher.recommend.helps import HelpMatch, HelpOptions
from matcher.recommend.member_resources import MemberResourceHit, MemberResourceOptions
from matcher.recommend.representatives import RepresentativeFit
from matcher.records import Member
from matcher.snapshot import Snapshot
from matcher.text_folding import fold


def experts_for(snapshot: Snapshot, theme: str, options: ExpertOptions | None = None) -> ExpertGroup:
    """An expert group for ``theme`` that covers its aspects (those nobody covers are named). A
    theme that is a cluster's name, asked without aspects, takes the cluster's practice themes
    as its aspects (``cluster_aspects``)."""
    options = options or ExpertOptions()
    if not options.aspects:
        aspects = cluster_aspects(theme, snapshot.settings.taxonomy_path)
        if aspects:
            options = options.model_copy(update={"aspects": aspects})
    return snapshot.recommender.experts(theme, options)


def cluster_aspects(theme: str, taxonomy_path: Path | None = None) -> list[str]:
    """The practice themes of the cluster ``theme`` names, in the language it is named in: a
    cluster's name is a heading ("Éducation à la citoyenneté mondiale"), and the members of the
    cluster write about what it holds (peace education, learning for migrants...), rarely the
    heading's words; the demo's 39 members of that cluster gave no match at all for its name
    alone. Empty when ``theme`` names no cluster."""
    code = cluster_code(theme, taxonomy_path)
    if code is None:
        return []
    folded = fold(" ".join(theme.split()))
    named = cluster_names(taxonomy_path).get(code, {})
    language = next((lang for lang, label in named.items() if fold(" ".join(label.split())) == folded), "en")
    topics = load_taxonomy(taxonomy_path).values()
    return [t.label.get(language) or t.label["en"] for t in topics if t.cluster == code and not t.id.startswith(CLUSTER_PREFIX)]


def resources_for(snapshot: Snapshot, member: str | Member, options: MemberResourceOptions | None = None) -> list[MemberResourceHit]:
    """Resources for a member's needs and profile, best first (none for a member with neither)."""
    return snapshot.recommender.resources_for(member, options)


def helps_for(snapshot: Snapshot, member_id: str, options: HelpOptions | None = None) -> list[HelpMatch]:
    """Whom a stored member can help: the members whose needs its evidence meets, best first."""
    return snapshot.recommender.helps(member_id, options)


def representative_fit_for(snapshot: Snapshot, member: str | Member, cluster: str) -> RepresentativeFit:
    """How well a member's representative fits ``cluster``; raises PeermatchError naming the
    known clusters when ``cluster`` is not one of them."""
    clusters = known_clusters(snapshot.settings.taxonomy_path)
    if cluster not in clusters:
        raise PeermatchError(f"unknown cluster '{cluster}' (known: {', '.join(clusters)})")
    return snapshot.recommender.representative_fit(member, cluster)
