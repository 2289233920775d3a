"""Pairing a cohort with the network's history applied: a run does not make again the pairs that
were declined or rejected, nor those already in an active partnership or an open proposal; and the
stored ties (twinnings, cooperation agreements) are given to the tie policy the request names."""

from __future__ import annotations

from matcher.pairing.run import PairingRequest, PairingResult, pair_cohort
from matcher.partnerships import Partnerships
from matcher.snapshot import Snapshot
from matcher.ties import Ties


def with_proposal_history(request: PairingRequest, partnerships: Partnerships) -> PairingRequest:
    """``request`` with the pairs declined or rejected in earlier proposals ruled out (as
    ``constraints.declined``, unless it asks to include them) and the pairs in an active
    partnership or an open proposal treated as existing partners (``constraints.engaged``);
    the diagnosis names each. Unless the tie policy is 'ignore', the stored ties are added to
    ``constraints.ties``. The service queues this request as a job (``pair_cohort``)."""
    constraints = request.constraints
    standings = partnerships.pair_standings()  # one read of the proposals
    history = {"engaged": standings.engaged()}
    if constraints.tie_policy != "ignore":
        history["ties"] = Ties(partnerships.store).pairs()
    if not request.include_declined:
        history["declined"] = standings.declined()
    update = {
        name: sorted(set(getattr(constraints, name)) | set(pairs))  # the request's own pairs, and the proposals'
        for name, pairs in history.items()
        if pairs
    }
    if not update:
        return request
    return request.model_copy(update={"constraints": constraints.model_copy(update=update)})


def pairing_for(snapshot: Snapshot, partnerships: Partnerships, request: PairingRequest) -> PairingResult:
    """The pairing of ``request``'s cohort, computed now, with the proposal history applied."""
    return pair_cohort(snapshot.recommender, with_proposal_history(request, partnerships))
