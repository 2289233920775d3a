"""ETags on /v1 reads: a 200 answer to a GET carries ``ETag`` (a digest of its body), and a GET
whose ``If-None-Match`` names it is answered 304 with no body.

A hub polling a member, a listing or a ranking that has not changed then gets a few headers back
instead of the whole answer. The tag is the body's digest, so it changes exactly when the answer
does, whichever write (or cache) produced it. Pure ASGI: the answer is buffered, then sent or
replaced.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` value (a list of tags, weak or strong, or ``*``) names ``tag``."""
    if not if_none_match:
        return False
    wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in wanted or tag in wanted


class ETags:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._answer(scope, start, b"".join(chunks), send)

        await self.app(scope, receive, buffered)

    @staticmethod
    async def _answer(scope: Scope, start: Message, body: bytes, send: Send) -> None:
        if start["status"] != 200:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        tag = etag(body)
        headers = MutableHeaders(scope=start)
        headers["ETag"] = tag
        if matches(Headers(scope=scope).get("if-none-match"), tag):
            for name in ("content-length", "content-type", "content-encoding"):
                if name in headers:
                    del headers[name]
            await send({**start, "status": 304})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})
