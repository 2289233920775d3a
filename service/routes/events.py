"""The change feed: what a hub keeping a copy needs to fetch again, since its last look."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from matcher.events import Feed, feed
from service.deps import Reader, State

router = APIRouter(prefix="/v1", tags=["events"])
FEED_MAX = 1000  # events in one answer; a hub further behind asks again at once ('more')


@router.get("/events", response_model=Feed, summary="What changed since a cursor: record upserts and deletes, proposal steps")
def events(
    state: State,
    key: Reader,
    since: Annotated[str | None, Query(max_length=40, description="The previous answer's 'next'; none: from the start.")] = None,
    limit: Annotated[int, Query(ge=1, le=FEED_MAX)] = 100,
) -> Feed:
    """Poll it (with ``since`` the last answer's ``next``) instead of re-reading every list; each event
    names what to GET again."""
    return feed(state.workspace.store, since, limit)
