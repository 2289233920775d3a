"""The pairing workspace: a cohort and constraints in, a pairing job run, each pair with its reason;
lock pairs and solve again around them; why a request cannot be met; CSV with names and ids."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ValidationError

from matcher.errors import PeermatchError, UnknownIdError
from matcher.pairing.compare import compare_runs
from matcher.pairing.problem import PairingConstraints
from matcher.pairing.run import PairingRequest, cohort_of
from matcher.partnerships import Partnerships
from matcher.records import MEMBER_KINDS, REGIONS
from matcher.scoring.calibration import PARTIAL
from matcher.spreadsheet import spreadsheet_safe
from matcher.usecases.pairing import with_proposal_history
from service.console.form_problems import FormProblem, form_problems, told, whole_number
from service.console.unknown import unknown_id
from service.console.web import DOWNLOAD_HEADERS, SignedIn
from service.jobs import Job, QueueFull

router = APIRouter(include_in_schema=False)


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _ids(text: str) -> list[str] | None:
    ids = [part for part in text.replace(",", " ").replace(";", " ").split() if part]
    return ids or None


def _pairs(text: str, field: str, t: Any) -> list[tuple[str, str]]:
    """One pair a line, "mentee-id, mentor-id" (a comma, a semicolon or spaces between them)."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in line.replace(",", " ").replace(";", " ").split() if p]
        if not parts:
            continue
        if len(parts) != 2:
            raise FormProblem(t.plain("%(field)s, line %(line)s: write two ids, the mentee's then the mentor's", field=field, line=number))
        pairs.append((parts[0], parts[1]))
    return pairs


def match_label(t: Any, quality: str) -> str:
    """A pair's match label in the reader's language (the words the peers' pages use), weak ones flagged."""
    labels = {"strong": t.plain("strong match"), "partial": t.plain("partial match"), "weak": t.plain("weak match: check before proposing")}
    return labels.get(quality, quality)


# The pairing models' fields as the form labels them (the labels of pairing_form.html).
FIELD_LABELS = {
    "mentees": "Mentee ids (spaces or commas between them)",
    "mentors": "Mentor ids",
    "max_load": "Most mentees per mentor",
    "min_partners": "Fewest partners per mentee",
    "max_partners": "Most partners per mentee",
    "region_weights": "Weight of African mentees",
    "required_language": "Mentor and mentee must both speak",
    "tie_policy": "Existing ties (twinnings, cooperation agreements)",
    "tie_weight": "Weight of a tie",
    "income_weights": "Weight of mentees in low-income countries",
    "ldc_weight": "Weight of mentees in least developed countries",
    "conflicts": "Conflicts: pairs never to make (one a line: mentee id, mentor id)",
    "forced": "Forced pairs (one a line: mentee id, mentor id)",
}


def request_from_form(form: dict[str, Any], t: Any) -> PairingRequest:
    """The PairingRequest a filled-in form asks for (ValidationError or FormProblem when it cannot be one)."""

    def number(name: str, default: int) -> int:
        return whole_number(form, name, FIELD_LABELS[name], default, t)

    africa = str(form.get("africa_weight") or "").strip()
    try:
        africa_weight = float(africa) if africa else 1.0
    except ValueError:
        raise FormProblem(
            t.plain("%(field)s: '%(value)s' is not a number", field=t.plain("Weight of African mentees"), value=africa)
        ) from None

    def decimal(name: str, label: str, default: float) -> float:
        raw = str(form.get(name) or "").strip().replace(",", ".")  # 0,5 as a French speaker types it
        if not raw:
            return default
        try:
            return float(raw)
        except ValueError:
            raise FormProblem(t.plain("%(field)s: '%(value)s' is not a number", field=label, value=raw)) from None

    low_weight = decimal("low_income_weight", t.plain("Weight of mentees in low-income countries"), 1.0)
    policy = str(form.get("tie_policy") or "ignore")
    constraints = PairingConstraints(
        tie_policy=policy,  # type: ignore[arg-type]
        tie_weight=decimal("tie_weight", t.plain("Weight of a tie"), 0.5),
        income_weights={"low": low_weight} if low_weight != 1.0 else {},
        ldc_weight=decimal("ldc_weight", t.plain("Weight of mentees in least developed countries"), 1.0),
        min_partners=number("min_partners", 1),
        max_partners=number("max_partners", 1),
        max_load=number("max_load", 3),
        require_common_language=form.get("require_common_language") == "true",
        required_language=str(form.get("required_language") or "").strip() or None,
        forbid_existing_partners=form.get("forbid_existing_partners") == "true",
        forbid_same_country=form.get("forbid_same_country") == "true",
        conflicts=_pairs(str(form.get("conflicts") or ""), t.plain("Conflicts"), t),
        forced=_pairs(str(form.get("forced") or ""), t.plain("Forced pairs"), t),
        region_weights={"Africa": africa_weight} if africa_weight != 1.0 else {},
    )
    return PairingRequest(
        mentees=_ids(str(form.get("mentees") or "")),
        mentors=_ids(str(form.get("mentors") or "")),
        mentee_regions=_list(form.get("mentee_regions")) or None,  # type: ignore[arg-type]
        mentor_regions=_list(form.get("mentor_regions")) or None,  # type: ignore[arg-type]
        mentor_other_regions=form.get("mentor_other_regions") == "true",
        mentee_kinds=_list(form.get("mentee_kinds")) or None,  # type: ignore[arg-type]
        mentor_kinds=_list(form.get("mentor_kinds")) or None,  # type: ignore[arg-type]
        objective="fair" if form.get("objective") == "fair" else "total",
        constraints=constraints,
    )


def form_from_request(request: PairingRequest) -> dict[str, Any]:
    """The form that asks for ``request`` (to show a job's settings, and to re-solve from them)."""
    c = request.constraints
    return {
        "mentees": " ".join(request.mentees or []),
        "mentors": " ".join(request.mentors or []),
        "mentee_regions": request.mentee_regions or [],
        "mentor_regions": request.mentor_regions or [],
        "mentor_other_regions": request.mentor_other_regions,
        "mentee_kinds": request.mentee_kinds or [],
        "mentor_kinds": request.mentor_kinds or [],
        "objective": request.objective,
        "min_partners": c.min_partners,
        "max_partners": c.max_partners,
        "max_load": c.max_load,
        "require_common_language": c.require_common_language,
        "required_language": c.required_language or "",
        "forbid_existing_partners": c.forbid_existing_partners,
        "forbid_same_country": c.forbid_same_country,
        "conflicts": "\n".join(f"{a}, {b}" for a, b in c.conflicts),
        "forced": "\n".join(f"{a}, {b}" for a, b in c.forced),
        "africa_weight": c.region_weights.get("Africa", 1),
        "tie_policy": c.tie_policy,
        "tie_weight": c.tie_weight,
        "low_income_weight": c.income_weights.get("low", 1),
        "ldc_weight": c.ldc_weight,
    }


# The GNLC's twinning: cities of other regions supporting African cities, one partner each.
DEFAULT_FORM = form_from_request(
    PairingRequest(mentee_regions=["Africa"], mentor_other_regions=True, mentee_kinds=["city"], mentor_kinds=["city"])
)


def _network_languages(page: Any) -> list[str]:
    """The languages the network's members speak, for the "both must speak" choice."""
    return sorted({lang for member in page.state.snapshot.members_by_id.values() for lang in member.languages})


def _render_form(page: Any, form: dict[str, Any], error: str | None = None, status: int = 200) -> Response:
    return page.render(
        "pairing.html",
        form=form,
        regions=REGIONS,
        kinds=MEMBER_KINDS,
        network_languages=_network_languages(page),
        error=error,
        status=status,
    )


@router.get("/pairing")
def pairing_form(page: SignedIn) -> Response:
    return _render_form(page, dict(DEFAULT_FORM))


@router.post("/pairing")
async def run_pairing(page: SignedIn) -> Response:
    page.require_secretariat()
    form = await page.form()
    shown = {**DEFAULT_FORM, **{k: v for k, v in form.items() if k not in ("csrf_token", "previous")}}
    for box in ("require_common_language", "forbid_existing_partners", "forbid_same_country", "mentor_other_regions"):
        shown[box] = form.get(box) == "true"
    for multiple in ("mentee_regions", "mentor_regions", "mentee_kinds", "mentor_kinds"):
        shown[multiple] = _list(form.get(multiple))
    try:
        request = request_from_form(form, page.t)
    except FormProblem as problem:
        return _render_form(page, shown, str(problem), 422)
    except ValidationError as error:
        return _render_form(page, shown, form_problems(error, page.t, FIELD_LABELS), 422)
    return _submit(page, request, shown, str(form.get("previous") or ""))


def _submit(page: Any, request: PairingRequest, shown: dict[str, Any], previous: str = "") -> Response:
    try:
        # Checked here, not only in the run: its failure would be in English on the run's page.
        cohort_of(page.state.snapshot.recommender, request)
    except UnknownIdError as error:
        return _render_form(page, shown, unknown_id(page.t, error), 422)
    except PeermatchError as error:
        return _render_form(page, shown, told(error, page.t), 422)
    try:
        request = with_proposal_history(request, Partnerships(page.state.workspace.store))
        job = page.state.jobs.submit(page.state.snapshot.recommender, request)
    except QueueFull as error:
        return _render_form(page, shown, str(error), 503)
    # The run it was solved again from, so that the new run's page says what changed.
    return page.redirect(f"/pairing/{job.id}" + (f"?previous={quote(previous)}" if previous else ""))


def _job(page: Any, job_id: str) -> Job:
    job = page.state.jobs.get(job_id)
    if job is None:
        raise FormProblem(page.t.plain("There is no pairing run '%(id)s' (runs are kept 30 days).", id=job_id))
    return job


@router.get("/pairing/{job_id}")
def pairing_job(page: SignedIn, job_id: str, previous: str = "") -> Response:
    job = _job(page, job_id)
    names = page.state.snapshot.members_by_id
    forced = set(job.request.constraints.forced)
    earlier = page.state.jobs.get(previous) if previous and previous != job_id else None
    changes = compare_runs(earlier.result, job.result) if earlier is not None and earlier.result and job.result else None
    return page.render(
        "pairing_job.html",
        job=job,
        names=names,
        forced=forced,
        form=form_from_request(job.request),
        regions=REGIONS,
        kinds=MEMBER_KINDS,
        network_languages=_network_languages(page),
        changes=changes,
        previous=earlier,
        partial=PARTIAL,
    )


@router.post("/pairing/{job_id}/resolve")
async def resolve(page: SignedIn, job_id: str) -> Response:
    """Solve again with the ticked pairs locked (added to the forced pairs), everything else as before."""
    page.require_secretariat()
    form = await page.form()
    job = _job(page, job_id)
    locked = []
    for value in _list(form.get("lock")):
        mentee, separator, mentor = value.partition("|")
        if not (separator and mentee and mentor):
            raise FormProblem(page.t.plain("A locked pair must name a mentee and a mentor."))
        locked.append((mentee, mentor))
    forced = list(dict.fromkeys([*job.request.constraints.forced, *locked]))
    # Validated again (not model_copy), so a locked pair obeys the same limits as a typed one.
    constraints = PairingConstraints.model_validate({**job.request.constraints.model_dump(), "forced": forced})
    request = PairingRequest.model_validate({**job.request.model_dump(), "constraints": constraints.model_dump()})
    return _submit(page, request, form_from_request(request), job.id)


@router.get("/pairing/{job_id}/export.csv")
def export_csv(page: SignedIn, job_id: str) -> Response:
    job = _job(page, job_id)
    if job.result is None:
        raise FormProblem(page.t.plain("This run has no result yet."))
    members = page.state.snapshot.members_by_id
    t = page.t
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=t.csv_delimiter)  # and the locale's decimal sign: it opens in columns in Excel
    writer.writerow(
        [
            t.plain("mentee id"),
            t.plain("mentee"),
            t.plain("mentor id"),
            t.plain("mentor"),
            t.plain("affinity"),
            t.plain("match score"),
            t.plain("match"),
            t.plain("common languages"),
            t.plain("need"),
            t.plain("evidence"),
            t.plain("locked"),
        ]
    )
    forced = set(job.request.constraints.forced)
    for p in job.result.pairs:
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in [
                p.mentee,
                members[p.mentee].name if p.mentee in members else "",
                p.mentor,
                members[p.mentor].name if p.mentor in members else "",
                t.decimal(p.affinity, 4),
                "" if p.match_score is None else t.decimal(p.match_score, 4),  # a run stored before pairs had one
                match_label(t, p.match_quality),
                ", ".join(t.language_name(code) for code in p.common_languages),  # by name, as the page says them
                p.need or "",
                p.evidence or "",
                t.plain("yes") if (p.mentee, p.mentor) in forced else "",
            ]
        )
    headers = {**DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="pairing-{job_id[:8]}.csv"'}
    return Response(buffer.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8", headers=headers)
