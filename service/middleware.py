"""Request ids, structured logs and Prometheus metrics, for every request."""

from __future__ import annotations

import json
import logging
import os
import time
import uuid

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("peermatch.access")


class Metrics:
    """One registry per app, so tests can build as many apps as they like."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("peermatch_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "peermatch_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.index_generation = Counter("peermatch_index_swaps_total", "Index generations swapped in", registry=self.registry)

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format. With several worker processes (`peermatch serve
        --workers N` sets PROMETHEUS_MULTIPROC_DIR before they start), each writes its counts to
        that folder and this sums them, so a scrape sees the whole service whichever worker answers."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class Observe:
    """Each request's id (``X-Request-ID``, echoed or made), its count and latency in the metrics,
    and its log line. Pure ASGI, not ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware
    runs each request as another task and streams its body through a queue, a dozen more turns of
    the event loop per request, each waiting for the interpreter while a worker's background
    thread holds it (issue 21, item 2)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, log_json: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log_json = log_json

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id  # request.state.request_id, for the 500 page
        started = time.perf_counter()
        status = 500  # unless the app starts a response: an exception reaches the server's error page

        async def identified(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, identified)
        finally:
            self._observe(scope, status, time.perf_counter() - started, request_id, state.get("key_name"))

    def _observe(self, scope: Scope, status: int, elapsed: float, request_id: str, key_name: str | None) -> None:
        path = getattr(scope.get("route"), "path", "unmatched")
        method = scope["method"]
        self.metrics.requests.labels(method, path, str(status)).inc()
        self.metrics.latency.labels(method, path).observe(elapsed)
        if self.log_json:
            ms = round(elapsed * 1000, 2)
            line = {"request_id": request_id, "method": method, "route": path, "status": status, "ms": ms, "key": key_name}
            logger.info(json.dumps(line))


def install(app: FastAPI, metrics: Metrics, log_json: bool) -> None:
    app.add_middleware(Observe, metrics=metrics, log_json=log_json)
