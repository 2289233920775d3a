"""Recommendations: peers, experts, resources (search and for a member), representative fit, capacity map."""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from matcher.errors import PeermatchError, UnknownIdError
from matcher.graph.capacity import CapacityMap
from matcher.graph.html import render
from matcher.partnerships import Partnerships
from matcher.recommend.experts import ExpertGroup, ExpertOptions
from matcher.recommend.helps import HelpOptions
from matcher.recommend.member_resources import MemberResourceHit, MemberResourceOptions
from matcher.recommend.peers import PeerMode, PeerOptions
from matcher.recommend.representatives import RepresentativeFit
from matcher.record_forms import UnsavedProfile
from matcher.records import CountryCode, LanguageCode, MemberKind, Region, ResourceKind
from matcher.search.resources import ResourceFilters, ResourceHit
from matcher.usecases import search
from matcher.usecases.experts import experts_for, helps_for, representative_fit_for, resources_for, why_no_help
from matcher.usecases.peers import PeerQuestion, explained, peer_question, rank, why_none
from service.answers import RankedAnswer, Served, cached_peer_answer, paged
from service.deps import Reader, State
from service.pages import HelpPage, Page, PeerPage, SaysWhenNothingIsAbout, ranking

router = APIRouter(prefix="/v1", tags=["recommendations"])
# A page is ranked offset + k deep, plus the few past it that tell whether another page exists
# (DECLINED_MARGIN on the GET route): offset + k stays within PeerOptions.k's 500 with room for them.
PEER_DEPTH_MAX = 490
PEER_OFFSET_MAX = PEER_DEPTH_MAX - 100  # the GET route's largest k
MemberResourcePage = Page[MemberResourceHit]


# A field the request does not know is refused by name (422 'options.kk'), not ignored: a typo in
# an option's name ('kk' for 'k', 'reciprocal_mode') used to answer with the defaults, unsaid.
STRICT = ConfigDict(extra="forbid")


# The ranking's option models take any string as a region, country or kind (the CLI and the
# evaluation build them); a request's are checked where it enters, so that a typo ('Mars',
# 'France', 'martian') is refused by name instead of filtering out every member and answering
# 'nobody in the network states this'. Narrowing a list's item type is what mypy calls an
# incompatible override; pydantic validates the narrower one, which is the point.
class PeerRequestOptions(PeerOptions):
    model_config = STRICT
    regions: list[Region] | None = Field(None, description="Only members of these regions; none: every region.")  # type: ignore[assignment]
    countries: list[CountryCode] | None = Field(None, description="Only members of these countries (ISO 3166-1 alpha-2); none: all.")
    kinds: list[MemberKind] | None = Field(None, description="Only members of these kinds; none: every kind.")  # type: ignore[assignment]


class ExpertRequestOptions(ExpertOptions):
    model_config = STRICT
    kinds: list[MemberKind] | None = Field(None, description="Only members of these kinds; none: every kind.")  # type: ignore[assignment]


class PeerRequest(BaseModel):
    """A stored member by id, or an unsaved profile (its id optional: nothing is written)."""

    model_config = STRICT
    member_id: str | None = Field(None, examples=["city-cove-bj"])
    profile: UnsavedProfile | None = None
    options: PeerRequestOptions = Field(default_factory=PeerRequestOptions)
    include_declined: bool = Field(False, description="Keep partners this member declined (or was declined by) in earlier proposals.")
    offset: int = Field(0, ge=0, le=PEER_OFFSET_MAX, description="Results to skip (options.k results follow).")

    @model_validator(mode="after")
    def _one_of(self) -> PeerRequest:
        if (self.member_id is None) == (self.profile is None):
            raise ValueError("give exactly one of 'member_id' and 'profile'")
        if self.offset + self.options.k > PEER_DEPTH_MAX:
            raise ValueError(f"offset + options.k must be at most {PEER_DEPTH_MAX} (got {self.offset + self.options.k})")
        return self

    @property
    def asker(self) -> str | UnsavedProfile:
        """Whom to rank for: the profile, else the member's id (``_one_of`` saw that one is given)."""
        return self.profile if self.profile is not None else str(self.member_id)


class ExpertRequest(BaseModel):
    model_config = STRICT
    theme: str = Field(min_length=1, max_length=2000, examples=["Education for sustainable development"])
    options: ExpertRequestOptions = Field(
        default_factory=ExpertRequestOptions,
        examples=[{"k": 5, "aspects": ["climate change in the curriculum", "teacher training", "community action", "monitoring"]}],
    )


class ResourceSearchRequest(BaseModel):
    model_config = STRICT
    query: str = Field(
        min_length=1, max_length=4000, examples=["former les enseignants au numérique"], description="Free text, in any language."
    )
    k: int = Field(10, ge=1, le=200, description="How many results at most.")
    # Codes are checked like a member's: a typo ('eng', 'french') is refused by name, where it
    # used to filter out every resource and answer an empty list with no sentence.
    languages: list[LanguageCode] | None = Field(
        None, examples=[["en", "es"]], description="Only resources in these languages (ISO 639-1); none: every language."
    )
    kinds: list[ResourceKind] | None = Field(None, description="Only resources of these kinds; none: every kind.")
    published_after: dt.date | None = Field(None, description="Only resources published after this date.")
    mode: Literal["hybrid", "dense", "lexical"] = Field(
        "hybrid", description="Retrievers: 'hybrid' (dense and lexical, fused), 'dense' (embeddings) or 'lexical' (BM25) alone."
    )
    language_mix: bool = Field(True, description="Show the best hit of languages missing from the top k.")


class ResourceSearchResponse(SaysWhenNothingIsAbout):
    query: str
    results: list[ResourceHit]
    flags: list[str] = Field(
        default_factory=list,
        description="Warnings about the whole answer: 'language not read by the model (CODES): ...' when the query is in"
        " a language the encoder was not trained on (its scores are then not meaningful).",
    )


@router.post("/recommendations/peers", response_model=PeerPage, summary="Peer partners for a member or an unsaved profile")
def peers(request: PeerRequest, state: State, key: Reader) -> PeerPage:
    snapshot, book = state.snapshot, Partnerships(state.workspace.store)
    if request.member_id is not None and request.member_id not in snapshot.members_by_id:
        raise UnknownIdError("member", request.member_id, field="member_id")  # the body's field, named in the 404
    size = request.options.k
    # One past the page, so that total says whether another page exists.
    options = request.options.model_copy(update={"k": request.offset + size + 1})
    question = peer_question(book, request.asker, options, include_declined=request.include_declined)
    ranked = rank(snapshot, question)
    items = explained(snapshot, ranked.page(request.offset, size))
    why = why_none(snapshot, question) if not ranked.ids else None
    return PeerPage(total=len(ranked.ids), offset=request.offset, limit=size, items=items, answer_explanation=why)


PEER_MODE_NOTE = "'complementary': who can help with the member's needs; 'similar': who faces the same challenges; 'blend': both."
PEER_RECIPROCAL_NOTE = "Rank by the harmonic mean of both directions: what the candidate offers and what the member offers back."

ANSWER_HEADERS = {
    "X-Peermatch-Revision": {
        "description": "The store revision the ranking was computed at (compare with /ready's store_revision).",
        "schema": {"type": "integer"},
    },
    "Server-Timing": {
        "description": 'How the answer was served and the milliseconds it took in the worker, e.g. `answer;desc="stale";dur=0.8`:'
        " `current` (cached on the current snapshot), `stale` (cached on an earlier one, within PEERMATCH_ANSWER_STALE_SECONDS)"
        " or `computed` (ranked for this request).",
        "schema": {"type": "string"},
    },
}


@router.get(
    "/members/{member_id}/peers",
    response_model=PeerPage,
    summary="Peer partners for a stored member",
    responses={200: {"headers": ANSWER_HEADERS}},
)
async def member_peers(
    member_id: str,
    state: State,
    key: Reader,
    k: Annotated[int, Query(ge=1, le=100, description="How many results.")] = 10,
    mode: Annotated[PeerMode, Query(description=PEER_MODE_NOTE)] = "complementary",
    reciprocal: Annotated[bool, Query(description=PEER_RECIPROCAL_NOTE)] = False,
    cross_region: Annotated[bool, Query(description="Only members of other regions than the member's (North-South twinning).")] = False,
    include_declined: Annotated[bool, Query(description="Keep partners declined in earlier proposals.")] = False,
    offset: Annotated[int, Query(ge=0, le=PEER_OFFSET_MAX, description="Results to skip (k results follow).")] = 0,
) -> Response:
    """Answers are cached (the hub asks for the same members all day), keyed by the question and
    its exclusions, so a decline takes effect at once. A write to this member or to a member the
    answer lists is seen at once; any other write may take up to PEERMATCH_ANSWER_STALE_SECONDS
    (30 s) to move the answer. ``X-Peermatch-Revision`` says the store revision it was ranked at,
    ``Server-Timing`` whether it was cached, stale or computed, and how long it took."""
    started = time.perf_counter()
    options = paged(PeerOptions(k=k, mode=mode, reciprocal=reciprocal, cross_region=cross_region), offset)
    book = Partnerships(state.workspace.store)

    def question() -> PeerQuestion:
        return peer_question(book, member_id, options, include_declined=include_declined)

    def computed() -> tuple[RankedAnswer, Served]:
        snapshot = state.snapshot
        return cached_peer_answer(snapshot, state.cache_for(snapshot), question(), k, offset)

    # A cached answer is served here, on the event loop, when that waits for nothing
    # (``ServiceState.serving_now``): a hand-over to the thread pool and back costs a read two waits
    # for the interpreter, which a worker's write, catch-up or refresh holds much of the time
    # while a client writes (issue 21, item 2). Anything else is ranked on the thread pool.
    now = state.serving_now()
    found = cached_peer_answer(*now, question(), k, offset, compute=False) if now is not None else None
    answer, served = found if found is not None else await run_in_threadpool(computed)
    timing = f'answer;desc="{served}";dur={(time.perf_counter() - started) * 1000:.1f}'
    headers = {"X-Peermatch-Revision": str(answer.revision), "Server-Timing": timing}
    return Response(answer.body, media_type="application/json", headers=headers)


@router.get("/members/{member_id}/helps", response_model=HelpPage, summary="Whom a stored member can help")
def member_helps(
    member_id: str,
    state: State,
    key: Reader,
    k: Annotated[int, Query(ge=1, le=100, description="How many results.")] = 10,
    only_evidence: Annotated[bool, Query(description="Leave out members whose needs it meets only weakly.")] = True,
) -> HelpPage:
    """The other side of peers: the members whose needs this member's stated strengths and
    authored documents meet, each with its best-met need, strong matches first."""
    options = HelpOptions(k=k, only_evidence=only_evidence)
    hits = helps_for(state.snapshot, member_id, options)
    return HelpPage(
        total=len(hits),
        offset=0,
        limit=k,
        items=hits[:k],
        answer_explanation=None if hits else why_no_help(state.snapshot, member_id, options),
    )


@router.post("/recommendations/experts", response_model=ExpertGroup, summary="An expert group covering a theme's aspects")
def experts(request: ExpertRequest, state: State, key: Reader) -> ExpertGroup:
    """A theme that names a cluster, asked without aspects, takes the cluster's practice themes as
    its aspects. A theme or aspect that names a taxonomy topic or cluster (in any language, or by
    a cluster's code) is asked in its names in the languages the network's members write in, so
    the group is the same whichever language it is asked in; free text is asked as typed."""
    return experts_for(state.snapshot, request.theme, request.options)


@router.get("/members/{member_id}/resources", response_model=MemberResourcePage, summary="Resources for a member's needs")
def member_resources(
    member_id: str,
    state: State,
    key: Reader,
    k: Annotated[int, Query(ge=1, le=200, description="How many results.")] = 10,
    all_languages: Annotated[bool, Query(description="Rank across all languages, instead of the member's languages first.")] = False,
) -> MemberResourcePage:
    """The resources that answer the member's needs (and profile) best, in the languages it works
    in first unless all_languages; the member's own resources are left out."""
    return ranking(resources_for(state.snapshot, member_id, MemberResourceOptions(k=k, all_languages=all_languages)), k)


@router.get("/members/{member_id}/representative-fit", response_model=RepresentativeFit, summary="Representative fit for a cluster")
def representative_fit(member_id: str, cluster: Annotated[str, Query(examples=["esd"])], state: State, key: Reader) -> RepresentativeFit:
    return representative_fit_for(state.snapshot, member_id, cluster)


@router.post("/resources/search", response_model=ResourceSearchResponse, summary="Resources for a free-text query, across languages")
def search_resources(request: ResourceSearchRequest, state: State, key: Reader) -> ResourceSearchResponse:
    filters = ResourceFilters(
        languages=frozenset(request.languages) if request.languages else None,
        kinds=frozenset(request.kinds) if request.kinds else None,
        published_after=request.published_after,
    )
    found = search.search_resources(state.snapshot, request.query, request.k, filters, request.mode, request.language_mix)
    return ResourceSearchResponse(query=request.query, results=found.results, answer_explanation=found.answer, flags=found.flags)


@router.get("/resources/search", response_model=ResourceSearchResponse, summary="Resources for a free-text query (GET form)")
def search_resources_get(
    state: State,
    key: Reader,
    q: Annotated[str, Query(min_length=1, max_length=4000, description="Free text, in any language.")],
    k: Annotated[int, Query(ge=1, le=200, description="How many results at most.")] = 10,
) -> ResourceSearchResponse:
    return search_resources(ResourceSearchRequest(query=q, k=k), state, key)


@router.get("/capacity", response_model=CapacityMap, summary="The capacity map (JSON)")
def capacity(state: State, key: Reader) -> CapacityMap:
    recommender = state.snapshot.recommender
    if recommender.graph is None:
        raise PeermatchError("the graph is not loaded")
    return recommender.capacity()


@router.get("/capacity.html", response_class=HTMLResponse, summary="The capacity map as a self-contained HTML page")
def capacity_html(state: State, key: Reader) -> HTMLResponse:
    return HTMLResponse(render(capacity(state, key)))
