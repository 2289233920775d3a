"""The key check at the door: every /v1 request shows a known, unexpired key before its body is read.

Pure ASGI, so a request without a valid key costs the service its headers only: a 200 MiB body
sent without a key is answered 401 and never read. The routes still check the key's scope.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth import KeyRing, presented_key
from service.errors import error_response
from service.keys_usage import KeyUsage

UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}
# A member's contact answers a proposal through the signed link sent by email, without an account
# or a key: the link is the credential (service/routes/notify.py checks it).
KEYLESS_PREFIXES = ("/v1/answers/", "/v1/feeds/")  # their tokens are the credential


class KeyGate:
    def __init__(self, app: ASGIApp, keys: KeyRing, usage: KeyUsage | None = None) -> None:
        self.app = app
        self.keys = keys
        self.usage = usage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # OPTIONS: CORS preflights carry no credentials by design.
        if (
            scope["type"] != "http"
            or not scope["path"].startswith("/v1/")
            or scope["method"] == "OPTIONS"
            or scope["path"].startswith(KEYLESS_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        presented = presented_key(headers.get("authorization"), headers.get("x-api-key"))
        if not presented:
            message = "an API key is required (Authorization: Bearer KEY or X-API-Key: KEY)"
            await error_response(401, "unauthorized", message, headers=UNAUTHORIZED)(scope, receive, send)
            return
        key = self.keys.find(presented)
        if key is None:
            await error_response(401, "unauthorized", "unknown API key", headers=UNAUTHORIZED)(scope, receive, send)
            return
        if key.expired():
            message = f"API key '{key.name}' expired at {key.expires.isoformat() if key.expires else '?'}"
            await error_response(401, "unauthorized", message, headers=UNAUTHORIZED)(scope, receive, send)
            return
        if self.usage is not None:
            self.usage.touch(key.name)
        await self.app(scope, receive, send)
