"""The package solver against the greedy baseline, measured in the same run (issue 23).

    python -m evaluation.benchmarks.packages [--members 2000] [--requests 200] [--seed 23]

A generated network: ``--members`` members in five regions, each with one to three typed offers
(capacity, languages, regions served), and ``--requests`` concurrent requests of two to five
components. Evidence scores are generated, not embedded (an offer answers a component of its
own theme at 0.45-0.95, another theme's at 0-0.28, below a partial match): what is measured is the candidate ranking,
the MILP and greedy, not the encoder. Requests are solved one after another, each package
holding its capacity for the next, once with the MILP and once with greedy (two separate
worlds); and, request by request on the MILP's world, greedy on the same state, so that the
comparison of objectives is like for like.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from dataclasses import dataclass, field

import numpy as np

from matcher.records import REGIONS
from matcher.requests.candidates import rank_candidates
from matcher.requests.records import OFFER_TYPES, UNIT_OF_TYPE, Offer, Request
from matcher.requests.solver import Package, greedy_package, solve_package

# 150 themes: a component meets a handful of offers of its type and theme, so capacity is contended
# between the 200 requests (with 40, every component found room and only the partner count differed)
THEMES = 150
LANGUAGES = ("en", "fr", "es", "ar", "pt")
COUNTRY_OF = {
    "Africa": "SN",
    "Arab States": "JO",
    "Asia-Pacific": "NP",
    "Europe and North America": "FR",
    "Latin America and the Caribbean": "PE",
}
TODAY = dt.date(2027, 1, 1)


def network(members: int, rng: np.random.Generator) -> tuple[list[Offer], np.ndarray, dict[str, str]]:
    """Offers, each offer's theme, and each member's region."""
    offers, themes, region_of = [], [], {}
    for m in range(members):
        member_id = f"m{m:05d}"
        region = str(rng.choice(REGIONS))
        region_of[member_id] = region
        languages = sorted({"en", *rng.choice(LANGUAGES, size=int(rng.integers(1, 3)), replace=False).tolist()})
        for k in range(int(rng.integers(1, 4))):
            kind = str(rng.choice(OFFER_TYPES))
            unit = UNIT_OF_TYPE[kind]
            capacity = float(
                {"units": rng.integers(20, 400), "person_days": rng.integers(20, 300), "amount": rng.integers(50, 500) * 1000}[unit]
            )
            served = {} if rng.random() < 0.6 else {"regions": [region]}
            offers.append(
                Offer(
                    id=f"{member_id}-o{k}",
                    member_id=member_id,
                    type=kind,  # type: ignore[arg-type]
                    description=f"offer {k} of {member_id}",
                    unit=unit,  # type: ignore[arg-type]
                    capacity=capacity,
                    currency="USD" if unit == "amount" else None,
                    languages=languages,
                    **served,  # type: ignore[arg-type]
                )
            )
            themes.append(int(rng.integers(THEMES)))
    return offers, np.asarray(themes), region_of


def requests(count: int, rng: np.random.Generator) -> tuple[list[Request], list[np.ndarray]]:
    out, themes = [], []
    for r in range(count):
        region = str(rng.choice(REGIONS))
        components, component_themes = [], []
        for _ in range(int(rng.integers(2, 6))):
            kind = str(rng.choice(OFFER_TYPES))
            unit = UNIT_OF_TYPE[kind]
            quantity = float(
                {"units": rng.integers(10, 300), "person_days": rng.integers(10, 200), "amount": rng.integers(20, 400) * 1000}[unit]
            )
            components.append(
                {"text": f"component of request {r}", "type": kind, "quantity": quantity, "currency": "USD" if unit == "amount" else None}
            )
            component_themes.append(int(rng.integers(THEMES)))
        language = "en" if rng.random() < 0.5 else str(rng.choice(LANGUAGES))
        out.append(
            Request.model_validate(
                {
                    "id": f"r{r:04d}",
                    "title": f"request {r}",
                    "requester_name": "A ministry",
                    "country": COUNTRY_OF[region],
                    "region": region,
                    "languages": [language],
                    "components": components,
                }
            )
        )
        themes.append(np.asarray(component_themes))
    return out, themes


def scores(component_themes: np.ndarray, offer_themes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    same = component_themes[:, None] == offer_themes[None, :]
    return np.where(same, rng.uniform(0.45, 0.95, same.shape), rng.uniform(0.0, 0.28, same.shape)).astype(np.float32)


@dataclass
class Totals:
    objective: float = 0.0
    covered: int = 0
    delivered: float = 0.0  # components' shares delivered, summed
    partners: int = 0
    seconds: list[float] = field(default_factory=list)

    def add(self, package: Package) -> None:
        self.objective += package.objective
        self.covered += sum(package.covered)
        self.delivered += sum(package.share)
        self.partners += len(package.partners)


def hold(committed: dict[str, float], package: Package) -> None:
    for part in package.parts:
        committed[part.offer_id] = committed.get(part.offer_id, 0.0) + part.amount


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    offers, offer_themes, region_of = network(args.members, rng)
    asked, asked_themes = requests(args.requests, rng)
    evidence = [scores(themes, offer_themes, rng) for themes in asked_themes]
    print(f"{args.members} members, {len(offers)} offers, {len(asked)} requests, {sum(len(r.components) for r in asked)} components")

    worlds: dict[str, dict[str, float]] = {"milp": {}, "greedy": {}}  # offer -> held
    totals = {name: Totals() for name in ("milp", "greedy", "greedy-same-state")}
    wins = ties = losses = 0
    rank_seconds = []
    for request, score in zip(asked, evidence, strict=True):
        regional = frozenset(m for m, region in region_of.items() if region == request.region)
        for name in ("milp", "greedy"):
            start = time.perf_counter()
            candidates = rank_candidates(request, offers, score, worlds[name], TODAY)
            rank_seconds.append(time.perf_counter() - start)
            start = time.perf_counter()
            package = solve_package(candidates, regional_members=regional) if name == "milp" else greedy_package(candidates)
            totals[name].seconds.append(time.perf_counter() - start)
            if name == "milp":  # greedy on the very same state, for a like-for-like comparison
                start = time.perf_counter()
                same = greedy_package(candidates)
                totals["greedy-same-state"].seconds.append(time.perf_counter() - start)
                totals["greedy-same-state"].add(same)
                gap = package.objective - same.objective
                wins, ties, losses = wins + (gap > 1e-6), ties + (abs(gap) <= 1e-6), losses + (gap < -1e-6)
            hold(worlds[name], package)
            totals[name].add(package)
    components = sum(len(r.components) for r in asked)
    print(f"ranking candidates: {1000 * np.mean(rank_seconds):.1f} ms a request (mean), {sum(rank_seconds):.1f} s in all")
    print("objective: the solver's (lexicographic: components covered, then share delivered, then fewer partners, then evidence)")
    print(f"{'method':<20}{'objective':>14}{'covered':>16}{'delivered':>11}{'partners':>10}{'ms mean':>10}{'ms p95':>10}{'s total':>10}")
    for name, t in totals.items():
        seconds = np.asarray(t.seconds)
        print(
            f"{name:<20}{t.objective:>14.1f}{t.covered:>9}/{components:<6}{t.delivered:>11.1f}{t.partners:>10}"
            f"{1000 * seconds.mean():>10.1f}{1000 * np.percentile(seconds, 95):>10.1f}{seconds.sum():>10.2f}"
        )
    print(f"request by request on the same state: the MILP beats greedy on {wins}, ties on {ties}, loses on {losses} (of {len(asked)})")


if __name__ == "__main__":
    main()
