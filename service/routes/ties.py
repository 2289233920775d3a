"""Ties between members through /v1: list, record, remove, and import a twin-cities list.

Reading needs ``read``; recording, removing and importing need ``write``. Pairing reads the stored
ties when its request names a tie policy other than 'ignore' (``constraints.tie_policy``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from matcher.ties import TieKind, Ties
from matcher.usecases.ties import TieImportReport, import_twin_cities_text
from service.deps import Reader, State, Writer

router = APIRouter(prefix="/v1/ties", tags=["ties"])
ID = 200


class TieIn(BaseModel):
    member_a: str = Field(min_length=1, max_length=ID, examples=["city-kati-ml"])
    member_b: str = Field(min_length=1, max_length=ID, examples=["city-erfurt-de"])
    kind: TieKind = "twinning"
    source: str = Field("", max_length=500, description="Where the tie is recorded (a council decision, a list).")


class TiePublic(BaseModel):
    member_a: str = Field(description="The pair in id order: (a, b) and (b, a) are one tie.")
    member_b: str
    kind: TieKind
    source: str
    created_by: str


class TieAdded(BaseModel):
    added: bool = Field(description="False when the pair already had a tie of that kind.")


@router.get("", response_model=list[TiePublic], summary="Ties, optionally one member's")
def list_ties(
    state: State, key: Reader, member_id: Annotated[str | None, Query(max_length=ID)] = None, kind: TieKind | None = None
) -> list[TiePublic]:
    return [
        TiePublic(member_a=t.member_a, member_b=t.member_b, kind=t.kind, source=t.source, created_by=t.created_by)
        for t in Ties(state.workspace.store).list(member_id, kind)
    ]


@router.post("", response_model=TieAdded, status_code=201, summary="Record a tie between two members")
def add_tie(tie: TieIn, state: State, key: Writer) -> TieAdded:
    return TieAdded(added=Ties(state.workspace.store).add(tie.member_a, tie.member_b, tie.kind, f"key:{key.name}", tie.source))


@router.delete("", status_code=204, summary="Remove a tie", responses={404: {"description": "no such tie"}})
def remove_tie(
    state: State,
    key: Writer,
    member_a: Annotated[str, Query(min_length=1, max_length=ID)],
    member_b: Annotated[str, Query(min_length=1, max_length=ID)],
    kind: TieKind = "twinning",
) -> Response:
    from fastapi import HTTPException

    if not Ties(state.workspace.store).remove(member_a, member_b, kind):
        raise HTTPException(404, f"no {kind} tie between '{member_a}' and '{member_b}'")
    return Response(status_code=204)


class TwinCitiesIn(BaseModel):
    text: str = Field(
        min_length=1,
        max_length=20_000_000,
        description="The list as UTF-8 CSV with its header: city1,country1,lat1,lng1,city2,country2,lat2,lng2.",
    )
    kind: TieKind = "twinning"


@router.post(
    "/twin-cities",
    response_model=TieImportReport,
    summary="Import ties from a twin-cities list",
    description="Rows whose two cities are members (kind city or local government; name without case or accents, and"
    " country) become ties; the report names each line it could not read.",
)
def import_twin_cities_route(body: TwinCitiesIn, state: State, key: Writer) -> TieImportReport:
    return import_twin_cities_text(state.workspace.store, body.text, "twin-cities upload", body.kind, f"key:{key.name}")
