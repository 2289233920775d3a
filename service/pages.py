"""One shape for every list the API answers: ``{total, offset, limit, items}``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

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
