"""One package per request: which offers cover which components, as a MILP (HiGHS), and a greedy baseline.

Variables, for each (component, suitable offer) pair p: ``x_p`` (the offer takes part in that
component, 0/1) and ``a_p`` (how much it gives, in the component's unit); for each partner m:
``y_m`` (0/1); for each component c: ``z_c`` (fully covered, 0/1).

    maximise  COVER * sum z  +  SHARE * sum share  -  PARTNER * sum y  +  sum evidence * share
    share_c = sum a_p / q_c   (a component without a quantity: one offer, share x_p)
    s.t.  a_p <= left_o x_p;  sum over o's pairs a_p <= left_o (capacity left after other packages)
          q_c z_c <= sum a_p <= q_c;  x_p <= y_m;  locked pairs x_p = 1, a_p >= the locked amount
          optional: sum y <= max_partners; a partner of the requester's region; partners forced in

The weights are lexicographic: a fully covered component outweighs any number of partners;
a quarter of a component delivered outweighs one more partner (coordination has a cost, but a
partner who brings a real share is worth it); and the evidence (0-1 per component) only breaks
ties between packages of the same coverage and size. ``mip_rel_gap`` 0: with these weights a
relative gap of 1e-4 (HiGHS' default) could hide the tie-break.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from matcher.requests.candidates import Candidates
from matcher.requests.errors import PackageConstraintError

# The suitable offers per component the solver considers, best evidence first: beyond 40, offers
# of partial evidence add nothing a reader would choose, and the MILP stays small.
SOLVER_CANDIDATES = 40
MIN_SHARE = 0.01  # a part taking less than 1 % of a component is not a part (a forced partner must bring something)
PARTIAL_SHARE_PER_PARTNER = 4  # a new partner pays for itself with a quarter of a component


@dataclass(frozen=True)
class PackageOptions:
    max_partners: int | None = None
    regional_partner: bool = False  # at least one partner from the requester's region
    force_in: tuple[str, ...] = ()  # member ids that must take part
    force_out: tuple[str, ...] = ()  # member ids left out (applied by the caller's exclusions too)


@dataclass(frozen=True)
class Locked:
    """A part kept as it is (confirmed by its partner) when the package is solved again."""

    component: int
    offer_id: str
    amount: float


@dataclass(frozen=True)
class PartPlan:
    component: int
    offer_id: str
    member_id: str
    amount: float  # in the component's unit; 0 for a component without a quantity
    score: float


@dataclass
class Package:
    parts: list[PartPlan]
    share: list[float]  # per component, 0-1 of what it asks that the parts deliver
    objective: float
    method: str
    partners: list[str] = field(default_factory=list)

    @property
    def covered(self) -> list[bool]:
        return [s >= 1 - 1e-6 for s in self.share]


@dataclass
class _Pairs:
    component: np.ndarray
    offer: list[str]
    member: list[str]
    score: np.ndarray
    left: np.ndarray
    quantity: np.ndarray  # the component's quantity, or 0 for none


def _pairs(candidates: Candidates, locked: list[Locked], limit: int, force_out: frozenset[str]) -> _Pairs:
    request = candidates.request
    rows: list[tuple[int, str, str, float, float]] = []
    locked_keys = {(lock.component, lock.offer_id) for lock in locked}
    for c, ranked in enumerate(candidates.by_component):
        chosen = [x for x in ranked if x.suitable and x.member_id not in force_out][:limit]
        keys = {x.offer_id for x in chosen}
        chosen += [x for x in ranked if (c, x.offer_id) in locked_keys and x.offer_id not in keys]
        rows += [(c, x.offer_id, x.member_id, x.score, x.left) for x in chosen]
    quantity = np.asarray([request.components[c].quantity or 0.0 for c, *_ in rows], dtype=np.float64)
    return _Pairs(
        np.asarray([r[0] for r in rows], dtype=np.int64),
        [r[1] for r in rows],
        [r[2] for r in rows],
        np.asarray([r[3] for r in rows], dtype=np.float64),
        np.asarray([r[4] for r in rows], dtype=np.float64),
        quantity,
    )


def weights(n_components: int, n_partners: int) -> tuple[float, float, float]:
    """(COVER, SHARE, PARTNER): evidence adds at most 1 per component, so one partner costs more
    than all of it; a full component costs more than every partner together."""
    partner = n_components + 1.0
    share = PARTIAL_SHARE_PER_PARTNER * partner
    cover = (share + partner) * (n_partners + 1.0)
    return cover, share, partner


def objective_of(candidates: Candidates, package_parts: list[PartPlan]) -> tuple[float, list[float]]:
    """The objective of any set of parts (the optimiser's and greedy's alike) and each component's share."""
    request = candidates.request
    n = len(request.components)
    share = [0.0] * n
    evidence = 0.0
    for part in package_parts:
        q = request.components[part.component].quantity
        s = 1.0 if not q else part.amount / q
        share[part.component] += s
        evidence += part.score * s
    share = [min(s, 1.0) for s in share]
    partners = {part.member_id for part in package_parts}
    all_partners = {x.member_id for ranked in candidates.by_component for x in ranked if x.suitable}
    cover, share_weight, partner_weight = weights(n, len(all_partners | partners))
    covered = sum(1 for s in share if s >= 1 - 1e-6)
    return cover * covered + share_weight * sum(share) - partner_weight * len(partners) + evidence, share


def solve_package(
    candidates: Candidates,
    options: PackageOptions | None = None,
    locked: list[Locked] | None = None,
    regional_members: frozenset[str] = frozenset(),
    limit: int = SOLVER_CANDIDATES,
) -> Package:
    """The best package under ``options`` with ``locked`` parts kept; ``regional_members``: the
    partners from the requester's region. Raises PackageConstraintError naming the constraint
    that cannot hold (checked before solving, so the answer says which one binds)."""
    options = options or PackageOptions()
    locked = locked or []
    pairs = _pairs(candidates, locked, limit, frozenset(options.force_out))
    members = sorted(set(pairs.member))
    member_code = {m: i for i, m in enumerate(members)}
    _check(options, locked, pairs, members, regional_members, candidates)
    n_pairs, n_members, n_components = len(pairs.offer), len(members), len(candidates.request.components)
    if n_pairs == 0:
        return Package([], [0.0] * n_components, 0.0, "milp", [])
    cover, share_weight, partner_weight = weights(n_components, n_members)
    has_quantity = pairs.quantity > 0
    # the variables: x (pairs), a (pairs), y (members), z (components)
    ax, aa, ay, az = 0, n_pairs, 2 * n_pairs, 2 * n_pairs + n_members
    n_vars = az + n_components
    per_unit = np.where(has_quantity, 1.0 / np.maximum(pairs.quantity, 1e-12), 0.0)
    gain = np.zeros(n_vars)
    gain[ax : ax + n_pairs] = np.where(has_quantity, 0.0, share_weight + pairs.score)
    gain[aa : aa + n_pairs] = per_unit * (share_weight + pairs.score)
    gain[ay : ay + n_members] = -partner_weight
    gain[az:] = cover
    rows: list[tuple[list[int], list[float], float, float]] = []  # (columns, coefficients, lower, upper)
    pair_member = np.asarray([member_code[m] for m in pairs.member], dtype=np.int64)
    for p in range(n_pairs):
        if has_quantity[p]:
            rows.append(([aa + p, ax + p], [1.0, -pairs.left[p]], -np.inf, 0.0))
            # a part gives something: at least MIN_SHARE of the component (or all its offer has left)
            least = min(MIN_SHARE * pairs.quantity[p], pairs.left[p])
            rows.append(([aa + p, ax + p], [1.0, -least], 0.0, np.inf))
        rows.append(([ax + p, ay + int(pair_member[p])], [1.0, -1.0], -np.inf, 0.0))
    by_offer: dict[str, list[int]] = {}
    for p, offer in enumerate(pairs.offer):
        by_offer.setdefault(offer, []).append(p)
    for ps in by_offer.values():
        quantity_pairs = [p for p in ps if has_quantity[p]]
        if quantity_pairs:
            rows.append(([aa + p for p in quantity_pairs], [1.0] * len(quantity_pairs), -np.inf, float(pairs.left[ps[0]])))
    for c in range(n_components):
        ps = np.flatnonzero(pairs.component == c).tolist()
        q = candidates.request.components[c].quantity
        if q:
            rows.append(([aa + p for p in ps] + [az + c], [1.0] * len(ps) + [-q], 0.0, np.inf))
            rows.append(([aa + p for p in ps], [1.0] * len(ps), -np.inf, q))
        else:
            rows.append(([ax + p for p in ps] + [az + c], [1.0] * len(ps) + [-1.0], 0.0, np.inf))
            if ps:  # one offer answers a component that names no quantity
                rows.append(([ax + p for p in ps], [1.0] * len(ps), -np.inf, 1.0))
    if options.max_partners is not None:
        rows.append(([ay + i for i in range(n_members)], [1.0] * n_members, -np.inf, float(options.max_partners)))
    if options.regional_partner:
        regional = [ax + p for p in range(n_pairs) if pairs.member[p] in regional_members]  # with a part, not only counted
        rows.append((regional, [1.0] * len(regional), 1.0, np.inf))
    for forced in options.force_in:
        ps = [ax + p for p in range(n_pairs) if pairs.member[p] == forced]
        rows.append((ps, [1.0] * len(ps), 1.0, np.inf))
    lower = np.zeros(n_vars)
    upper = np.ones(n_vars)
    upper[aa : aa + n_pairs] = np.where(has_quantity, np.minimum(pairs.left, pairs.quantity), 0.0)
    for lock in locked:
        for p in range(n_pairs):
            if pairs.component[p] == lock.component and pairs.offer[p] == lock.offer_id:
                lower[ax + p] = 1.0
                if has_quantity[p]:
                    lower[aa + p] = min(lock.amount, upper[aa + p])
    matrix = _matrix(rows, n_vars)
    integrality = np.ones(n_vars)
    integrality[aa : aa + n_pairs] = 0
    result = milp(
        c=-gain,
        constraints=[LinearConstraint(matrix, [r[2] for r in rows], [r[3] for r in rows])],
        integrality=integrality,
        bounds=Bounds(lower, upper),
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:
        raise PackageConstraintError("package", f"the solver found no package ({result.message})")
    x = result.x
    parts = []
    for p in range(n_pairs):
        amount = float(x[aa + p]) if has_quantity[p] else 0.0
        if x[ax + p] > 0.5 and (not has_quantity[p] or amount > 1e-9):
            parts.append(PartPlan(int(pairs.component[p]), pairs.offer[p], pairs.member[p], round(amount, 6), float(pairs.score[p])))
    objective, share = objective_of(candidates, parts)
    return Package(parts, share, objective, "milp", sorted({part.member_id for part in parts}))


def _matrix(rows: list[tuple[list[int], list[float], float, float]], n_vars: int) -> coo_matrix:
    r = [i for i, row in enumerate(rows) for _ in row[0]]
    c = [col for row in rows for col in row[0]]
    v = [val for row in rows for val in row[1]]
    return coo_matrix((v, (r, c)), shape=(len(rows), n_vars)).tocsr()


def _check(
    options: PackageOptions,
    locked: list[Locked],
    pairs: _Pairs,
    members: list[str],
    regional_members: frozenset[str],
    candidates: Candidates,
) -> None:
    """Name the constraint that cannot hold, before the solver would only say 'infeasible'."""
    locked_members = {candidates.offers[lock.offer_id].member_id for lock in locked if lock.offer_id in candidates.offers}
    needed = locked_members | set(options.force_in)
    if options.max_partners is not None:
        if options.max_partners < 1:
            raise PackageConstraintError("max_partners", f"{options.max_partners} is below 1", count=options.max_partners)
        if len(needed) > options.max_partners:
            raise PackageConstraintError(
                "max_partners",
                f"{len(needed)} partners are locked or forced in ({', '.join(sorted(needed))}), more than {options.max_partners}",
                members=tuple(sorted(needed)),
                count=options.max_partners,
            )
    for forced in options.force_in:
        if forced in options.force_out:
            raise PackageConstraintError("force_in", f"'{forced}' is both forced in and out", members=(forced,), both_ways=True)
        if forced not in members:
            raise PackageConstraintError(
                "force_in", f"'{forced}' has no suitable offer for any component of this request", members=(forced,)
            )
    if options.regional_partner and not any(m in regional_members for m in members):
        raise PackageConstraintError("regional_partner", "no suitable offer comes from a partner in the requester's region")


def greedy_package(candidates: Candidates, options: PackageOptions | None = None, locked: list[Locked] | None = None) -> Package:
    """The baseline: components in order, each takes the suitable offers best evidence first until
    it is covered (capacity shared across components; max_partners respected; no consolidation)."""
    options = options or PackageOptions()
    request = candidates.request
    used: dict[str, float] = {}
    parts: list[PartPlan] = [
        PartPlan(lock.component, lock.offer_id, candidates.offers[lock.offer_id].member_id, lock.amount, _score(candidates, lock))
        for lock in locked or []
    ]
    for part in parts:
        used[part.offer_id] = used.get(part.offer_id, 0.0) + part.amount
    partners = {part.member_id for part in parts}
    for c, component in enumerate(request.components):
        q = component.quantity
        got = sum((part.amount if q else 1.0) for part in parts if part.component == c)
        target = q if q else 1.0
        for x in candidates.by_component[c]:
            if got >= target - 1e-9:
                break
            if not x.suitable or x.member_id in options.force_out:
                continue
            if x.member_id not in partners and options.max_partners is not None and len(partners) >= options.max_partners:
                continue
            room = x.left - used.get(x.offer_id, 0.0)
            if room <= 1e-9:
                continue
            amount = min(room, target - got) if q else 0.0
            parts.append(PartPlan(c, x.offer_id, x.member_id, round(amount, 6), x.score))
            used[x.offer_id] = used.get(x.offer_id, 0.0) + amount
            partners.add(x.member_id)
            got += amount if q else 1.0
    objective, share = objective_of(candidates, parts)
    return Package(parts, share, objective, "greedy", sorted(partners))


def _score(candidates: Candidates, lock: Locked) -> float:
    for x in candidates.by_component[lock.component]:
        if x.offer_id == lock.offer_id:
            return x.score
    return 0.0
