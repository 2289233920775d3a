"""Offered capacity beside what open requests still need, by region and type of support: where
in-kind or financial support is missing (issue 23, item 5; the capacity map's page links here).

An offer counts in a region when it serves it: the region is among its ``regions``, or it names
no country nor region (anywhere), or it names countries only and its member is based there (an
approximation: the records hold no country -> region table). An open request's component still
needs its quantity less what the parts of its package hold (a component without a quantity
counts as one). Amounts are summed per unit, money per currency (no exchange rates).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from matcher.requests.candidates import capacity_left
from matcher.requests.model import StoredRequest
from matcher.requests.records import OFFER_TYPES, Offer

OPEN = frozenset({"received", "triaged", "proposed", "approved", "in_delivery"})


@dataclass
class SupplyCell:
    """One region and type: offers serving it, capacity left and still needed, per unit or currency."""

    offers: int = 0
    left: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    needed: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    components: int = 0  # open components not fully covered

    @property
    def missing(self) -> bool:
        """Something is needed that no offer here has left in the same unit."""
        return any(amount > self.left.get(unit, 0.0) + 1e-9 for unit, amount in self.needed.items())


def supply_by_region(
    offers: list[Offer], requests: list[StoredRequest], home_region: Mapping[str, str], held: dict[str, float], regions: tuple[str, ...]
) -> dict[str, dict[str, SupplyCell]]:
    """region -> type -> SupplyCell, for every region and every type."""
    table = {region: {kind: SupplyCell() for kind in OFFER_TYPES} for region in regions}
    for offer in offers:
        unit = offer.currency or offer.unit
        anywhere = not offer.regions and not offer.countries
        for region in regions:
            if region in offer.regions or anywhere or (offer.countries and home_region.get(offer.member_id) == region):
                cell = table[region][offer.type]
                cell.offers += 1
                cell.left[unit] += capacity_left(offer, held)
    for stored in requests:
        if stored.status not in OPEN or stored.request.region not in table:
            continue
        given: dict[int, float] = defaultdict(float)
        for part in stored.package:
            given[part.component] += part.amount if stored.request.components[part.component].quantity else 1.0
        for index, component in enumerate(stored.request.components):
            asked = component.quantity or 1.0
            still = max(asked - given[index], 0.0)
            if still <= 1e-9:
                continue
            cell = table[stored.request.region][component.type]
            cell.components += 1
            cell.needed[component.currency or component.unit] += still
    return table
