"""Graded judgements from what happened to proposals and from feedback, on one scale (TREC qrels grades).

Proposals (a judgement of the partner for the member it was proposed to):

=============================================  =====
what happened                                  grade
=============================================  =====
rejected by the secretariat, or declined        0
accepted by one side, the other not yet         1
active (both sides accepted)                    2
closed, rating 1 or 2 (it happened, poorly)     1
closed, rating 3                                2
closed, rating 4                                3
closed, rating 5                                4
proposed, or approved with no answer yet        (none: nothing is known yet)
=============================================  =====

Feedback (``POST /v1/feedback``): a rating r gives ``max(0, r - 2)`` (1-2: 0, 3: 1, 4: 2, 5: 3);
without a rating, 'declined' 0 and 'accepted' 1. A proposal's outcome says more than a click on a
recommendation, so where both judge the same pair the latest proposal's grade is kept.
"""

from __future__ import annotations

from matcher.partnerships.model import Proposal

CLOSED_GRADE = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}


def proposal_grade(proposal: Proposal) -> int | None:
    """The grade of a proposal's partner for its member, or None while nothing is known."""
    if proposal.status in ("rejected", "declined"):
        return 0
    if proposal.status == "active":
        return 2
    if proposal.status == "closed":
        return CLOSED_GRADE.get(proposal.rating or 0, 2)  # close() always records a rating
    if proposal.status == "approved" and "accepted" in proposal.responses.values():
        return 1
    return None


def feedback_grade(verdict: str | None, rating: int | None) -> int | None:
    """The grade of one feedback row, or None when it says nothing."""
    if rating is not None:
        return max(0, int(rating) - 2)
    if verdict == "declined":
        return 0
    if verdict == "accepted":
        return 1
    return None
