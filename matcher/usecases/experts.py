"""Expert groups, resources for a member and representative fit: one call per question."""

from __future__ import annotations

from matcher.errors import PeermatchError
from matcher.recommend.clusters import known_clusters
from matcher.recommend.experts import ExpertGroup, ExpertOptions
from matcher.recommend.helps import HelpMatch, HelpOptions
from matcher.recommend.member_resources import MemberResourceHit, MemberResourceOptions
from matcher.recommend.representatives import RepresentativeFit
from matcher.records import Member
from matcher.snapshot import Snapshot


def experts_for(snapshot: Snapshot, theme: str, options: ExpertOptions | None = None) -> ExpertGroup:
    """An expert group for ``theme`` that covers its aspects (those nobody covers are named)."""
    return snapshot.recommender.experts(theme, options)


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
