"""The progress figures, computed from the proposals and their events (pure: no storage here).

A proposal belongs to every group of either of its members (an expert-group proposal: of its one
member), so a group's figures count each of its proposals once and the groups may overlap; the
``total`` row counts every proposal once.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, Field

from matcher.partnerships.model import ANSWER_DAYS, STATUSES, Proposal
from matcher.records import Member

GroupBy = Literal["network", "cluster", "region"]
GROUPINGS: tuple[GroupBy, ...] = ("network", "cluster", "region")
NONE = "(none)"  # members of no network or no cluster: kept in the figures, under this name


class GroupProgress(BaseModel):
    group: str
    proposals: int
    by_status: dict[str, int] = Field(description="Status -> proposals (every status listed, 0 included).")
    became_active: int = Field(description="Proposals that became active (both sides accepted), whatever their status now.")
    days_to_active_median: float | None = Field(description="Median days from proposal to active (None: none became active).")
    days_to_active_max: float | None
    outcomes: int = Field(description="Partnerships closed with an outcome.")
    rating_mean: float | None = Field(description="Mean rating 1-5 of the closed ones (None: none rated).")
    ratings: dict[str, int] = Field(description="Rating '1'..'5' -> closed partnerships.")
    overdue_check_ins: int = Field(description="Approved or active proposals whose check-in due date has passed.")
    overdue_answers: int = Field(description=f"Approved over {ANSWER_DAYS} days ago with a side still to answer.")


class ProgressReport(BaseModel):
    by: GroupBy
    today: dt.date
    total: GroupProgress
    groups: list[GroupProgress]


def groups_of(member: Member | None, by: GroupBy) -> list[str]:
    if member is None:
        return [NONE]
    if by == "region":
        return [member.region]
    if by == "network":
        return list(member.networks) or [NONE]
    return [c.cluster for c in member.clusters] or [NONE]


def days_to_active(proposal: Proposal) -> float | None:
    """Days from the proposal to the event that made it active, if one did."""
    for event in proposal.events:
        if event.payload.get("status") == "active":
            return round((event.at - proposal.created_at).total_seconds() / 86_400, 2)
    return None


def figures(name: str, proposals: list[Proposal], today: dt.date) -> GroupProgress:
    by_status = dict.fromkeys(STATUSES, 0)
    delays = []
    ratings = {str(r): 0 for r in range(1, 6)}
    overdue_check_ins = overdue_answers = outcomes = 0
    for p in proposals:
        by_status[p.status] += 1
        delay = days_to_active(p)
        if delay is not None:
            delays.append(delay)
        if p.status == "closed" and p.outcome:
            outcomes += 1
        if p.rating is not None:
            ratings[str(p.rating)] += 1
        late = p.overdue(today)
        overdue_check_ins += "check_in" in late
        overdue_answers += "answers" in late
    rated = [int(r) for r, n in ratings.items() for _ in range(n)]
    return GroupProgress(
        group=name,
        proposals=len(proposals),
        by_status=by_status,
        became_active=len(delays),
        days_to_active_median=round(statistics.median(delays), 2) if delays else None,
        days_to_active_max=max(delays) if delays else None,
        outcomes=outcomes,
        rating_mean=round(statistics.fmean(rated), 2) if rated else None,
        ratings=ratings,
        overdue_check_ins=overdue_check_ins,
        overdue_answers=overdue_answers,
    )


def progress_report(proposals: Iterable[Proposal], members: Mapping[str, Member], by: GroupBy, today: dt.date) -> ProgressReport:
    """The figures of every group (by network, cluster or region), biggest first, and the total."""
    every = list(proposals)
    grouped: dict[str, list[Proposal]] = {}
    for p in every:
        sides = (p.member_id,) if p.kind == "expert_group" else (p.member_id, p.partner_id)
        names = {g for side in sides for g in groups_of(members.get(side), by)}
        for name in names:
            grouped.setdefault(name, []).append(p)
    groups = sorted((figures(name, ps, today) for name, ps in grouped.items()), key=lambda g: (-g.proposals, g.group))
    return ProgressReport(by=by, today=today, total=figures("total", every, today), groups=groups)
