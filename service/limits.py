"""Limits that hold under hostile traffic, enforced in ASGI middleware before a route runs.

* A declared ``Content-Length`` over the limit is refused at once (413); a body sent without one
  (``Transfer-Encoding: chunked``) is counted while it is read, and reading stops with a 413 as
  soon as the count passes the limit: the rest is never parsed (once a request is answered,
  uvicorn drops what remains of its body as it arrives, buffering none of it).
* Heavy work (recommendations, searches, writes) is bounded: at most ``concurrency`` requests run,
  at most ``queue`` wait for a place, each for at most ``queue_seconds``; beyond that the answer is
  503 with ``Retry-After``. So the worker threads are never all taken by heavy requests, and the
  cheap routes (/health, /ready, listings) keep answering.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.console.app import busy_page
from service.errors import error_response

# Routes whose work grows with the data or the request (embedding, ranking, index builds).
COMPUTE_ROUTES = re.compile(
    r"^/v1/(recommendations/.+|resources/search|members/[^/]+/(peers|resources|representative-fit)|capacity(\.html)?)$"
)
WRITE_METHODS = frozenset({"PUT", "DELETE"})
WRITE_ROUTES = re.compile(r"^/v1/(members|resources)/bulk$")
# The console's pages that rank (a member's peers and resources, an expert group, the capacity
# map) and its import confirmation (a store write): the same bounds as their /v1 counterparts.
CONSOLE_COMPUTE_ROUTES = re.compile(r"^/(members/[^/]+|experts|capacity(/cell)?)$")
CONSOLE_WRITE_ROUTES = re.compile(r"^/import/[^/]+$")
SIGN_IN_ROUTE = "/signin"


def declared_length_too_large(scope: Scope, max_body_bytes: int) -> bool:
    """Whether the request declares a body over ``max_body_bytes`` (or a Content-Length that is no number)."""
    length = Headers(scope=scope).get("content-length")
    return length is not None and (not length.isdigit() or int(length) > max_body_bytes)


class BodyTooLarge(HTTPException):
    """Raised by the counting ``receive``: the route's body parsing passes it on, and the error
    handler turns it into the one error shape."""

    def __init__(self, max_body_bytes: int) -> None:
        super().__init__(413, f"request body over {max_body_bytes} bytes")


class BodyLimit:
    """413 for a body over ``max_body_bytes``: at once for a declared Content-Length, and as soon
    as the bytes read pass the limit for a chunked body (nothing after that is read)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if declared_length_too_large(scope, self.max_body_bytes):
            response = error_response(413, "too_large", f"request body over {self.max_body_bytes} bytes")
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as error:  # read outside a route (a middleware): answer here
            if started:
                raise
            await error_response(413, "too_large", str(error.detail))(scope, receive, send)


@dataclass
class Bound:
    """At most ``concurrency`` at once, ``queue`` more waiting up to ``queue_seconds`` each."""

    name: str
    concurrency: int
    queue: int
    queue_seconds: float

    def __post_init__(self) -> None:
        # asyncio primitives bind to the running loop only when a waiter has to wait (uvicorn
        # runs one loop per process), so this can be built before the server starts.
        self._places = asyncio.Semaphore(self.concurrency)
        self.waiting = 0
        self.running = 0
        self.refused = 0

    async def enter(self) -> bool:
        """Take a place (waiting in the queue if needed); False when the queue is full or the wait too long."""
        if self._places.locked() and self.waiting >= self.queue:
            self.refused += 1
            return False
        self.waiting += 1
        try:
            await asyncio.wait_for(self._places.acquire(), timeout=self.queue_seconds)
        except TimeoutError:
            self.refused += 1
            return False
        finally:
            self.waiting -= 1
        self.running += 1
        return True

    def leave(self) -> None:
        self.running -= 1
        self._places.release()


class WorkLimiter:
    """Runs heavy requests through their ``Bound``; everything else passes straight through."""

    def __init__(self, app: ASGIApp, compute: Bound, writes: Bound, retry_after: int, sign_ins: Bound | None = None) -> None:
        self.app = app
        self.compute = compute
        self.writes = writes
        self.sign_ins = sign_ins
        self.retry_after = retry_after

    def bound_for(self, method: str, path: str) -> Bound | None:
        if method == "POST" and path == SIGN_IN_ROUTE:
            return self.sign_ins  # argon2 verifications: memory and CPU, outside every other bound
        if method in WRITE_METHODS and path.startswith("/v1/") or method == "POST" and WRITE_ROUTES.match(path):
            return self.writes
        if method == "POST" and CONSOLE_WRITE_ROUTES.match(path):
            return self.writes
        if COMPUTE_ROUTES.match(path) or method == "GET" and CONSOLE_COMPUTE_ROUTES.match(path):
            return self.compute
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        bound = self.bound_for(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if bound is None:
            await self.app(scope, receive, send)
            return
        if not await bound.enter():
            if scope["path"].startswith("/v1/"):
                response: Response = error_response(
                    503,
                    "busy",
                    f"too many {bound.name} requests in progress ({bound.concurrency} running, {bound.queue} waiting); retry later",
                    headers={"Retry-After": str(self.retry_after)},
                )
            else:  # a person on a console page: a page in their language
                response = busy_page(Request(scope), self.retry_after)
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            bound.leave()
