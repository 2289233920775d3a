"""The shared calendar and the peer-learning database through /v1: events (create or replace,
list, one with its outputs), the iCalendar feed of the network or of a cluster (RFC 5545; the hub
reads it with its key; a calendar application subscribes to its secret address, which needs no key),
resource links, and the resource finder."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from matcher.calendar.model import Community, Event, LearningLink
from matcher.calendar.subscriptions import FeedGrant, FeedRefused, FeedTokens
from matcher.usecases import calendar, library
from matcher.usecases.clusters import resolve_cluster
from matcher.usecases.unread import question_flags
from service.deps import Reader, State, Writer
from service.pages import SaysWhenNothingIsAbout

router = APIRouter(prefix="/v1", tags=["calendar"])
CALENDAR = "text/calendar"
Language = Annotated[Literal["en", "fr", "es"], Query(description="The language of cluster names in the feed.")]
NOT_FOUND: dict[int | str, dict[str, str]] = {404: {"description": "No such event or cluster."}}


class Written(BaseModel):
    written: int


class FeedAddress(BaseModel):
    url: str
    cluster: str | None
    language: str
    note: str


class LibraryPage(SaysWhenNothingIsAbout):
    total: int = Field(description="Resources that match: 0 when q names none and none is at least a partial match.")
    items: list[library.LibraryHit]
    flags: list[str] = Field(
        default_factory=list,
        description="Warnings about the whole answer, as resource search gives them: 'language not read by the model"
        " (CODES): ...' when q is in a language the encoder was not trained on (its labels are then not meaningful).",
    )


def _ics(body: bytes, name: str) -> Response:
    return Response(body, media_type=f"{CALENDAR}; charset=utf-8", headers={"Content-Disposition": f'inline; filename="{name}.ics"'})


@router.put("/calendar/events", response_model=Written, summary="Create or replace events (all or none)")
def put_events(events: Annotated[list[Event], Body(max_length=1_000)], state: State, key: Writer) -> Written:
    return Written(written=calendar.save_events(state.snapshot, state.workspace.store, events))


@router.get(
    "/calendar/events", response_model=list[Event], summary="Events by start time, of the network or one cluster", responses=NOT_FOUND
)
def list_events(
    state: State,
    key: Reader,
    cluster: Annotated[str | None, Query(max_length=200, description="A cluster's code or name.")] = None,
    since: Annotated[dt.datetime | None, Query(description="Events starting at or after this instant.")] = None,
    until: Annotated[dt.datetime | None, Query(description="...and before this one.")] = None,
) -> list[Event]:
    return calendar.events_of(state.snapshot, state.workspace.store, cluster, since, until)


@router.get(
    "/calendar/events/{event_id}", response_model=calendar.EventView, summary="One event and the resources it produced", responses=NOT_FOUND
)
def get_event(event_id: Annotated[str, Path(min_length=1, max_length=200)], state: State, key: Reader) -> calendar.EventView:
    return calendar.event_view(state.snapshot, state.workspace.store, event_id)


@router.delete(
    "/calendar/events/{event_id}", status_code=204, summary="Delete an event (its outputs stay, unlinked from it)", responses=NOT_FOUND
)
def delete_event(event_id: Annotated[str, Path(min_length=1, max_length=200)], state: State, key: Writer) -> Response:
    calendar.delete_event(state.workspace.store, event_id)
    return Response(status_code=204)


@router.get(
    "/calendar/feed.ics",
    summary="The network's iCalendar feed (RFC 5545)",
    response_class=Response,
    responses={200: {"content": {CALENDAR: {}}}},
)
def network_feed(state: State, key: Reader, language: Language = "en") -> Response:
    return _ics(calendar.calendar_feed(state.snapshot, state.workspace.store, None, language), "peermatch")


@router.get(
    "/clusters/{cluster}/calendar.ics",
    summary="A cluster's iCalendar feed (RFC 5545)",
    response_class=Response,
    responses={200: {"content": {CALENDAR: {}}}, **NOT_FOUND},
)
def cluster_feed(
    cluster: Annotated[str, Path(min_length=1, max_length=200)], state: State, key: Reader, language: Language = "en"
) -> Response:
    return _ics(calendar.calendar_feed(state.snapshot, state.workspace.store, cluster, language), f"peermatch-{cluster}")


def _feed_tokens(state: State, status: int) -> FeedTokens:
    secret = state.mail.link_secret
    if secret is None:  # as the answer links: 409, the service is not set up for it (the feed itself: 404, no such address)
        raise HTTPException(status, "calendar subscriptions are not configured: set PEERMATCH_LINK_SECRET (and PEERMATCH_PUBLIC_URL)")
    return FeedTokens(secret.get_secret_value())


@router.get(
    "/calendar/subscription",
    response_model=FeedAddress,
    summary="The secret address a calendar application subscribes to (no key needed to read it)",
    responses={**NOT_FOUND, 409: {"description": "PEERMATCH_LINK_SECRET is not set."}},
)
def feed_address(
    state: State,
    key: Reader,
    language: Language = "en",
    cluster: Annotated[str | None, Query(min_length=1, max_length=200, description="A cluster's code or name; none: the network.")] = None,
) -> FeedAddress:
    code = resolve_cluster(state.snapshot, cluster) if cluster else None
    token = _feed_tokens(state, 409).issue(FeedGrant(code, language))
    base = (state.mail.public_url or "").rstrip("/")
    return FeedAddress(
        url=f"{base}/v1/feeds/{token}.ics",
        cluster=code,
        language=language,
        note="Anyone with this address reads this one calendar; rotating PEERMATCH_LINK_SECRET revokes every address.",
    )


@router.get(
    "/feeds/{token}.ics",
    summary="A calendar read by its secret address (no API key: the address is the credential)",
    response_class=Response,
    responses={200: {"content": {CALENDAR: {}}}, 404: {"description": "A forged or revoked address."}},
)
def subscribed_feed(token: Annotated[str, Path(min_length=8, max_length=400)], state: State) -> Response:
    try:
        grant = _feed_tokens(state, 404).read(token)
    except FeedRefused as error:
        raise HTTPException(404, str(error)) from None
    name = f"peermatch-{grant.cluster}" if grant.cluster else "peermatch"
    return _ics(calendar.calendar_feed(state.snapshot, state.workspace.store, grant.cluster, grant.language), name)


@router.put("/calendar/communities", response_model=Written, summary="Create or replace communities of learning (all or none)")
def put_communities(communities: Annotated[list[Community], Body(max_length=1_000)], state: State, key: Writer) -> Written:
    return Written(written=calendar.save_communities(state.snapshot, state.workspace.store, communities))


@router.get(
    "/calendar/communities",
    response_model=list[Community],
    summary="Communities of learning, of the network or one cluster",
    responses=NOT_FOUND,
)
def list_communities(
    state: State, key: Reader, cluster: Annotated[str | None, Query(max_length=200, description="A cluster's code or name.")] = None
) -> list[Community]:
    return calendar.communities_of(state.snapshot, state.workspace.store, cluster)


@router.put("/learning-links", response_model=Written, summary="Link resources to the event or cluster that produced them (all or none)")
def put_links(links: Annotated[list[LearningLink], Body(max_length=5_000)], state: State, key: Writer) -> Written:
    return Written(written=calendar.link_resources(state.snapshot, state.workspace.store, links, f"key:{key.name}"))


@router.get(
    "/clusters/{cluster}/learning",
    response_model=list[calendar.LearningEntry],
    summary="A cluster's peer-learning database: its resources and the events that produced them",
    responses=NOT_FOUND,
)
def cluster_learning(
    cluster: Annotated[str, Path(min_length=1, max_length=200)], state: State, key: Reader
) -> list[calendar.LearningEntry]:
    return calendar.peer_learning(state.snapshot, state.workspace.store, cluster)


@router.get(
    "/library", response_model=LibraryPage, summary="Find resources: filters, and exact names (a programme's) first", responses=NOT_FOUND
)
def find_resources(
    state: State,
    key: Reader,
    q: Annotated[str, Query(max_length=500)] = "",
    cluster: Annotated[str, Query(max_length=200)] = "",
    topic: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=50)] = "",
    language: Annotated[str, Query(max_length=8)] = "",
    author: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> LibraryPage:
    query = library.ResourceQuery(q=q, cluster=cluster, topic=topic, kind=kind, language=language, author=author)
    found = library.find_resources(state.snapshot, state.workspace.store, query, limit)
    flags = question_flags(state.snapshot, [q]) if q.strip() else []
    return LibraryPage(total=found.total, items=found.hits, answer_explanation=found.answer, flags=flags)
