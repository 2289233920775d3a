"""Why a component of a request is not covered, in a secretariat's words (translated where shown).

The reasons, in the order a reader is told: nobody offers that type of support; offers of that
type exist but none answers the need (evidence below partial); those that answer it do not work
in the request's languages, do not serve the country, are not available in time, are in another
currency, or have no capacity left (already committed to other packages); or suitable offers
exist but the package's constraints leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.explanations import N_, Explanation, explain, ngettext
from matcher.requests.candidates import AVAILABILITY, CAPACITY, CURRENCY, EVIDENCE, LANGUAGE, REGION, Candidates
from matcher.requests.solver import Package
from matcher.scoring.calibration import PARTIAL

REQUEST_NO_TYPE = N_("no member offers this type of support")
REQUEST_NO_EVIDENCE = N_("no offer of this type answers this need (the best evidence, %(score).2f, is below a partial match)")
REQUEST_LANGUAGE = ngettext(
    "%(count)s offer that answers it does not work in the request's languages (%(languages)s)",
    "%(count)s offers that answer it do not work in the request's languages (%(languages)s)",
)
REQUEST_REGION = ngettext(
    "%(count)s offer that answers it does not serve %(country)s", "%(count)s offers that answer it do not serve %(country)s"
)
REQUEST_AVAILABILITY = ngettext(
    "%(count)s offer that answers it is not available before the deadline",
    "%(count)s offers that answer it are not available before the deadline",
)
REQUEST_CURRENCY = ngettext(
    "%(count)s offer that answers it is in another currency than %(currency)s",
    "%(count)s offers that answer it are in another currency than %(currency)s",
)
REQUEST_CAPACITY = ngettext(
    "%(count)s offer that answers it has no capacity left (committed to other packages)",
    "%(count)s offers that answer it have no capacity left (committed to other packages)",
)
REQUEST_PARTLY = N_("partly covered: %(got)s of %(asked)s %(unit)s; the offers that answer it have no more capacity left")
REQUEST_CONSTRAINTS = N_(
    "suitable offers exist, but the package's constraints (partners at most, regional partner, forced partners) leave them out"
)

BLOCKING = (LANGUAGE, REGION, AVAILABILITY, CURRENCY, CAPACITY)


@dataclass(frozen=True)
class Uncovered:
    component: int
    code: str  # type, evidence, language, region, availability, currency, capacity, partly, constraints
    reasons: list[Explanation]


def uncovered(candidates: Candidates, package: Package) -> list[Uncovered]:
    """Each component the package does not fully cover, with why."""
    request = candidates.request
    out = []
    for c, component in enumerate(request.components):
        if package.share[c] >= 1 - 1e-6:
            continue
        ranked = candidates.by_component[c]
        if not ranked:
            out.append(Uncovered(c, "type", [explain(REQUEST_NO_TYPE)]))
            continue
        answering = [x for x in ranked if EVIDENCE not in x.fails]
        if not answering:
            best = max(x.score for x in ranked)
            out.append(Uncovered(c, "evidence", [explain(REQUEST_NO_EVIDENCE, score=round(min(best, PARTIAL - 0.01), 2))]))
            continue
        if package.share[c] > 0:
            got = round(package.share[c] * (component.quantity or 1), 2)
            asked = component.quantity or 1
            unit = component.currency or component.unit
            out.append(Uncovered(c, "partly", [explain(REQUEST_PARTLY, got=f"{got:g}", asked=f"{asked:g}", unit=unit)]))
            continue
        if any(x.suitable for x in answering):
            out.append(Uncovered(c, "constraints", [explain(REQUEST_CONSTRAINTS)]))
            continue
        first_block: dict[str, int] = {}
        for x in answering:
            code = next(code for code in BLOCKING if code in x.fails)
            first_block[code] = first_block.get(code, 0) + 1
        reasons = []
        for code in BLOCKING:
            count = first_block.get(code)
            if not count:
                continue
            values = {
                LANGUAGE: {"languages": ", ".join(request.languages)},
                REGION: {"country": request.country},
                CURRENCY: {"currency": component.currency or ""},
            }.get(code, {})
            template = {
                LANGUAGE: REQUEST_LANGUAGE,
                REGION: REQUEST_REGION,
                AVAILABILITY: REQUEST_AVAILABILITY,
                CURRENCY: REQUEST_CURRENCY,
                CAPACITY: REQUEST_CAPACITY,
            }[code]
            reasons.append(explain(template, count=count, **values))
        main = next(code for code in BLOCKING if code in first_block)
        out.append(Uncovered(c, main, reasons))
    return out
