"""The progress report of the network as stored now (the console's page, its exports and /v1/progress)."""

from __future__ import annotations

import datetime as dt

from matcher.partnerships import Partnerships
from matcher.progress import GroupBy, ProgressReport, progress_report
from matcher.store import Store


def progress_for(store: Store, by: GroupBy, today: dt.date | None = None) -> ProgressReport:
    members = {m.id: m for m in store.members()}
    return progress_report(Partnerships(store).all(), members, by, today or dt.datetime.now(dt.UTC).date())
