"""Proposals and partnerships: made from a recommendation, an expert group or a pairing run;
approved or rejected by the secretariat; accepted or declined by each side; followed up with
notes and dated check-ins; closed with an outcome and a rating. Every step names who and when."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from matcher.errors import IllegalTransitionError, PeermatchError
from matcher.explanations import FIELD_EMPTY, explain
from matcher.partnerships import Partnerships
from matcher.partnerships.model import STATUSES
from service.console.conflicts import proposal_conflict
from service.console.form_problems import day, rating, refused, told
from service.console.labels import FOLLOW_UP_LABELS
from service.console.web import ConsolePage, SignedIn

router = APIRouter(include_in_schema=False)
ProposalId = Annotated[int, Path(ge=1, le=2**63 - 1)]  # SQLite's integers: a larger id cannot exist
PAGE_SIZE = 50
# A step's fields, by the labels the proposal page shows for them (untranslated message ids).
STEP_LABELS = FOLLOW_UP_LABELS | {"next_due": "Next check-in due (optional)", "due": "Next check-in due", "outcome": "Outcome"}


def partnerships(page: ConsolePage) -> Partnerships:
    return Partnerships(page.state.workspace.store)


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@router.get("/proposals")
def proposal_list(
    page: SignedIn,
    status: str = Query("", max_length=20),
    member: str = Query("", max_length=200),
    offset: int = Query(0, ge=0, le=10**9),
) -> Response:
    total, proposals = partnerships(page).list(
        status=status if status in STATUSES else None, member_id=member or None, offset=offset, limit=PAGE_SIZE
    )
    names = page.state.snapshot.names
    return page.render(
        "proposals.html",
        proposals=proposals,
        total=total,
        chosen_status=status,
        member=member,
        statuses=STATUSES,
        names=names,
        offset=offset,
        page_size=PAGE_SIZE,
    )


@router.get("/proposals/{proposal_id}")
def proposal_page(page: SignedIn, proposal_id: ProposalId) -> Response:
    proposal = partnerships(page).get(proposal_id)
    members = page.state.snapshot.members_by_id
    today = dt.datetime.now(dt.UTC).date()
    return page.render("proposal.html", p=proposal, members=members, today=today.isoformat(), overdue=proposal.overdue(today))


@router.post("/proposals")
async def propose_one(page: SignedIn) -> Response:
    """One proposal from a member's recommended peers."""
    page.require_secretariat()
    form = await page.form()
    member_id, partner_id = str(form.get("member_id", "")), str(form.get("partner_id", ""))
    try:
        proposal = partnerships(page).propose(
            "recommendation",
            member_id,
            partner_id,
            page.actor,
            reason=str(form.get("reason") or "")[:2000],
            score=_float(form.get("score")),
            quality=str(form.get("quality") or "") or None,
            source=f"peers:{member_id}",
        )
    except PeermatchError as error:
        return page.redirect(f"/members/{member_id}", str(error), error=True)
    return page.redirect(f"/proposals/{proposal.id}", page.t.plain("Proposal created; it now waits for the secretariat's approval."))


@router.post("/proposals/expert-group")
async def propose_group(page: SignedIn) -> Response:
    """A saved expert group: one invitation per member, each answered by that member."""
    page.require_secretariat()
    form = await page.form()
    group = str(form.get("group") or "").strip()[:200]
    members = form.get("member") or []
    members = members if isinstance(members, list) else [members]
    made, skipped = 0, []
    for member_id in [str(m) for m in members]:
        try:
            partnerships(page).propose(
                "expert_group",
                member_id,
                group,
                page.actor,
                reason=str(form.get("theme") or "")[:2000],
                score=_float(form.get(f"score_{member_id}")),
                quality=str(form.get(f"quality_{member_id}") or "") or None,
                source="experts",
                group=group,
            )
            made += 1
        except PeermatchError as error:
            skipped.append(str(error))
    notice = page.t.plain("%(made)s invitations to the group “%(group)s” created.", made=made, group=group)
    return page.redirect("/proposals?status=proposed", " ".join([notice, *skipped]), error=bool(skipped) and not made)


@router.post("/pairing/{job_id}/propose")
async def propose_pairs(page: SignedIn, job_id: str) -> Response:
    """The ticked pairs of a pairing run as proposals (pairs that already have an open proposal are skipped)."""
    page.require_secretariat()
    form = await page.form()
    job = page.state.jobs.get(job_id)
    if job is None or job.result is None:
        return page.redirect(f"/pairing/{job_id}", page.t.plain("This run has no result yet."), error=True)
    raw = form.get("propose")
    ticked = {str(v) for v in (raw if isinstance(raw, list) else [raw] if raw else [])}
    chosen = [pair for pair in job.result.pairs if f"{pair.mentee}|{pair.mentor}" in ticked]
    if not chosen:
        return page.redirect(f"/pairing/{job_id}", page.t.plain("Tick the pairs to propose."), error=True)
    made, skipped = 0, 0
    for pair in chosen:
        try:
            partnerships(page).propose(
                "pairing",
                pair.mentee,
                pair.mentor,
                page.actor,
                reason=" ← ".join(part for part in (pair.need, pair.evidence) if part)[:2000],
                # The label and the number it comes from, as a peer's proposal keeps them; a run
                # stored before pairs had a match_score labelled them from the affinity.
                score=pair.affinity if pair.match_score is None else pair.match_score,
                quality=pair.match_quality,
                source=f"pairing:{job_id}",
            )
            made += 1
        except PeermatchError:
            skipped += 1
    notice = page.t.plain("%(made)s proposals created, %(skipped)s skipped (already proposed).", made=made, skipped=skipped)
    return page.redirect("/proposals?status=proposed", notice)


@router.post("/proposals/{proposal_id}/{step}")
async def proposal_step(page: SignedIn, proposal_id: ProposalId, step: str) -> Response:
    page.require_secretariat()
    form = await page.form()
    note = str(form.get("note") or "").strip()
    book = partnerships(page)
    try:
        if step == "approve":
            book.approve(proposal_id, page.actor, note)
        elif step == "reject":
            if not note:  # both members read why their proposal went no further
                raise refused("Why it is rejected", explain(FIELD_EMPTY), page.t)
            book.reject(proposal_id, page.actor, note)
        elif step == "respond":
            answer = str(form.get("answer", ""))
            if answer not in ("accepted", "declined"):
                raise PeermatchError(page.t.plain("Choose accepted or declined."))
            book.respond(proposal_id, str(form.get("side", "")), answer == "accepted", page.actor, note)
        elif step == "note":
            book.add_note(proposal_id, page.actor, note)
        elif step == "check-in":
            on = day(form, "on", STEP_LABELS["on"], page.t, dt.date.today())
            next_due = day(form, "next_due", STEP_LABELS["next_due"], page.t)
            book.check_in(proposal_id, page.actor, on or dt.date.today(), note, next_due)
        elif step == "check-in-due":
            due = day(form, "due", STEP_LABELS["due"], page.t)
            if due is None:
                raise refused(STEP_LABELS["due"], explain(FIELD_EMPTY), page.t)
            book.schedule_check_in(proposal_id, page.actor, due, note)
        elif step == "close":
            outcome = str(form.get("outcome") or "").strip()
            book.close(proposal_id, page.actor, outcome, rating(form, "rating", STEP_LABELS["rating"], page.t), note)
        else:
            raise PeermatchError(page.t.plain("Unknown step '%(step)s'.", step=step))
    except IllegalTransitionError as error:
        return page.redirect(f"/proposals/{proposal_id}", proposal_conflict(page, error), error=True)
    except PeermatchError as error:
        return page.redirect(f"/proposals/{proposal_id}", told(error, page.t, STEP_LABELS), error=True)
    return page.redirect(f"/proposals/{proposal_id}", page.t.plain("Saved."))
