"""Requests and offers in the console: the requests (filters by status, country, type), a
request's page (components, the package with the evidence of each part, what nobody offers, a
preview with a partner swapped out, lock and re-solve, every step of its life), and the offers
(all, by type, region and member, with the capacity left). Each action is one use-case call."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from matcher.errors import PeermatchError
from matcher.records import REGIONS
from matcher.requests import RequestBook
from matcher.requests.candidates import capacity_left
from matcher.requests.errors import InvalidRequestStepError, PackageConstraintError, RequestConflictError
from matcher.requests.records import OFFER_TYPES, REQUEST_STATUSES
from matcher.requests.solver import PackageOptions
from matcher.requests.supply import supply_by_region
from matcher.usecases import requests as usecase
from service.console.conflicts import package_problem, request_conflict
from service.console.form_problems import day, rating, told, whole_number
from service.console.i18n import Translator
from service.console.labels import FOLLOW_UP_LABELS
from service.console.web import ConsolePage, SignedIn

router = APIRouter(include_in_schema=False)
RequestId = Annotated[str, Path(min_length=1, max_length=200)]
PAGE_SIZE = 50
CANDIDATES_SHOWN = 5
# A step's fields, by the labels the request page shows for them (untranslated message ids).
STEP_LABELS = FOLLOW_UP_LABELS | {"max_partners": "At most this many partners (optional)"}


def book(page: ConsolePage) -> RequestBook:
    return RequestBook(page.state.workspace.store)


@router.get("/requests")
def request_list(
    page: SignedIn,
    status: str = Query("", max_length=20),
    country: str = Query("", max_length=2),
    type: str = Query("", max_length=20),  # noqa: A002 - the filter's name in the URL
    offset: int = Query(0, ge=0, le=10**9),
) -> Response:
    total, items = book(page).list(
        status=status if status in REQUEST_STATUSES else None,
        country=country.upper() or None,
        offer_type=type if type in OFFER_TYPES else None,
        offset=offset,
        limit=PAGE_SIZE,
    )
    return page.render(
        "requests.html",
        requests=items,
        total=total,
        chosen={"status": status, "country": country.upper(), "type": type},
        statuses=REQUEST_STATUSES,
        types=OFFER_TYPES,
        names=page.state.snapshot.names,
        offset=offset,
        page_size=PAGE_SIZE,
    )


def _options(values: Any, t: Translator) -> PackageOptions:
    """A form's or a query's package options (empty fields: no constraint)."""

    def many(name: str) -> tuple[str, ...]:
        raw = values.getlist(name) if hasattr(values, "getlist") else values.get(name) or []
        raw = raw if isinstance(raw, list) else [raw]
        return tuple(str(v) for v in raw if str(v).strip())

    typed = str(values.get("max_partners") or "").strip()
    most = whole_number(values, "max_partners", STEP_LABELS["max_partners"], 0, t) if typed else None
    return PackageOptions(most, bool(values.get("regional")), many("force_in"), many("force_out"))


@router.get("/requests/{request_id}")
def request_page(page: SignedIn, request_id: RequestId) -> Response:
    snapshot = page.state.snapshot
    requests = book(page)
    stored, solved = usecase.current(snapshot, requests, request_id)
    query = page.request.query_params
    preview, preview_error = None, None
    options = usecase.last_options(stored)  # the rules the package shown was solved under
    if query.get("preview"):
        try:
            options = _options(query, page.t)
            preview = usecase.solve(snapshot, requests, request_id, options)
        except PackageConstraintError as error:
            preview_error = package_problem(page, error)
        except PeermatchError as error:
            preview_error = told(error, page.t, STEP_LABELS)
    offers = solved.candidates.offers
    partners = sorted({x.member_id for ranked in solved.candidates.by_component for x in ranked if x.suitable} | set(stored.partners))
    return page.render(
        "request.html",
        r=stored,
        solved=solved,
        why={u.component: u for u in solved.uncovered},
        preview=preview,
        preview_error=preview_error,
        options=options,
        offers=offers,
        members=snapshot.members_by_id,
        partners=partners,
        shown=CANDIDATES_SHOWN,
        today=dt.date.today().isoformat(),
    )


@router.post("/requests/{request_id}/{step}")
async def request_step(page: SignedIn, request_id: RequestId, step: str) -> Response:
    page.require_secretariat()
    form = await page.form()
    note = str(form.get("note") or "").strip()
    requests = book(page)
    snapshot = page.state.snapshot
    try:
        if step == "triage":
            requests.triage(request_id, page.actor, str(form.get("decision")) == "accept", note)
        elif step in ("propose", "resolve"):
            action = usecase.propose if step == "propose" else usecase.resolve
            action(snapshot, requests, request_id, page.actor, _options(form, page.t), note)
        elif step == "approve":
            requests.approve(request_id, page.actor, note)
        elif step == "respond":
            answer = str(form.get("answer", ""))
            if answer not in ("confirmed", "declined"):
                raise InvalidRequestStepError("answer", page.t.plain("Choose confirmed or declined."))
            part = str(form.get("part", ""))
            if not part.isdecimal():
                raise InvalidRequestStepError("part", f"{part!r} is not a part id")
            usecase.respond(snapshot, requests, request_id, int(part), answer == "confirmed", page.actor, note)
        elif step == "deliver":
            requests.deliver(request_id, page.actor, note)
        elif step == "note":
            requests.add_note(request_id, page.actor, note)
        elif step == "check-in":
            requests.check_in(request_id, page.actor, day(form, "on", STEP_LABELS["on"], page.t) or dt.date.today(), note)
        elif step == "close":
            stored = requests.get(request_id)
            outcomes = {i: str(form.get(f"outcome_{i}") or "").strip() for i in range(len(stored.request.components))}
            requests.close(request_id, page.actor, outcomes, rating(form, "rating", STEP_LABELS["rating"], page.t), note)
        else:
            raise InvalidRequestStepError("step", page.t.plain("Unknown step '%(step)s'.", step=step))
    except RequestConflictError as error:
        return page.redirect(f"/requests/{request_id}", request_conflict(page, error), error=True)
    except PackageConstraintError as error:
        return page.redirect(f"/requests/{request_id}", package_problem(page, error), error=True)
    except PeermatchError as error:
        return page.redirect(f"/requests/{request_id}", told(error, page.t, STEP_LABELS), error=True)
    return page.redirect(f"/requests/{request_id}", page.t.plain("Saved."))


@router.get("/offers")
def offer_list(
    page: SignedIn,
    type: str = Query("", max_length=20),  # noqa: A002 - the filter's name in the URL
    region: str = Query("", max_length=60),
    member: str = Query("", max_length=200),
) -> Response:
    requests = book(page)
    members = page.state.snapshot.members_by_id
    held = requests.committed()
    rows = []
    for offer in requests.offers(member or None, type if type in OFFER_TYPES else None):
        home = members[offer.member_id].region if offer.member_id in members else None
        anywhere = not offer.regions and not offer.countries
        if region and not (region in offer.regions or anywhere):  # the regions it serves, not where it is based
            continue
        rows.append({"offer": offer, "held": held.get(offer.id, 0.0), "left": capacity_left(offer, held), "home": home})
    regions_served = supply_by_region(
        requests.offers(),
        requests.list(limit=500)[1],
        {member_id: m.region for member_id, m in members.items()},
        held,
        REGIONS,
    )
    return page.render(
        "offers.html",
        rows=rows,
        supply=regions_served,
        types=OFFER_TYPES,
        regions=REGIONS,
        chosen={"type": type, "region": region, "member": member},
        members=members,
    )
