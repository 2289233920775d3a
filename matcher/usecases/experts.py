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
    taxonomy = snapshot.settings.taxonomy_path
    if not options.aspects:
        aspects = cluster_aspects(theme, taxonomy)
        if aspects:
            options = options.model_copy(update={"aspects": aspects})
    return snapshot.recommender.experts(theme, options, known_wordings([theme, *options.aspects], taxonomy))


def known_wordings(texts: list[str], taxonomy_path: Path | None = None) -> dict[str, list[str]]:
    """The texts that name a taxonomy topic or cluster (in any language, whatever the case,
    accents or spacing) -> that topic's names in every language. A member is then matched on the
    name in the language it writes: asked by name in English, French and Spanish, the demo's 20
    topics gave groups that shared 37 % of their members (mean Jaccard), each made mostly of members
    writing in the query's language."""
    named: dict[str, list[str]] = {}
    for topic in load_taxonomy(taxonomy_path).values():
        labels = list(dict.fromkeys(topic.label.values()))
        for label in labels:
            named.setdefault(fold(" ".join(label.split())), labels)
    found = {text: named.get(fold(" ".join(text.split()))) for text in texts}
    return {text: labels for text, labels in found.items() if labels}


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
