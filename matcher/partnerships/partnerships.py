"""The Python API of partnerships: propose, decide, answer, follow up and close, every step stored
with who and when (``Partnerships(store)``; the console and the service's /v1/proposals call it).

    book = Partnerships(workspace.store)
    p = book.propose("recommendation", "city-cove-bj", "city-lyon-fr", "user:alice", reason="...", score=0.74)
    book.approve(p.id, "user:alice")
    book.respond(p.id, "city-cove-bj", True, "key:hub")
    book.respond(p.id, "city-lyon-fr", True, "user:alice")      # both accepted: active
    book.check_in(p.id, "user:alice", dt.date(2027, 1, 15), "first exchange held")
    book.close(p.id, "user:alice", "joint training delivered", 5)

The states and what each step allows: ``matcher.partnerships.lifecycle``.
"""

from __future__ import annotations

import builtins
import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from matcher.errors import DuplicateProposalError, IllegalTransitionError, InvalidProposalError, UnknownProposalError
from matcher.explanations import FIELD_EMPTY, NEXT_CHECK_IN_NOT_AFTER, NOT_A_RATING, explain
from matcher.partnerships import storage
from matcher.partnerships.lifecycle import OPEN, check_step, status_after_response
from matcher.partnerships.model import KINDS, STATUSES, Answer, Kind, Proposal, Status, Step
from matcher.store import Store

QUALITIES = ("strong", "partial", "weak")  # matcher.scoring.calibration's match qualities
MAX_TEXT = 10_000  # characters of a note, reason or outcome
MAX_ID = 200  # characters of an id, actor or group name
MAX_PAGE = 500


class Partnerships:
    """Proposals and their lives, kept in ``store`` (its tables: migration 4)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ---- the steps ------------------------------------------------------------------------------

    def propose(
        self,
        kind: Kind,
        member_id: str,
        partner_id: str,
        actor: str,
        *,
        reason: str = "",
        score: float | None = None,
        quality: str | None = None,
        source: str | None = None,
        group: str | None = None,
    ) -> Proposal:
        """A new proposal (status ``proposed``). ``partner_id`` is a member id, or for
        ``expert_group`` the group's name (``group`` then defaults to it and must equal it).
        Raises InvalidProposalError naming the field (an unknown member id...) and
        DuplicateProposalError when the pair already has an open proposal."""
        _actor(actor)
        if kind not in KINDS:
            raise InvalidProposalError("kind", f"'{kind}' is not one of {', '.join(KINDS)}")
        _text("member_id", member_id, MAX_ID, required=True)
        _text("partner_id", partner_id, MAX_ID, required=True)
        _text("reason", reason, MAX_TEXT)
        _text("source", source, MAX_TEXT)
        if kind == "expert_group":
            if group is not None and group != partner_id:
                why = f"an expert group proposal's partner_id is the group: '{group}' differs from '{partner_id}'"
                raise InvalidProposalError("group", why)
            group = partner_id
        _text("group", group, MAX_ID)
        if member_id == partner_id:
            raise InvalidProposalError("partner_id", f"'{partner_id}' is the member itself")
        if score is not None and (isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score)):
            raise InvalidProposalError("score", f"{score!r} is not a finite number")
        if quality is not None and quality not in QUALITIES:
            raise InvalidProposalError("quality", f"'{quality}' is not one of {', '.join(QUALITIES)}")
        members = [member_id] if kind == "expert_group" else [member_id, partner_id]
        known = self.store.existing("members", members)
        for field, member in zip(("member_id", "partner_id"), members, strict=False):
            if member not in known:
                raise InvalidProposalError(field, f"no member with id '{member}'")
        at = storage.now()
        values: dict[str, Any] = {"kind": kind, "member_id": member_id, "partner_id": partner_id, "group": group, "reason": reason}
        values |= {"score": score, "quality": quality, "source": source, "actor": actor}
        with self.store.transaction() as db:
            existing = storage.open_for_pair(db, kind, member_id, partner_id)
            if existing is not None:
                raise DuplicateProposalError(existing[0], member_id, partner_id, existing[1])
            proposal_id = storage.insert_proposal(db, values, at)
            payload: dict[str, Any] = {"status": "proposed"}
            storage.append_event(db, proposal_id, "propose", actor, at, reason, payload)
            return _loaded(db, proposal_id)

    def approve(self, proposal_id: int, actor: str, note: str = "") -> Proposal:
        """The secretariat approves: the sides can now answer."""
        return self._move(proposal_id, "approve", actor, note, lambda p: ("approved", {}))

    def reject(self, proposal_id: int, actor: str, note: str = "") -> Proposal:
        """The secretariat rejects: final (and the pair is not proposed again to either member unless asked)."""
        return self._move(proposal_id, "reject", actor, note, lambda p: ("rejected", {}))

    def respond(self, proposal_id: int, side: str, accepted: bool, actor: str, note: str = "") -> Proposal:
        """One side's answer (``side``: the member id of that side). Both accepted: active; one declined: declined."""
        if not isinstance(accepted, bool):
            raise InvalidProposalError("accepted", f"{accepted!r} is not true or false")
        answer: Answer = "accepted" if accepted else "declined"

        def decide(p: Proposal) -> tuple[Status, dict[str, Any]]:
            if side not in p.sides:
                raise InvalidProposalError("side", f"'{side}' is not a side of proposal {p.id} (sides: {', '.join(p.sides)})")
            if side in p.responses:
                answered = (side, p.responses[side])
                raise IllegalTransitionError(p.id, p.status, "respond", f"'{side}' already answered '{answered[1]}'", answered=answered)
            return status_after_response(p.sides, p.responses | {side: answer}), {"side": side, "answer": answer}

        return self._move(proposal_id, "respond", actor, note, decide)

    def add_note(self, proposal_id: int, actor: str, note: str) -> Proposal:
        """A follow-up note (approved or active proposals)."""
        _text("note", note, MAX_TEXT, required=True)
        return self._move(proposal_id, "note", actor, note, lambda p: (p.status, {}))

    def check_in(self, proposal_id: int, actor: str, on: dt.date, note: str, next_due: dt.date | None = None) -> Proposal:
        """A dated check-in (``on``: the day it was held; approved or active proposals). It settles
        the check-in that was due; ``next_due`` sets the next one's due date."""
        if not isinstance(on, dt.date):
            raise InvalidProposalError("on", f"{on!r} is not a date")
        if next_due is not None and not isinstance(next_due, dt.date):
            raise InvalidProposalError("next_due", f"{next_due!r} is not a date")
        _text("note", note, MAX_TEXT)
        on_day = on.date() if isinstance(on, dt.datetime) else on
        if next_due is not None and next_due <= on_day:  # it would be overdue the moment it is set
            why = explain(NEXT_CHECK_IN_NOT_AFTER, next_due=next_due.isoformat(), held=on_day.isoformat())
            raise InvalidProposalError("next_due", why.text(), why)
        payload = {"on": on_day.isoformat()} | ({"next_due": next_due.isoformat()} if next_due else {})
        due = {"check_in_due": next_due.isoformat() if next_due else None}
        return self._move(proposal_id, "check_in", actor, note, lambda p: (p.status, payload), columns=due)

    def schedule_check_in(self, proposal_id: int, actor: str, due: dt.date, note: str = "") -> Proposal:
        """Set the next check-in's due date (approved or active proposals); reminders go out once it is due."""
        if not isinstance(due, dt.date):
            raise InvalidProposalError("due", f"{due!r} is not a date")
        due_day = due.date() if isinstance(due, dt.datetime) else due
        payload = {"due": due_day.isoformat()}
        column = {"check_in_due": due_day.isoformat()}
        return self._move(proposal_id, "schedule", actor, note, lambda p: (p.status, payload), columns=column)

    def close(self, proposal_id: int, actor: str, outcome: str, rating: int, note: str = "") -> Proposal:
        """End an active partnership with its outcome and a rating from 1 (poor) to 5 (excellent)."""
        _text("outcome", outcome, MAX_TEXT, required=True)
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidProposalError("rating", f"{rating!r} is not an integer from 1 to 5", explain(NOT_A_RATING, value=str(rating)))
        return self._move(
            proposal_id, "close", actor, note, lambda p: ("closed", {"outcome": outcome, "rating": rating}), closing=(outcome, rating)
        )

    # ---- reads ----------------------------------------------------------------------------------

    def get(self, proposal_id: int) -> Proposal:
        with self.store.reading() as db:
            return _loaded(db, proposal_id)

    def list(
        self, *, status: str | None = None, member_id: str | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[int, builtins.list[Proposal]]:
        """(how many match, one page of them), newest first; ``member_id`` matches either side."""
        if status is not None and status not in STATUSES:
            raise InvalidProposalError("status", f"'{status}' is not one of {', '.join(STATUSES)}")
        if offset < 0:
            raise InvalidProposalError("offset", f"{offset} is negative")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidProposalError("limit", f"{limit} is not from 1 to {MAX_PAGE}")
        with self.store.reading() as db:
            return storage.page(db, status, member_id, offset, limit)

    def standing_with(self, member_id: str) -> dict[str, Status]:
        """Each member ``member_id`` has had a proposal with -> the status of the latest one (one read)."""
        latest: dict[str, Status] = {}
        with self.store.reading() as db:
            for other, status in storage.pair_statuses(db, member_id):  # oldest first: the latest stays
                latest[other] = status
        return latest

    def declined_partners(self, member_id: str) -> set[str]:
        """Members not to propose to ``member_id`` again unless asked: those whose latest proposal
        with it was declined (by either side) or rejected by the secretariat. A later proposal
        of the same pair that was not declined lifts it."""
        return declined_in(self.standing_with(member_id))

    def pair_standings(self) -> PairStandings:
        """Each pair of members that had a proposal -> the status of the latest one (one read)."""
        latest: dict[frozenset[str], Status] = {}
        with self.store.reading() as db:
            for member_id, partner_id, status in storage.member_pairs(db):  # oldest first: the latest stays
                latest[frozenset((member_id, partner_id))] = status
        return PairStandings(latest)

    def all(self) -> builtins.list[Proposal]:
        """Every proposal, oldest first (the evaluation's judgements are made from them)."""
        with self.store.reading() as db:
            return storage.every_proposal(db)

    # ---- one step, in one transaction --------------------------------------------------------------

    def _move(
        self,
        proposal_id: int,
        step: Step,
        actor: str,
        note: str,
        decide: Callable[[Proposal], tuple[Status, dict[str, Any]]],
        closing: tuple[str, int] | None = None,
        columns: dict[str, Any] | None = None,
    ) -> Proposal:
        """Load, check that ``step`` is allowed, let ``decide(proposal)`` give the next status and
        the event's payload, write both: one transaction."""
        _actor(actor)
        _text("note", note, MAX_TEXT)
        with self.store.transaction() as db:
            proposal = _loaded(db, proposal_id)
            check_step(proposal.id, proposal.status, step)
            status, payload = decide(proposal)
            at = storage.now()
            if status != proposal.status:
                payload = payload | {"status": status}
            storage.append_event(db, proposal.id, step, actor, at, note, payload)
            extra = ({"outcome": closing[0], "rating": closing[1]} if closing else {}) | (columns or {})
            storage.set_status(db, proposal.id, status, at, **extra)
            return _loaded(db, proposal.id)


def _loaded(db: Any, proposal_id: int) -> Proposal:
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int):
        raise UnknownProposalError(proposal_id)
    proposal = storage.load(db, proposal_id)
    if proposal is None:
        raise UnknownProposalError(proposal_id)
    return proposal


def _actor(actor: str) -> None:
    _text("actor", actor, MAX_ID, required=True)


def _text(field: str, value: str | None, limit: int, required: bool = False) -> None:
    if value is None:
        if required:
            raise InvalidProposalError(field, "is required")
        return
    if not isinstance(value, str):
        raise InvalidProposalError(field, f"{value!r} is not text")
    if required and not value.strip():
        raise InvalidProposalError(field, "is empty", explain(FIELD_EMPTY))
    if len(value) > limit:
        raise InvalidProposalError(field, f"is {len(value)} characters long (at most {limit})")


def declined_in(standing: dict[str, Status]) -> set[str]:
    """The declined or rejected among ``Partnerships.standing_with``'s answer."""
    return {other for other, status in standing.items() if status in ("declined", "rejected")}


class PairStandings:
    """The latest proposal status of every pair of members, as a pairing run reads it."""

    def __init__(self, latest: dict[frozenset[str], Status]) -> None:
        self.latest = latest

    def declined(self) -> builtins.list[tuple[str, str]]:
        """Pairs whose latest proposal was declined or rejected (a pairing run leaves them out
        unless asked), in a stable order."""
        return self._whose_latest_is(frozenset({"declined", "rejected"}))

    def engaged(self) -> builtins.list[tuple[str, str]]:
        """Pairs whose latest proposal is open (proposed, approved) or active: partners already."""
        return self._whose_latest_is(OPEN)

    def _whose_latest_is(self, statuses: frozenset[Status]) -> builtins.list[tuple[str, str]]:
        return sorted(tuple(sorted(pair)) for pair, status in self.latest.items() if status in statuses)  # type: ignore[misc]
