"""Ties as callers use them: import a twin-cities list into the store, with a report that names
every line it could not read (the CLI, /v1/ties and the demo go through here)."""

from __future__ import annotations

import io
from pathlib import Path

from pydantic import BaseModel, Field

from matcher.store import Store
from matcher.ties import TieKind, Ties
from matcher.ties.twin_cities import SOURCE, TwinCityMatch, match_rows, match_twin_cities


class TieProblemOut(BaseModel):
    line: int
    field: str
    message: str


class TieImportReport(BaseModel):
    path: str
    rows: int
    matched: int = Field(description="Rows whose two cities are both members (each pair once).")
    added: int = Field(description="Of those, ties that were not recorded yet.")
    one_side_member: int = Field(description="Rows with one city in the network (the other a candidate).")
    problem_count: int
    problems: list[TieProblemOut] = Field(description="The first 200 lines that could not be read, by line and field.")


def import_twin_cities(store: Store, path: Path, kind: TieKind, actor: str) -> TieImportReport:
    """Match ``path``'s rows to the store's members and record the ties (one transaction)."""
    return _record(store, match_twin_cities(path, store.members()), str(path), kind, actor)


def import_twin_cities_text(store: Store, text: str, label: str, kind: TieKind, actor: str) -> TieImportReport:
    """The same, for a list sent as text (``/v1/ties/twin-cities``)."""
    return _record(store, match_rows(io.StringIO(text, newline=""), label, store.members()), label, kind, actor)


def _record(store: Store, found: TwinCityMatch, label: str, kind: TieKind, actor: str) -> TieImportReport:
    added = Ties(store).add_many(found.pairs, kind, actor, f"{Path(label).name}: {SOURCE}") if found.pairs else 0
    return TieImportReport(
        path=label,
        rows=found.rows,
        matched=len(found.pairs),
        added=added,
        one_side_member=found.one_side_member,
        problem_count=len(found.problems),
        problems=[TieProblemOut(line=p.line, field=p.field, message=p.message) for p in found.problems[:200]],
    )
