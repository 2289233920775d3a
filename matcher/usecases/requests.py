"""A request's package on a snapshot: candidates scored with the snapshot's evidence, the package
solved under the request's rules, stored as a step of its life, re-solved when a partner declines.

The rules applied once, here, for every caller (the API, the console, the command line):
- an offer's capacity left counts what every *other* active package holds of it;
- offers a partner declined for this request, and partners forced out, are never proposed again
  for it; the confirmed parts stay as they are (locked) in every re-solve;
- a partner from the requester's region is the requester's region's members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from matcher.requests.book import RequestBook
from matcher.requests.candidates import Candidates, evidence_scores, rank_candidates
from matcher.requests.diagnose import Uncovered, uncovered
from matcher.requests.model import StoredRequest
from matcher.requests.records import Request
from matcher.requests.solver import Locked, Package, PackageOptions, PartPlan, greedy_package, objective_of, solve_package
from matcher.snapshot import Snapshot


@dataclass
class Solved:
    """A package with what it rests on: every component's candidates and what stays uncovered."""

    request: Request
    candidates: Candidates
    package: Package
    uncovered: list[Uncovered]

    def payload(self, options: PackageOptions) -> dict[str, Any]:
        """What a propose/resolve event keeps of the solve (plain JSON)."""
        return {
            "method": self.package.method,
            "objective": round(self.package.objective, 4),
            "share": [round(s, 4) for s in self.package.share],
            "uncovered": [
                {"component": u.component, "code": u.code, "reasons": [r.model_dump() for r in u.reasons]} for u in self.uncovered
            ],
            "options": asdict(options),
        }


def candidates_for(
    snapshot: Snapshot, book: RequestBook, request: Request, excluded: frozenset[str] = frozenset(), today: dt.date | None = None
) -> Candidates:
    """Every component's candidate offers, scored with the snapshot's evidence (the peers' scale)."""
    offers = book.offers()
    similarity = snapshot.recommender.evidence.member_similarity
    scores = evidence_scores(request, offers, similarity, snapshot.encoder)
    committed = book.committed(except_request=request.id)
    return rank_candidates(request, offers, scores, committed, today or dt.date.today(), excluded)


def _excluded(stored: StoredRequest, book_offers: dict[str, str], options: PackageOptions) -> frozenset[str]:
    declined = {part.offer_id for part in stored.parts if part.status == "declined"}
    out = {offer_id for offer_id, member in book_offers.items() if member in options.force_out}
    return frozenset(declined | out)


def _locked(stored: StoredRequest) -> list[Locked]:
    return [Locked(part.component, part.offer_id, part.amount) for part in stored.parts if part.status == "confirmed"]


def solve(
    snapshot: Snapshot,
    book: RequestBook,
    request_id: str,
    options: PackageOptions | None = None,
    *,
    method: str = "milp",
    today: dt.date | None = None,
) -> Solved:
    """The package ``request_id`` would get now (nothing stored): the confirmed parts locked, the
    declined offers left out; ``method`` 'greedy' for the baseline."""
    options = options or PackageOptions()
    stored = book.get(request_id)
    member_of = {offer.id: offer.member_id for offer in book.offers()}
    candidates = candidates_for(snapshot, book, stored.request, _excluded(stored, member_of, options), today)
    locked = _locked(stored)
    if method == "greedy":
        package = greedy_package(candidates, options, locked)
    else:
        regional = frozenset(m.id for m in snapshot.members if m.region == stored.request.region)
        package = solve_package(candidates, options, locked, regional)
    return Solved(stored.request, candidates, package, uncovered(candidates, package))


def current(snapshot: Snapshot, book: RequestBook, request_id: str, today: dt.date | None = None) -> tuple[StoredRequest, Solved]:
    """The stored request and its current package (proposed and confirmed parts) with each
    component's candidates and what stays uncovered, computed now."""
    stored = book.get(request_id)
    member_of = {offer.id: offer.member_id for offer in book.offers()}
    candidates = candidates_for(snapshot, book, stored.request, _excluded(stored, member_of, PackageOptions()), today)
    plans = [PartPlan(p.component, p.offer_id, p.member_id, p.amount, p.score) for p in stored.package]
    objective, share = objective_of(candidates, plans)
    package = Package(plans, share, objective, "stored", stored.partners)
    return stored, Solved(stored.request, candidates, package, uncovered(candidates, package))


def last_options(stored: StoredRequest) -> PackageOptions:
    """The package rules the stored package was last solved under (none before a proposal), so
    that a page shows them beside the package: a component the rules left uncovered is said to
    be, and the rules must be there to read."""
    for event in reversed(stored.events):
        kept = event.payload.get("options") if event.step in ("propose", "resolve") else None
        if isinstance(kept, dict):
            return PackageOptions(
                kept.get("max_partners"),
                bool(kept.get("regional_partner")),
                tuple(kept.get("force_in") or ()),
                tuple(kept.get("force_out") or ()),
            )
    return PackageOptions()


def _new_parts(solved: Solved, stored: StoredRequest) -> list[dict[str, Any]]:
    confirmed = {(p.component, p.offer_id) for p in stored.parts if p.status == "confirmed"}
    return [asdict(part) for part in solved.package.parts if (part.component, part.offer_id) not in confirmed]


def propose(
    snapshot: Snapshot, book: RequestBook, request_id: str, actor: str, options: PackageOptions | None = None, note: str = ""
) -> StoredRequest:
    """Solve the package and store it as proposed (a triaged request, or a proposed one again)."""
    options = options or PackageOptions()
    solved = solve(snapshot, book, request_id, options)
    return book.propose(request_id, actor, _new_parts(solved, book.get(request_id)), solved.payload(options), note)


def resolve(
    snapshot: Snapshot,
    book: RequestBook,
    request_id: str,
    actor: str,
    options: PackageOptions | None = None,
    note: str = "",
    replaces: int | None = None,
) -> StoredRequest:
    """Solve again with the confirmed parts locked and the declined offers left out; the parts
    nobody confirmed are replaced by the new solve's (``replaces``: the declined part that asked for it)."""
    options = options or PackageOptions()
    solved = solve(snapshot, book, request_id, options)
    payload = solved.payload(options) | ({"replaces": replaces} if replaces is not None else {})
    return book.resolve(request_id, actor, _new_parts(solved, book.get(request_id)), payload, note)


def respond(
    snapshot: Snapshot, book: RequestBook, request_id: str, part_id: int, accepted: bool, actor: str, note: str = ""
) -> StoredRequest:
    """A partner's answer on its part; a decline is followed at once by a re-solve (the
    replacement suggestion), the confirmed parts locked."""
    stored = book.respond(request_id, part_id, accepted, actor, note)
    if accepted:
        return stored
    return resolve(snapshot, book, request_id, actor, replaces=part_id)
