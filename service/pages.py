"""One shape for every list the API answers: ``{total, offset, limit, items}``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    total: int = Field(description="Items there are in all (for a ranking: the results given).")
    offset: int = Field(description="Items skipped before the first one here.")
    limit: int = Field(description="The most items one answer holds (for a ranking: k).")
    items: list[Item]


def ranking(items: Sequence[Item], k: int) -> Page[Item]:
    """A ranked answer (peers, resources for a member) as a page: all of it, up to ``k``."""
    return Page[Item](total=len(items), offset=0, limit=k, items=list(items))
