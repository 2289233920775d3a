"""Console pages compressed for slow connections; /v1 answers left as they are (the hub's
latency budget is spent on scoring, and its clients decide their own transport)."""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


class ConsoleCompression:
    def __init__(self, app: ASGIApp, minimum_size: int = 1024) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/v1/"):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
