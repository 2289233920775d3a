"""The FastAPI application, built by ``create_app(settings)`` so tests can make as many as they like."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from embeddings.embedder import TextEncoder
from matcher import __version__
from service import errors, middleware
from service.auth import KeyRing
from service.routes import feedback, health, pairing, recommend, records
from service.settings import ServiceSettings
from service.state import ServiceState

DESCRIPTION = """Peer partners, expert groups, resources and pairings for international learning networks.

Every /v1 route needs an API key (`Authorization: Bearer KEY` or `X-API-Key: KEY`) with a scope:
**read** (recommendations, search, feedback), **write** (imports, upserts, deletes), **admin**
(metrics, feedback listing). Errors share one shape: `{"code", "message", "field"?, "details"?}`.
"""


def create_app(settings: ServiceSettings, encoder: TextEncoder | None = None, *, start: bool = True) -> FastAPI:
    """The app over ``settings.data_dir``; ``start`` loads the model and indexes now (a missing
    model fails here, not on the first request)."""
    state = ServiceState(settings, encoder)
    if start:
        state.start()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.stop()
        state.jobs.shutdown()
        state.workspace.close()

    app = FastAPI(title="peermatch", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.service = state
    app.state.keys = KeyRing.load(settings.keys_path, settings.api_keys)
    app.state.metrics = middleware.Metrics()
    errors.install(app)
    middleware.install(app, app.state.metrics, settings.max_body_bytes, settings.log_json)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
        )
    # recommend before records: "/v1/resources/search" must not be taken for a resource id
    for module in (health, recommend, records, pairing, feedback):
        app.include_router(module.router)
    access = logging.getLogger("peermatch.access")
    access.setLevel(logging.INFO if settings.log_json else logging.WARNING)
    if not access.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.propagate = False
    return app
