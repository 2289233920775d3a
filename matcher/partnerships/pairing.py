"""A pairing run does not propose again the pairs that were declined or rejected before."""

from __future__ import annotations

from matcher.pairing.run import PairingRequest
from matcher.partnerships.partnerships import Partnerships


def without_declined(request: PairingRequest, partnerships: Partnerships) -> PairingRequest:
    """``request`` with the pairs declined or rejected in earlier proposals ruled out (as
    ``constraints.declined``, which the diagnosis names), unless it asks to include them."""
    if request.include_declined:
        return request
    declined = partnerships.declined_pairs()
    if not declined:
        return request
    return request.model_copy(update={"constraints": request.constraints.model_copy(update={"declined": declined})})
