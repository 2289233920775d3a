"""Request ids, structured logs and Prometheus metrics, for every request."""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

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


def install(app: FastAPI, metrics: Metrics, log_json: bool) -> None:
    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = request_id
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.requests.labels(request.method, path, str(response.status_code)).inc()
        metrics.latency.labels(request.method, path).observe(elapsed)
        if log_json:
            logger.info(
                json.dumps(
                    {
                        "request_id": request_id,
                        "method": request.method,
                        "route": path,
                        "status": response.status_code,
                        "ms": round(elapsed * 1000, 2),
                        "key": getattr(request.state, "key_name", None),
                    }
                )
            )
        response.headers["X-Request-ID"] = request_id
        return response
