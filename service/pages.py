"""One shape for every list the API answers: ``{total, offset, limit, items}``; and the sentence a
search answer adds when nothing it found is about the query."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field, computed_field

from matcher.explanations import Explanation
from matcher.recommend.helps import HelpMatch
from matcher.recommend.peers import PeerMatch

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    total: int = Field(
        description=(
            "Items there are in all. For a ranking, which is not computed in full: the results ranked, "
            "at least one past this page when there are more, so total > offset + limit means another page exists."
        )
    )
    offset: int = Field(description="Items skipped before the first one here.")
    limit: int = Field(description="The most items one answer holds (for a ranking: k).")
    items: list[Item]
    next_cursor: str | None = Field(
        None,
        description="Members and resources: pass it as 'cursor' for the next page (none: the last page); it stays right as records change.",
    )


def ranking(items: Sequence[Item], k: int, offset: int = 0) -> Page[Item]:
    """A ranked answer (peers, resources for a member) as a page: ``k`` results after the first
    ``offset`` of ``items`` (ranked at least ``offset + k`` deep)."""
    return Page[Item](total=len(items), offset=offset, limit=k, items=list(items[offset : offset + k]))


class SaysWhenNothingIsAbout(BaseModel):
    """A search answer's sentence for a query nothing in the network is about (its results are
    then only the three closest, all weak): as data for a translation, and in English."""

    answer_explanation: Explanation | None = Field(
        None, description="When no result is at least a partial match: that sentence as data (template and values), for a translation."
    )

    @computed_field(  # type: ignore[prop-decorator]
        description="When no result is at least a partial match, one sentence saying so (the results are then only the"
        " three closest, all weak); null otherwise, and when no resource passes the request's filters (no results)."
    )
    @property
    def answer(self) -> str | None:
        return self.answer_explanation.text() if self.answer_explanation else None


class PeerPage(Page[PeerMatch]):
    """A page of peer partners, with the sentence an empty ranking needs: no item carries a flag then."""

    answer_explanation: Explanation | None = Field(
        None, description="When no member can be proposed (total 0): why, as data (template and values), for a translation."
    )

    @computed_field(  # type: ignore[prop-decorator]
        description="When no member can be proposed (total 0), one sentence saying why: no member shares a working language,"
        " or the request's filters, exclusions and proposal history leave nobody; null otherwise."
    )
    @property
    def answer(self) -> str | None:
        return self.answer_explanation.text() if self.answer_explanation else None


class HelpPage(Page[HelpMatch]):
    """A page of members this member can help, with the sentence an empty answer needs."""

    answer_explanation: Explanation | None = Field(
        None, description="When nobody is listed (total 0): why, as data (template and values), for a translation."
    )

    @computed_field(  # type: ignore[prop-decorator]
        description="When nobody is listed (total 0), one sentence saying why: the member states no strength and authored no"
        " resource, or its evidence meets no need at least partially (ask with only_evidence false), or no member sharing a"
        " working language states a need; null otherwise."
    )
    @property
    def answer(self) -> str | None:
        return self.answer_explanation.text() if self.answer_explanation else None
