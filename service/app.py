"""The FastAPI application, built by ``create_app(settings)`` so tests can make as many as they like."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from embeddings.embedder import TextEncoder
from matcher import __version__
from matcher.errors import IndexNotBuiltError, PeermatchError
from matcher.records import ResourceKind
from matcher.search.resources import ResourceFilters, ResourceHit
from matcher.settings import Settings
from matcher.workspace import Workspace


class ResourceSearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=4000, examples=["former les enseignants au numérique"])
    k: int = Field(10, ge=1, le=200)
    languages: list[str] | None = Field(None, examples=[["en", "es"]])
    kinds: list[ResourceKind] | None = None
    published_after: dt.date | None = None
    mode: str = Field("hybrid", pattern="^(hybrid|dense|lexical)$")
    language_mix: bool = Field(True, description="Show the best hit of languages missing from the top k.")


class ResourceSearchResponse(BaseModel):
    query: str
    results: list[ResourceHit]


def create_app(settings: Settings, encoder: TextEncoder | None = None) -> FastAPI:
    workspace = Workspace(settings, encoder)
    app = FastAPI(title="peermatch", version=__version__, description="Peer matching for learning networks.")
    app.state.workspace = workspace

    @app.exception_handler(PeermatchError)
    async def peermatch_error(request: Request, error: PeermatchError) -> JSONResponse:
        status = 503 if isinstance(error, IndexNotBuiltError) else 400
        return JSONResponse({"code": type(error).__name__, "message": str(error)}, status_code=status)

    @app.get("/health")
    def health() -> dict[str, object]:
        return {"status": "ok", "version": __version__}

    @app.post("/v1/resources/search", response_model=ResourceSearchResponse)
    def search_resources(request: ResourceSearchRequest) -> ResourceSearchResponse:
        filters = ResourceFilters(
            languages=frozenset(request.languages) if request.languages else None,
            kinds=frozenset(request.kinds) if request.kinds else None,
            published_after=request.published_after,
        )
        hits = workspace.resources.search(
            request.query, k=request.k, filters=filters, mode=request.mode, language_mix=request.language_mix
        )
        return ResourceSearchResponse(query=request.query, results=hits)

    @app.get("/v1/resources/search", response_model=ResourceSearchResponse)
    def search_resources_get(
        q: Annotated[str, Query(min_length=1, max_length=4000)],
        k: Annotated[int, Query(ge=1, le=200)] = 10,
    ) -> ResourceSearchResponse:
        return search_resources(ResourceSearchRequest(query=q, k=k))

    @app.on_event("shutdown")
    def close() -> None:
        workspace.close()

    _ = HTTPException  # reserved for the full service
    return app
