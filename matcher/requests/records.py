"""Offers and requests (issue 23): what a member puts on the table, and what a government asks for.

An **offer** is a member's typed contribution ("we lend two experts for three months", "500
tablets", "we fund teacher training up to 200,000 USD") with a capacity in one unit and what is
already committed of it. A **request** names who asks, the country, and the components asked for,
each a need text in any language with the type of support wanted and optionally a quantity in
the unit of that type. Validated once, where they enter, in the style of ``matcher.records``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.records import LIST_MAX, CountryCode, ItemText, LanguageCode, Name, RecordId, Region

OfferType = Literal["expertise", "in_kind", "financial", "content", "connectivity"]
OFFER_TYPES: tuple[str, ...] = OfferType.__args__  # type: ignore[attr-defined]
# What a capacity counts: things (tablets, routers), money (with a currency), or days of people's work.
CapacityUnit = Literal["units", "amount", "person_days"]
CAPACITY_UNITS: tuple[str, ...] = CapacityUnit.__args__  # type: ignore[attr-defined]
# The meeting note's three tiers of technology: online, low-tech (radio, SMS, TV), none (print).
TechLevel = Literal["high", "low", "none"]
TECH_LEVELS: tuple[str, ...] = TechLevel.__args__  # type: ignore[attr-defined]
# The unit each type of support is counted in: a component's quantity is read in it.
UNIT_OF_TYPE: dict[str, str] = {
    "expertise": "person_days",
    "in_kind": "units",
    "financial": "amount",
    "content": "units",
    "connectivity": "units",
}

COMPONENTS_MAX = 30  # a request is a handful of components; 30 bounds one solve
QUANTITY_MAX = 1e12  # a capacity or a quantity above this is a typing slip, not an offer
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD, EUR, XOF.")]
Quantity = Annotated[float, Field(ge=0, le=QUANTITY_MAX, allow_inf_nan=False)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Offer(_Record):
    """A member's typed offer with its capacity (``capacity`` in ``unit``; money in ``currency``)."""

    id: RecordId
    member_id: RecordId
    type: OfferType
    description: ItemText
    unit: CapacityUnit
    capacity: Quantity = Field(description="How much is offered in all, in ``unit``.")
    committed: Quantity = Field(0.0, description="How much of it is already promised elsewhere (outside peermatch).")
    currency: Currency | None = None
    available_from: dt.date | None = None
    available_until: dt.date | None = None
    countries: list[CountryCode] = Field(default_factory=list, max_length=LIST_MAX, description="Countries served; empty: anywhere.")
    regions: list[Region] = Field(default_factory=list, max_length=LIST_MAX, description="Regions served; empty: anywhere.")
    languages: list[LanguageCode] = Field(min_length=1, max_length=LIST_MAX, description="Working languages.")
    tech_level: TechLevel | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Offer:
        if self.unit == "amount" and self.currency is None:
            raise ValueError("an offer of money (unit 'amount') needs a currency")
        if self.unit != "amount" and self.currency is not None:
            raise ValueError(f"a currency is given but the unit is '{self.unit}', not 'amount'")
        if self.committed > self.capacity:
            raise ValueError(f"committed ({self.committed:g}) exceeds the capacity ({self.capacity:g})")
        if self.available_from and self.available_until and self.available_until < self.available_from:
            raise ValueError("available_until is before available_from")
        return self

    @property
    def free(self) -> float:
        """Capacity not committed outside peermatch (packages commit more: ``storage.committed_by_offer``)."""
        return self.capacity - self.committed

    def serves(self, country: str, region: str) -> bool:
        """Whether the offer reaches ``country`` (no list of countries or regions: anywhere)."""
        if not self.countries and not self.regions:
            return True
        return country in self.countries or region in self.regions


class Component(_Record):
    """One part of a request: a need text, the type of support wanted, and optionally how much
    (in the unit of that type: ``UNIT_OF_TYPE``; money in ``currency``)."""

    text: ItemText
    type: OfferType
    quantity: Quantity | None = None
    currency: Currency | None = None
    language: LanguageCode | None = Field(None, description="The text's language when it is not the request's first language.")

    @model_validator(mode="after")
    def _currency(self) -> Component:
        if self.type == "financial" and self.quantity is not None and self.currency is None:
            raise ValueError("a financial component with a quantity needs a currency")
        return self

    @property
    def unit(self) -> str:
        return UNIT_OF_TYPE[self.type]


RequestStatus = Literal["received", "triaged", "declined", "proposed", "approved", "in_delivery", "closed"]
REQUEST_STATUSES: tuple[str, ...] = RequestStatus.__args__  # type: ignore[attr-defined]


class Request(_Record):
    """A request for the network's help: ``requester_id`` (a government member) or, for a
    non-member, ``requester_name``; the country it is for and what it asks (``components``)."""

    id: RecordId
    title: Name
    requester_id: RecordId | None = None
    requester_name: Name | None = None
    country: CountryCode
    region: Region
    languages: list[LanguageCode] = Field(min_length=1, max_length=LIST_MAX)
    components: list[Component] = Field(min_length=1, max_length=COMPONENTS_MAX)
    tech_level: TechLevel | None = None
    deadline: dt.date | None = None

    @model_validator(mode="after")
    def _who(self) -> Request:
        if (self.requester_id is None) == (self.requester_name is None):
            raise ValueError("give exactly one of requester_id (a member) and requester_name (a non-member)")
        return self

    def component_language(self, index: int) -> str:
        return self.components[index].language or self.languages[0]


RecordKind = Literal["offers", "requests"]
MODEL_OF: dict[str, type[Offer] | type[Request]] = {"offers": Offer, "requests": Request}
