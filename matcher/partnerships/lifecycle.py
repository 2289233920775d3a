"""The life of a proposal, as a state machine (pure functions: no storage here).

::

    proposed --approve--> approved --respond (every side accepts)--> active --close--> closed
        \\--reject--> rejected      \\--respond (a side declines)--> declined

* ``approve`` / ``reject``: the secretariat's decision on a proposal (from a pairing run, an
  expert group or a single recommendation).
* ``respond``: one side's answer, recorded by the secretariat or by the hub for that side. A
  pair needs both members' acceptance; the first decline ends it (``declined``). Each side
  answers once.
* An **expert group** proposal invites one member (``member_id``) into a group (``partner_id`` is
  the group's name, not a member): only that member answers, and its acceptance makes it active.
* ``note``, ``check_in`` (a dated follow-up) and ``schedule`` (the next check-in's due date) are
  allowed while the proposal is approved or active; ``close`` ends an active partnership with an outcome and a rating (1-5).
* ``rejected``, ``declined`` and ``closed`` are final.
"""

from __future__ import annotations

from collections.abc import Mapping

from matcher.errors import IllegalTransitionError
from matcher.partnerships.model import Answer, Kind, Status, Step

ALLOWED_FROM: dict[Step, frozenset[Status]] = {
    "approve": frozenset({"proposed"}),
    "reject": frozenset({"proposed"}),
    "respond": frozenset({"approved"}),
    "note": frozenset({"approved", "active"}),
    "check_in": frozenset({"approved", "active"}),
    "schedule": frozenset({"approved", "active"}),
    "close": frozenset({"active"}),
}
OPEN: frozenset[Status] = frozenset({"proposed", "approved", "active"})
FINAL: frozenset[Status] = frozenset({"rejected", "declined", "closed"})


def sides(kind: Kind, member_id: str, partner_id: str) -> tuple[str, ...]:
    """Whose answers a proposal needs: both members of a pair; for an expert group, the invited member."""
    return (member_id,) if kind == "expert_group" else (member_id, partner_id)


def check_step(proposal_id: int, status: Status, step: Step) -> None:
    """Raise IllegalTransitionError unless ``step`` is allowed from ``status``."""
    allowed = ALLOWED_FROM[step]
    if status not in allowed:
        needed = tuple(sorted(allowed))
        raise IllegalTransitionError(proposal_id, status, step.replace("_", "-"), f"allowed when {' or '.join(needed)}", allowed=needed)


def status_after_response(the_sides: tuple[str, ...], responses: Mapping[str, Answer]) -> Status:
    """Declined as soon as one side declines; active once every side has accepted; else still approved."""
    if any(answer == "declined" for answer in responses.values()):
        return "declined"
    if all(responses.get(side) == "accepted" for side in the_sides):
        return "active"
    return "approved"
