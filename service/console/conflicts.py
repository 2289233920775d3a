"""A step that a proposal's or a request's state no longer allows, or a package whose constraints
cannot all hold, told in the reader's language.

The books raise conflicts with English sentences, which the API returns as they are. On a console
page the usual cause is that someone acted since the page was shown (another officer, or a member
by its e-mailed link), or a step taken too early (a delivery before every part is confirmed): the
reader is told which state the step needs and which one there is now, in its own words.
"""

from __future__ import annotations

from matcher.errors import IllegalTransitionError
from matcher.requests.errors import PackageConstraintError, RequestConflictError
from service.console.web import ConsolePage

# The words the pages show for each status (service/console/templates/*macros.html): the same
# message ids, so already translated.
REQUEST_STATUS_WORDS = {"proposed": "package proposed", "in_delivery": "in delivery"}
PART_STATUS_WORDS = {"proposed": "awaiting an answer"}


def proposal_conflict(page: ConsolePage, error: IllegalTransitionError) -> str:
    t = page.t
    if error.answered is not None:
        side, answer = error.answered
        name = page.state.snapshot.names.get(side, side)
        return t.plain("%(member)s has already answered: %(answer)s.", member=name, answer=t.plain(answer))
    if error.allowed:
        return t.plain(
            "This step needs the proposal to be %(allowed)s, and it is %(status)s now (someone may have acted on it meanwhile).",
            allowed=", ".join(t.plain(status) for status in error.allowed),
            status=t.plain(error.status),
        )
    return str(error)


def request_conflict(page: ConsolePage, error: RequestConflictError) -> str:
    t = page.t

    def status_word(status: str) -> str:
        return t.plain(REQUEST_STATUS_WORDS.get(status, status))

    if error.waiting:
        parts = ", ".join(str(part) for part in error.waiting)
        return t.plain("The delivery starts once every part is confirmed; parts %(parts)s are not confirmed yet.", parts=parts)
    if error.part is not None:
        part, status = error.part
        word = t.plain(PART_STATUS_WORDS.get(status, status))
        return t.plain("Part %(part)s is %(status)s already: it cannot be answered again.", part=part, status=word)
    if error.allowed:
        return t.plain(
            "This step needs the request to be %(allowed)s, and it is %(status)s now (someone may have acted on it meanwhile).",
            allowed=", ".join(status_word(status) for status in error.allowed),
            status=status_word(error.status),
        )
    return str(error)


def package_problem(page: ConsolePage, error: PackageConstraintError) -> str:
    """The package constraint (of the form above the package) that cannot hold, and why."""
    t = page.t
    names = [page.state.snapshot.names.get(member, member) for member in error.members]
    if error.field == "max_partners" and names:
        return t.plain(
            "At most %(count)s partners, but %(names)s are locked or forced in.",
            count=error.count,
            names=", ".join(names),
        )
    if error.field == "max_partners":
        return t.plain("At most %(count)s partners: it must be at least 1.", count=error.count)
    if error.both_ways:
        return t.plain("%(name)s is both forced in and left out.", name=names[0])
    if error.field == "force_in":
        return t.plain("%(name)s has no offer that suits any part of this request.", name=names[0])
    if error.field == "regional_partner":
        return t.plain("No offer that suits this request comes from a partner in the requester's region.")
    if error.field == "package":  # each rule can hold, but not all of them in one package
        return t.plain(
            "No package keeps all these rules at once (the partners forced in or locked, the number of partners,"
            " a partner from the requester's region): loosen one of them."
        )
    return str(error)
