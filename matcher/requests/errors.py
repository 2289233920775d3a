"""What can go wrong with offers, requests and packages, each naming the field, id or constraint.

They subclass the proposals' errors so that every adapter (the service's 404/409/422, the
console's error page, the command line) already knows how to tell them."""

from __future__ import annotations

from matcher.errors import InvalidProposalError, ProposalConflictError, UnknownIdError


class UnknownRequestError(UnknownIdError):
    def __init__(self, request_id: object) -> None:
        super().__init__("request", str(request_id))


class UnknownOfferError(UnknownIdError):
    def __init__(self, offer_id: object) -> None:
        super().__init__("offer", str(offer_id))


class InvalidRequestStepError(InvalidProposalError):
    """A step's argument refused: ``field`` names it (the service answers 422)."""


class RequestConflictError(ProposalConflictError):
    """A step the request's status does not allow (the message names the status), or an id
    already taken (the service answers 409). What a page tells in its reader's language:
    ``status`` and ``allowed`` (the request's status, and those the step needs), ``waiting`` (the
    parts not confirmed yet, for a delivery), ``part`` (a part answered already, and its status)."""

    def __init__(
        self,
        message: str,
        *,
        status: str = "",
        allowed: tuple[str, ...] = (),
        waiting: tuple[int, ...] = (),
        part: tuple[int, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.allowed = allowed
        self.waiting = waiting
        self.part = part


class PackageConstraintError(InvalidProposalError):
    """A package's constraints cannot all hold: ``field`` names the one that binds
    (max_partners, regional_partner, force_in) and the message says why. ``members`` are the
    member ids the message names (a page names them by name), ``count`` a number it gives and
    ``both_ways`` says that a member is forced in and out at once."""

    def __init__(
        self, field: str, message: str, *, members: tuple[str, ...] = (), count: int | None = None, both_ways: bool = False
    ) -> None:
        super().__init__(field, message)
        self.members = members
        self.count = count
        self.both_ways = both_ways
