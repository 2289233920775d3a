"""What a cluster holds beyond its members: coordinators' terms, the work plan, status updates,
and the participation of each member over a period."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.explanations import ENDS_BEFORE_START, STATUS_NEEDS_PLAN_ITEM, ExplainedValueError, explain

PlanStatus = Literal["planned", "in_progress", "done", "dropped"]
PLAN_STATUSES: tuple[str, ...] = PlanStatus.__args__  # type: ignore[attr-defined]
ShortText = Annotated[str, Field(min_length=1, max_length=2_000)]
MemberRef = Annotated[str, Field(min_length=1, max_length=200)]
# The GNLC strategy: coordinator cities are « (ré)élues pour deux ans ».
TERM_YEARS = 2


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class CoordinatorTerm(_In):
    """A member coordinating a cluster from ``starts`` to ``ends`` (both days included)."""

    member_id: MemberRef
    starts: dt.date
    ends: dt.date | None = Field(None, description=f"The last day of the term; by default {TERM_YEARS} years after it starts.")
    note: Annotated[str, Field(max_length=2_000)] = ""

    @model_validator(mode="after")
    def _ends_after_start(self) -> CoordinatorTerm:
        if self.ends is not None and self.ends < self.starts:
            raise ExplainedValueError(explain(ENDS_BEFORE_START, ends=self.ends.isoformat(), starts=self.starts.isoformat()))
        return self

    @property
    def last_day(self) -> dt.date:
        if self.ends is not None:
            return self.ends
        try:
            return self.starts.replace(year=self.starts.year + TERM_YEARS) - dt.timedelta(days=1)
        except ValueError:  # 29 February
            return self.starts.replace(year=self.starts.year + TERM_YEARS, day=28)


class PlanItem(_In):
    """One line of a cluster's work plan: an objective, the output that shows it, who owns it, by when."""

    objective: ShortText
    output: ShortText
    owner: MemberRef = Field(description="The member (id) answerable for it.")
    due: dt.date
    status: PlanStatus = "planned"


class StatusUpdate(_In):
    """A dated report on the cluster's progress, optionally on one plan item (and its new status)."""

    on: dt.date
    text: ShortText
    plan_item: int | None = Field(None, ge=1, description="The plan item it reports on.")
    status: PlanStatus | None = Field(None, description="The plan item's new status (needs plan_item).")

    @model_validator(mode="after")
    def _status_needs_item(self) -> StatusUpdate:
        if self.status is not None and self.plan_item is None:
            raise ExplainedValueError(explain(STATUS_NEEDS_PLAN_ITEM))
        return self


class Coordinator(BaseModel):
    id: int
    cluster: str
    member_id: str
    member_name: str
    starts: dt.date
    ends: dt.date
    note: str
    current: bool = Field(description="Whether the term includes the day asked about (today by default).")
    days_left: int = Field(description="Days from that day to the end of the term (negative: ended).")


class StoredPlanItem(PlanItem):
    id: int
    cluster: str
    owner_name: str
    overdue: bool = Field(description="Due before the day asked about and neither done nor dropped.")


class StoredUpdate(StatusUpdate):
    id: int
    cluster: str
    author: str


class Participation(BaseModel):
    """What one member of a cluster did over the period."""

    member_id: str
    name: str
    role: str
    proposals: int = Field(description="Partnership proposals made to or involving it in the period.")
    check_ins: int = Field(description="Dated check-ins on its partnerships in the period.")
    events_hosted: int
    events_attended: int
    resources: int = Field(description="Resources it authored, published in the period.")
    inactive: bool = Field(description="Nothing at all in the period.")

    @property
    def total(self) -> int:
        return self.proposals + self.check_ins + self.events_hosted + self.events_attended + self.resources
