"""Expert groups, resources for a member and representative fit: one call per question."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from matcher.clusters.names import CLUSTER_PREFIX, cluster_code, cluster_names
from matcher.errors import InvalidFieldError
from matcher.explanations import (
    EXPERTS_NONE,
    EXPERTS_NONE_OF_KINDS,
    HELPS_NO_COMMON_LANGUAGE,
    HELPS_NO_EVIDENCE,
    HELPS_NONE_MET,
    Explanation,
    explain,
)
from matcher.graph.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from matcher.recommend.clusters import known_clusters
from matcher.recommend.experts import ExpertGroup, ExpertOptions
from matcher.recommend.helps import HelpMatch, HelpOptions
from matcher.recommend.member_resources import MemberResourceHit, MemberResourceOptions
from matcher.recommend.representatives import RepresentativeFit
from matcher.records import Member
from matcher.snapshot import Snapshot
from matcher.text_folding import fold
from matcher.usecases.unread import need_flags, question_flags


def experts_for(snapshot: Snapshot, theme: str, options: ExpertOptions | None = None) -> ExpertGroup:
    """An expert group for ``theme`` that covers its aspects (those nobody covers are named). A
    theme that is a cluster's name, asked without aspects, takes the cluster's practice themes
    as its aspects (``cluster_aspects``); a theme or aspect that names a taxonomy entry is asked
    in its names (``known_wordings``)."""
    options = options or ExpertOptions()
    taxonomy = snapshot.settings.taxonomy_path
    if not options.aspects:
        aspects = cluster_aspects(theme, taxonomy)
        if aspects:
            options = options.model_copy(update={"aspects": aspects})
    written = set(snapshot.recommender.evidence.owner_languages.tolist()) - {""}
    group = snapshot.recommender.experts(theme, options, known_wordings([theme, *options.aspects], written, taxonomy))
    # A text asked in a taxonomy entry's names is read in those names, whatever it was typed in.
    typed = [text for text in [theme, *options.aspects] if text not in group.asked_as]
    update: dict[str, object] = {"flags": question_flags(snapshot, typed)}
    if options.kinds and group.answer_explanation.template == EXPERTS_NONE:
        update["answer_explanation"] = explain(EXPERTS_NONE_OF_KINDS, *group.answer_explanation.details, kinds=", ".join(options.kinds))
    return group.model_copy(update=update)


def known_wordings(texts: list[str], languages: set[str], taxonomy_path: Path | None = None) -> dict[str, list[str]]:
    """The texts that name a taxonomy topic or cluster (its name in any language, whatever the
    case, accents or spacing, or a cluster's code) -> that entry's names in ``languages`` (the
    languages the network's members write in), in the taxonomy's order; a text is asked in those
    names instead of itself. A member is then matched on the name in the language it writes, and
    the same names are asked however the theme was typed. Asked by name in English, French and
    Spanish, the 20 topics of `peermatch demo`'s data gave groups that shared 37 % of their members
    (mean Jaccard), each made mostly of members writing in the query's language. A language nobody
    writes in adds no name: an English network asked for "Logement" is asked "Housing" alone, so
    shared words keep their weight there. An entry with no name in those languages keeps the text
    as typed."""
    path = taxonomy_path or DEFAULT_TAXONOMY
    named = _names_by_folded(path, path.stat().st_mtime_ns)
    found = {text: named.get(fold(" ".join(text.split()))) for text in texts}
    wanted = {text: [label for language, label in names.items() if language in languages] for text, names in found.items() if names}
    return {text: list(dict.fromkeys(labels)) for text, labels in wanted.items() if labels}


@lru_cache(maxsize=8)
def _names_by_folded(path: Path, stamp: int) -> dict[str, dict[str, str]]:
    """Each taxonomy entry's names and cluster code, folded -> its names by language; kept per
    version of the file (``stamp``: its modification time), not read again at every request."""
    named: dict[str, dict[str, str]] = {}
    for topic in load_taxonomy(path).values():
        for label in topic.label.values():
            named.setdefault(fold(" ".join(label.split())), dict(topic.label))
        if topic.id.startswith(CLUSTER_PREFIX):
            named.setdefault(fold(topic.id.removeprefix(CLUSTER_PREFIX)), dict(topic.label))
    return named


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


# Worded as peers' NO_EVIDENCE, so that a hub reads both the same way.
NO_RESOURCE = "no evidence: no resource in the network answers this member's needs; closest match"


def resources_for(snapshot: Snapshot, member: str | Member, options: MemberResourceOptions | None = None) -> list[MemberResourceHit]:
    """Resources for a member's needs and profile, best first (none for a member with neither),
    each flagged when the text it answers is in a language the encoder does not read."""
    options = options or MemberResourceOptions()
    languages = (snapshot.member(member) if isinstance(member, str) else member).languages
    hits = snapshot.recommender.resources_for(member, options)
    # With only_evidence, all weak means none reached a partial match: these are the closest few.
    nothing = [NO_RESOURCE] if hits and options.only_evidence and all(hit.match_quality == "weak" for hit in hits) else []
    return [hit.model_copy(update={"flags": nothing + need_flags(snapshot, hit.because, languages)}) for hit in hits]


def helps_for(snapshot: Snapshot, member_id: str, options: HelpOptions | None = None) -> list[HelpMatch]:
    """Whom a stored member can help: the members whose needs its evidence meets, best first,
    each flagged when its need is in a language the encoder does not read."""
    hits = snapshot.recommender.helps(member_id, options)
    return [hit.model_copy(update={"flags": need_flags(snapshot, hit.need, snapshot.member(hit.id).languages)}) for hit in hits]


def representative_fit_for(snapshot: Snapshot, member: str | Member, cluster: str) -> RepresentativeFit:
    """How well a member's representative fits ``cluster``; raises InvalidFieldError naming the
    known clusters when ``cluster`` is not one of them."""
    clusters = known_clusters(snapshot.settings.taxonomy_path)
    if cluster not in clusters:  # a parameter's value, named like any other invalid one (422 over HTTP)
        raise InvalidFieldError("cluster", f"unknown cluster '{cluster}' (known: {', '.join(clusters)})")
    return snapshot.recommender.representative_fit(member, cluster)


def why_no_help(snapshot: Snapshot, member_id: str, options: HelpOptions) -> Explanation:
    """Why ``helps_for`` found nobody: the member has no evidence to offer (no strength, no
    authored resource), or no other member (sharing a working language, when the options ask
    for one) states a need, or none of those needs is met at least partially (only_evidence).
    The language comes before the evidence: 'ask with only_evidence false' would bring nobody."""
    member = snapshot.member(member_id)
    if not member.strengths and not any(member.id in resource.authors for resource in snapshot.resources):
        return explain(HELPS_NO_EVIDENCE)
    spoken = set(member.languages)
    askers = [
        other
        for other in snapshot.members
        if other.id != member.id and other.needs and (not options.require_common_language or spoken & set(other.languages))
    ]
    return explain(HELPS_NONE_MET if askers and options.only_evidence else HELPS_NO_COMMON_LANGUAGE)
