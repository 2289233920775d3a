"""The network's progress through /v1: per network, cluster or region (read scope)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from matcher.progress import GroupBy, ProgressReport
from matcher.usecases.progress import progress_for
from service.deps import Reader, State

router = APIRouter(prefix="/v1/progress", tags=["progress"])
Today = Annotated[dt.date | None, Query(description="The day overdue is judged on (default: today, UTC).")]


@router.get(
    "", response_model=ProgressReport, summary="Proposals by status, time to active, outcomes, ratings and what is overdue, per group"
)
def get_progress(state: State, key: Reader, by: GroupBy = "region", today: Today = None) -> ProgressReport:
    return progress_for(state.workspace.store, by, today)
