"""Progress figures on proposals whose answer is worked out by hand: statuses, days to active,
ratings, overdue check-ins and answers, per region, network and cluster."""

from __future__ import annotations

import datetime as dt

from matcher.partnerships.model import Event, Proposal
from matcher.progress import progress_report
from matcher.records import Member

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def member(member_id: str, region: str, networks: list[str], clusters: list[str]) -> Member:
    return Member(
        id=member_id,
        name=member_id,
        kind="city",
        country="SN" if region == "Africa" else "FR",
        region=region,  # type: ignore[arg-type]
        languages=["fr"],
        networks=networks,
        clusters=[{"cluster": c} for c in clusters],  # type: ignore[misc]
    )


MEMBERS = {
    "dakar": member("dakar", "Africa", ["GNLC"], ["esd"]),
    "kati": member("kati", "Africa", ["GNLC", "UCLG"], []),
    "lyon": member("lyon", "Europe and North America", ["UCLG"], ["esd"]),
}


def proposal(pid: int, a: str, b: str, status: str, events: list[Event], **extra: object) -> Proposal:
    return Proposal(
        id=pid,
        kind="pairing",
        member_id=a,
        partner_id=b,
        group=None,
        status=status,  # type: ignore[arg-type]
        reason="",
        score=None,
        quality=None,  # type: ignore[arg-type]
        source=None,
        created_by="u",
        created_at=T0,
        events=events,
        **extra,  # type: ignore[arg-type]
    )


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


PROPOSALS = [
    # active after 4 days, check-in due 2026-02-01: overdue on 2026-03-01
    proposal(
        1,
        "dakar",
        "lyon",
        "active",
        [Event("approve", "u", day(1)), Event("respond", "u", day(4), payload={"status": "active"})],
        check_in_due=dt.date(2026, 2, 1),
    ),
    # active after 10 days then closed, rated 4
    proposal(
        2,
        "kati",
        "lyon",
        "closed",
        [
            Event("approve", "u", day(1)),
            Event("respond", "u", day(10), payload={"status": "active"}),
            Event("close", "u", day(40), payload={"status": "closed"}),
        ],
        outcome="training held",
        rating=4,
    ),
    # approved 2026-01-02, nobody answered: answers overdue on 2026-03-01
    proposal(3, "dakar", "kati", "approved", [Event("approve", "u", day(1))]),
    proposal(4, "kati", "lyon", "declined", [Event("approve", "u", day(1)), Event("respond", "u", day(2), payload={"status": "declined"})]),
]


def test_figures_by_region_match_a_hand_count() -> None:
    report = progress_report(PROPOSALS, MEMBERS, "region", dt.date(2026, 3, 1))
    total = report.total
    assert total.proposals == 4
    assert total.by_status == {"proposed": 0, "approved": 1, "rejected": 0, "active": 1, "declined": 1, "closed": 1}
    assert (total.became_active, total.days_to_active_median, total.days_to_active_max) == (2, 7.0, 10.0)
    assert (total.outcomes, total.rating_mean, total.ratings["4"]) == (1, 4.0, 1)
    assert (total.overdue_check_ins, total.overdue_answers) == (1, 1)
    groups = {g.group: g for g in report.groups}
    assert groups["Africa"].proposals == 4  # every proposal has an African side
    assert groups["Europe and North America"].proposals == 3  # 1, 2, 4
    assert groups["Europe and North America"].overdue_answers == 0


def test_groups_by_network_and_cluster_count_a_proposal_once_each() -> None:
    networks = {g.group: g.proposals for g in progress_report(PROPOSALS, MEMBERS, "network", dt.date(2026, 3, 1)).groups}
    assert networks == {"GNLC": 4, "UCLG": 4}  # kati and lyon are UCLG: every proposal has one of them
    clusters = {g.group: g.proposals for g in progress_report(PROPOSALS, MEMBERS, "cluster", dt.date(2026, 3, 1)).groups}
    assert clusters == {"esd": 4, "(none)": 3}  # kati is in no cluster: proposals 2, 3, 4
    early = progress_report(PROPOSALS, MEMBERS, "region", dt.date(2026, 1, 10)).total
    assert (early.overdue_check_ins, early.overdue_answers) == (0, 0)  # nothing was late yet
