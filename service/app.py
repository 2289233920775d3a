"""The FastAPI application, built by ``create_app(settings)`` so tests can make as many as they like."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from embeddings.embedder import TextEncoder
from matcher import __version__
from matcher.notify import MailSettings
from matcher.store.permissions import secure_data_dir
from service import errors, middleware, openapi
from service.auth import KeyRing, inline_keys
from service.conditional import ETags
from service.console import app as console
from service.console.compression import ConsoleCompression
from service.gate import KeyGate
from service.idempotency import Idempotency, IdempotencyStore
from service.key_store import import_key_file, stored_keys
from service.keys_usage import KeyUsage
from service.limits import BodyLimit, Bound, WorkLimiter
from service.routes import (
    calendar,
    candidates,
    clusters,
    events,
    feedback,
    health,
    keys,
    notify,
    pairing,
    people,
    progress,
    proposals,
    recommend,
    records,
    requests,
    ties,
)
from service.settings import ServiceSettings
from service.state import ServiceState

DESCRIPTION = """Peer partners, expert groups, resources and pairings for international learning networks.

Every /v1 route needs an API key (`Authorization: Bearer KEY` or `X-API-Key: KEY`) with a scope:
**read** (recommendations, search, feedback, proposals and a side's answer to one), **write**
(imports, upserts, deletes, the secretariat's steps on proposals), **admin** (metrics, feedback
listing). Errors share one shape: `{"code", "message", "field"?, "details"?}`.

For a hub keeping a copy: `GET /v1/events?since=CURSOR` lists record and proposal changes; reads
answer an `ETag` and honour `If-None-Match` (304); POSTs take an `Idempotency-Key` (a retry gets the
first answer); member and resource lists take `updated_since` and a `cursor` (the answer's `next_cursor`).
"""


def operation_id(route: APIRoute) -> str:
    return route.name


def create_app(
    settings: ServiceSettings, encoder: TextEncoder | None = None, *, start: bool = True, mail: MailSettings | None = None
) -> FastAPI:
    """The app over ``settings.data_dir``; ``start`` loads the model and indexes now (a missing
    model fails here, not on the first request). ``mail``: the SMTP settings for invitations and
    reminders (default: from the environment, PEERMATCH_SMTP_*; unset, nothing is sent)."""
    old_key_file = settings.keys_path  # an earlier version's, imported into the store below, then renamed
    secure_data_dir(settings, (old_key_file, old_key_file.with_name(old_key_file.name + ".imported")))  # before the store opens it
    sys.setswitchinterval(settings.switch_interval_ms / 1000)
    state = ServiceState(settings, encoder)
    state.mail = mail if mail is not None else MailSettings()
    if start:
        state.start()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.stop()
        state.jobs.shutdown()
        usage.flush()  # before the store closes: the last uses go where every replica reads them
        state.workspace.close()
        idempotent.close()
        if settings.console:
            app.state.accounts.close()

    # The docs pages' scripts and styles are served from the installed package, not a CDN.
    # Operation ids are the route functions' names (unique across routers): a generated client
    # gets list_members, not list_members_v1_members_get.
    app: FastAPI = FastAPIOffline(
        title="peermatch",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.service = state
    # The keys live in the store (every replica reads the same table); a key file of an earlier
    # version is imported once, here, before the first request.
    store = state.workspace.store
    import_key_file(store, settings.keys_path)
    app.state.inline_keys = inline = inline_keys(settings.api_keys)
    app.state.keys = KeyRing(lambda: stored_keys(store), inline)
    app.state.key_usage = usage = KeyUsage(store)
    app.state.metrics = middleware.Metrics()
    state.on_swap = app.state.metrics.index_generation.inc  # peermatch_index_swaps_total: snapshots swapped in after start
    if settings.console:
        app.state.accounts = console.install(app, settings)
        errors.install(app, (console.wants_html, console.html_error))
    else:
        errors.install(app)
    # Middleware added last runs first: CORS, then request ids and metrics, then the body limit
    # (counted while read), the key, and the bound on heavy work, all before a route reads the body.
    idempotent = IdempotencyStore(settings.data_dir / "idempotency.sqlite", settings.database_url)
    compute = Bound("heavy", settings.heavy_concurrency, settings.heavy_queue, settings.queue_seconds)
    writes = Bound("write", settings.write_concurrency, settings.write_queue, settings.queue_seconds)
    # Innermost, after the key and the bound: ETags on reads, replays of retried POSTs.
    app.add_middleware(ETags)
    app.add_middleware(Idempotency, store=idempotent)
    sign_ins = Bound("sign-in", settings.sign_in_concurrency, settings.sign_in_queue, settings.queue_seconds)
    app.add_middleware(WorkLimiter, compute=compute, writes=writes, retry_after=settings.retry_after_seconds, sign_ins=sign_ins)
    app.add_middleware(KeyGate, keys=app.state.keys, usage=usage)
    app.add_middleware(BodyLimit, max_body_bytes=settings.max_body_bytes)
    if settings.console:
        app.add_middleware(ConsoleCompression)
    middleware.install(app, app.state.metrics, settings.log_json)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
        )
    # recommend before records: "/v1/resources/search" must not be taken for a resource id
    routes = (health, recommend, records, pairing, proposals, requests, feedback, events, keys)
    for module in (*routes, clusters, calendar, people, ties, notify, progress, candidates):
        app.include_router(module.router)
    openapi.install(app)
    access = logging.getLogger("peermatch.access")
    access.setLevel(logging.INFO if settings.log_json else logging.WARNING)
    if not access.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.propagate = False
    return app
