"""The life of a request, as a state machine (pure: no storage here).

::

    received --triage(accept)--> triaged --propose--> proposed --approve--> approved --deliver--> in_delivery --close--> closed
             \\--triage(decline)--> declined                      (partners respond; a decline re-solves)

* ``triage``: the secretariat accepts the request or declines it with a reason (final).
* ``propose``: a package solved and stored (again while proposed: a new package replaces the
  parts nobody confirmed). ``resolve``: solved again with the confirmed parts locked, after a
  partner declined, a partner was swapped or the constraints changed (proposed or approved).
* ``respond``: a partner confirms or declines its part (approved only: the secretariat approves first).
* ``deliver``: every part of the package is confirmed; its capacity stays committed.
* ``note`` and ``check_in`` while approved or in delivery; ``close`` ends delivery with an outcome
  per component and a rating (1-5).
"""

from __future__ import annotations

from matcher.requests.errors import RequestConflictError
from matcher.requests.model import Step
from matcher.requests.records import RequestStatus

ALLOWED_FROM: dict[Step, frozenset[RequestStatus]] = {
    "triage": frozenset({"received"}),
    "propose": frozenset({"triaged", "proposed"}),
    "approve": frozenset({"proposed"}),
    "respond": frozenset({"approved"}),
    "resolve": frozenset({"proposed", "approved"}),
    "deliver": frozenset({"approved"}),
    "note": frozenset({"approved", "in_delivery"}),
    "check_in": frozenset({"approved", "in_delivery"}),
    "close": frozenset({"in_delivery"}),
}
FINAL: frozenset[RequestStatus] = frozenset({"declined", "closed"})
# Requests whose parts hold capacity for the other packages' solves (a received or triaged one has no parts).
ACTIVE: frozenset[RequestStatus] = frozenset({"proposed", "approved", "in_delivery", "closed"})


def check_step(request_id: str, status: RequestStatus, step: Step) -> None:
    """Raise RequestConflictError unless ``step`` is allowed from ``status``."""
    allowed = ALLOWED_FROM[step]
    if status not in allowed:
        needed = tuple(sorted(allowed))
        raise RequestConflictError(
            f"request '{request_id}' is '{status}': cannot {step.replace('_', '-')} (allowed when {' or '.join(needed)})",
            status=status,
            allowed=needed,
        )
