"""The Python API of offers and requests: store offers, receive a request, and every step of its
life, stored with who and when (``RequestBook(store)``; the use case ``matcher.usecases.requests``
solves the packages it stores, and /v1/requests, the console and the command line call that).

    book = RequestBook(workspace.store)
    book.put_offers(offers)
    book.receive(request, "user:alice")
    book.triage("req-1", "user:alice", accepted=True, note="within the Coalition's mandate")
    # ... matcher.usecases.requests.propose(snapshot, book, "req-1", "user:alice")
    book.approve("req-1", "user:alice")
    book.respond("req-1", part_id, accepted=True, actor="key:hub")
    book.deliver("req-1", "user:alice")
    book.check_in("req-1", "user:alice", dt.date(2027, 3, 1), "routers installed in 40 schools")
    book.close("req-1", "user:alice", {0: "delivered", 1: "delivered"}, rating=4)
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from matcher.explanations import FIELD_EMPTY, NOT_A_RATING, english_noun, explain
from matcher.requests import storage
from matcher.requests.errors import InvalidRequestStepError, RequestConflictError, UnknownOfferError, UnknownRequestError
from matcher.requests.lifecycle import check_step
from matcher.requests.model import Part, Step, StoredRequest
from matcher.requests.records import REQUEST_STATUSES, Offer, Request, RequestStatus
from matcher.store import Store

MAX_TEXT = 10_000
MAX_ID = 200
MAX_PAGE = 500


class RequestBook:
    """Offers, requests and their lives, kept in ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ---- offers ---------------------------------------------------------------------------------

    def put_offers(self, offers: Sequence[Offer]) -> int:
        """Add or replace offers (by id); every offer's member must exist (InvalidRequestStepError
        names the offer and the unknown member). All or nothing."""
        known = self.store.existing("members", {offer.member_id for offer in offers})
        for offer in offers:
            if offer.member_id not in known:
                raise InvalidRequestStepError("member_id", f"offer '{offer.id}': no member with id '{offer.member_id}'")
        with self.store.transaction() as db:
            return storage.upsert_offers(db, offers, storage.now())

    def offers(self, member_id: str | None = None, offer_type: str | None = None) -> list[Offer]:
        with self.store.reading() as db:
            return storage.offers(db, member_id, offer_type)

    def offer(self, offer_id: str) -> Offer:
        for offer in self.offers():
            if offer.id == offer_id:
                return offer
        raise UnknownOfferError(offer_id)

    def delete_offer(self, offer_id: str) -> None:
        """Remove an offer no active package holds (RequestConflictError names the requests that do)."""
        with self.store.transaction() as db:
            holders = storage.requests_holding(db, offer_id)
            if holders:
                raise RequestConflictError(f"offer '{offer_id}' is part of the packages of {', '.join(holders)}: it cannot be removed")
            if not storage.delete_offer(db, offer_id):
                raise UnknownOfferError(offer_id)

    def committed(self, except_request: str | None = None) -> dict[str, float]:
        """Each offer -> what active packages (other than ``except_request``) hold of it."""
        with self.store.reading() as db:
            return storage.committed_by_offer(db, except_request)

    # ---- the steps --------------------------------------------------------------------------------

    def receive(self, request: Request, actor: str, note: str = "") -> StoredRequest:
        """A new request (status ``received``); a requester id must be a stored member."""
        _text("actor", actor, MAX_ID, required=True)
        _text("note", note, MAX_TEXT)
        if request.requester_id is not None and not self.store.existing("members", [request.requester_id]):
            raise InvalidRequestStepError("requester_id", f"no member with id '{request.requester_id}'")
        at = storage.now()
        with self.store.transaction() as db:
            if storage.exists(db, request.id):
                raise RequestConflictError(f"a request with id '{request.id}' already exists")
            storage.insert_request(db, request, actor, at)
            storage.append_event(db, request.id, "receive", actor, at, note, {"status": "received"})
            return _loaded(db, request.id)

    def triage(self, request_id: str, actor: str, accepted: bool, note: str = "") -> StoredRequest:
        """The secretariat accepts the request (``triaged``) or declines it with a reason (final)."""
        if not isinstance(accepted, bool):
            raise InvalidRequestStepError("accepted", f"{accepted!r} is not true or false")
        if not accepted and not note.strip():
            raise InvalidRequestStepError("note", "declining a request needs a reason")
        status: RequestStatus = "triaged" if accepted else "declined"
        return self._move(request_id, "triage", actor, note, lambda r: (status, {"accepted": accepted}))

    def propose(
        self, request_id: str, actor: str, parts: Sequence[dict[str, Any]], payload: dict[str, Any], note: str = ""
    ) -> StoredRequest:
        """Store a solved package (``parts``: component, offer_id, member_id, amount, score): the
        parts nobody confirmed are replaced; ``payload`` keeps the solve's summary in the event."""
        return self._move(request_id, "propose", actor, note, lambda r: ("proposed", payload), parts=parts)

    def resolve(
        self, request_id: str, actor: str, parts: Sequence[dict[str, Any]], payload: dict[str, Any], note: str = ""
    ) -> StoredRequest:
        """Store a package solved again with the confirmed parts locked (they stay; ``parts`` are the new ones)."""
        return self._move(request_id, "resolve", actor, note, lambda r: (r.status, payload), parts=parts)

    def approve(self, request_id: str, actor: str, note: str = "") -> StoredRequest:
        def decide(r: StoredRequest) -> tuple[RequestStatus, dict[str, Any]]:
            if not r.package:
                raise RequestConflictError(f"request '{r.id}' has no part to approve: solve a package first")
            return "approved", {}

        return self._move(request_id, "approve", actor, note, decide)

    def respond(self, request_id: str, part_id: int, accepted: bool, actor: str, note: str = "") -> StoredRequest:
        """A partner confirms or declines its part (the request stays approved; a declined part
        leaves the package, and ``matcher.usecases.requests.respond`` solves a replacement)."""
        if not isinstance(accepted, bool):
            raise InvalidRequestStepError("accepted", f"{accepted!r} is not true or false")

        def decide(r: StoredRequest) -> tuple[RequestStatus, dict[str, Any]]:
            part = _part(r, part_id)
            if part.status != "proposed":
                raise RequestConflictError(
                    f"part {part_id} of request '{r.id}' is '{part.status}': it cannot be answered again", part=(part_id, part.status)
                )
            answer = "confirmed" if accepted else "declined"
            return r.status, {"part": part_id, "member_id": part.member_id, "offer_id": part.offer_id, "answer": answer}

        return self._move(request_id, "respond", actor, note, decide)

    def deliver(self, request_id: str, actor: str, note: str = "") -> StoredRequest:
        """Delivery starts: every part of the package is confirmed (their capacity stays committed)."""

        def decide(r: StoredRequest) -> tuple[RequestStatus, dict[str, Any]]:
            waiting = [p.id for p in r.package if p.status != "confirmed"]
            if not r.package or waiting:
                why = "it has no part" if not r.package else f"parts {', '.join(map(str, waiting))} are not confirmed yet"
                raise RequestConflictError(f"request '{r.id}' cannot go into delivery: {why}", waiting=tuple(waiting))
            return "in_delivery", {}

        return self._move(request_id, "deliver", actor, note, decide)

    def add_note(self, request_id: str, actor: str, note: str) -> StoredRequest:
        _text("note", note, MAX_TEXT, required=True)
        return self._move(request_id, "note", actor, note, lambda r: (r.status, {}))

    def check_in(self, request_id: str, actor: str, on: dt.date, note: str) -> StoredRequest:
        if not isinstance(on, dt.date):
            raise InvalidRequestStepError("on", f"{on!r} is not a date")
        day = on.date() if isinstance(on, dt.datetime) else on
        return self._move(request_id, "check_in", actor, note, lambda r: (r.status, {"on": day.isoformat()}))

    def close(self, request_id: str, actor: str, outcomes: dict[int, str], rating: int, note: str = "") -> StoredRequest:
        """End delivery: ``outcomes`` gives each component (by index) its outcome; a rating 1-5."""
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidRequestStepError("rating", f"{rating!r} is not an integer from 1 to 5", explain(NOT_A_RATING, value=str(rating)))

        def decide(r: StoredRequest) -> tuple[RequestStatus, dict[str, Any]]:
            n = len(r.request.components)
            for index, text in outcomes.items():
                if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
                    raise InvalidRequestStepError("outcomes", f"{index!r} is not a component of request '{r.id}' (0 to {n - 1})")
                _text(f"outcomes.{index}", text, MAX_TEXT, required=True)
            missing = [i for i in range(n) if i not in outcomes]
            if missing:
                components = english_noun(len(missing), "component")
                raise InvalidRequestStepError("outcomes", f"no outcome for {components} {', '.join(map(str, missing))}")
            return "closed", {"outcomes": {str(k): v for k, v in sorted(outcomes.items())}, "rating": rating}

        return self._move(request_id, "close", actor, note, decide, closing=True)

    # ---- reads ----------------------------------------------------------------------------------

    def get(self, request_id: str) -> StoredRequest:
        with self.store.reading() as db:
            return _loaded(db, request_id)

    def list(
        self, *, status: str | None = None, country: str | None = None, offer_type: str | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[int, builtins.list[StoredRequest]]:
        if status is not None and status not in REQUEST_STATUSES:
            raise InvalidRequestStepError("status", f"'{status}' is not one of {', '.join(REQUEST_STATUSES)}")
        if offset < 0:
            raise InvalidRequestStepError("offset", f"{offset} is negative")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidRequestStepError("limit", f"{limit} is not from 1 to {MAX_PAGE}")
        with self.store.reading() as db:
            return storage.page(db, status, country, offer_type, offset, limit)

    # ---- one step, in one transaction -------------------------------------------------------------

    def _move(
        self,
        request_id: str,
        step: Step,
        actor: str,
        note: str,
        decide: Callable[[StoredRequest], tuple[RequestStatus, dict[str, Any]]],
        parts: Sequence[dict[str, Any]] | None = None,
        closing: bool = False,
    ) -> StoredRequest:
        _text("actor", actor, MAX_ID, required=True)
        _text("note", note, MAX_TEXT)
        with self.store.transaction() as db:
            stored = _loaded(db, request_id)
            check_step(stored.id, stored.status, step)
            status, payload = decide(stored)
            at = storage.now()
            if parts is not None:
                _check_capacity(db, stored, parts)
                # a part the new solve proposes again unchanged keeps its id (its partner may be answering it)
                same = {(p.component, p.offer_id, round(p.amount, 6)): p.id for p in stored.parts if p.status == "proposed"}
                keep = {same[key] for key in (_key(part) for part in parts) if key in same}
                fresh = [part for part in parts if _key(part) not in same]
                storage.withdraw_unconfirmed(db, stored.id, at, keep)
                if fresh:
                    storage.add_parts(db, stored.id, fresh, storage.last_round(db, stored.id) + 1, at)
            if step == "respond":
                storage.set_part_status(db, int(payload["part"]), payload["answer"], at)
            if status != stored.status:
                payload = payload | {"status": status}
            storage.append_event(db, stored.id, step, actor, at, note, payload)
            extra = {"outcome": payload["outcomes"], "rating": payload["rating"]} if closing else {}
            storage.set_status(db, stored.id, status, at, **extra)
            return _loaded(db, stored.id)


def _loaded(db: Any, request_id: str) -> StoredRequest:
    if not isinstance(request_id, str):
        raise UnknownRequestError(request_id)
    stored = storage.load(db, request_id)
    if stored is None:
        raise UnknownRequestError(request_id)
    return stored


def _check_capacity(db: Any, stored: StoredRequest, parts: Sequence[dict[str, Any]]) -> None:
    """The package was solved outside this transaction: refuse it if another package took the
    capacity meanwhile (two secretariat members proposing at once), rather than over-commit."""
    taken = storage.committed_by_offer(db, except_request=stored.id)
    offers = {offer.id: offer for offer in storage.offers(db)}
    asked: dict[str, float] = {}
    for part in [*({"offer_id": p.offer_id, "amount": p.amount} for p in stored.parts if p.status == "confirmed"), *parts]:
        asked[part["offer_id"]] = asked.get(part["offer_id"], 0.0) + float(part["amount"])
    for offer_id, amount in asked.items():
        offer = offers.get(offer_id)
        if offer is None:
            raise RequestConflictError(f"offer '{offer_id}' no longer exists: solve the package again")
        if amount > offer.free - taken.get(offer_id, 0.0) + 1e-6:
            left = max(offer.free - taken.get(offer_id, 0.0), 0.0)
            raise RequestConflictError(
                f"offer '{offer_id}' has {left:g} left, not {amount:g}: another package took it meanwhile; solve again"
            )


def _key(part: dict[str, Any]) -> tuple[int, str, float]:
    return (int(part["component"]), str(part["offer_id"]), round(float(part["amount"]), 6))


def _part(stored: StoredRequest, part_id: int) -> Part:
    for part in stored.parts:
        if part.id == part_id:
            return part
    raise InvalidRequestStepError("part", f"request '{stored.id}' has no part {part_id}")


def _text(field: str, value: str | None, limit: int, required: bool = False) -> None:
    if value is None:
        if required:
            raise InvalidRequestStepError(field, "is required")
        return
    if not isinstance(value, str):
        raise InvalidRequestStepError(field, f"{value!r} is not text")
    if required and not value.strip():
        raise InvalidRequestStepError(field, "is empty", explain(FIELD_EMPTY))
    if len(value) > limit:
        raise InvalidRequestStepError(field, f"is {len(value)} characters long (at most {limit})")
