"""Dependencies: the service state, and API-key checks by scope."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from service.auth import ApiKey, KeyRing
from service.state import ServiceState

bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API key>")


# Both dependencies are coroutines, although neither awaits: FastAPI runs a plain function
# dependency on its thread pool, and each such hand-over costs a read two waits for the interpreter,
# which a worker's background thread (a write, a catch-up, a refresh) holds much of the time
# (issue 21, item 2). Neither does I/O beyond what the key gate already does on the event loop.
async def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


State = Annotated[ServiceState, Depends(get_state)]
# SQLite binds integers as signed 64 bits: a larger offset cannot even be asked for.
MAX_OFFSET = 2**63 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]


def require(scope: str) -> Callable[..., Coroutine[None, None, ApiKey]]:
    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        api_key: Annotated[str | None, Depends(header)],
    ) -> ApiKey:
        presented = credentials.credentials if credentials else api_key
        keys: KeyRing = request.app.state.keys
        if not presented:
            raise HTTPException(
                401, "an API key is required (Authorization: Bearer KEY or X-API-Key: KEY)", headers={"WWW-Authenticate": "Bearer"}
            )
        key = keys.find(presented)
        if key is None or key.expired():
            raise HTTPException(401, "unknown or expired API key", headers={"WWW-Authenticate": "Bearer"})
        request.state.key_name = key.name
        if not key.allows(scope):
            raise HTTPException(403, f"key '{key.name}' lacks the '{scope}' scope (it has: {', '.join(sorted(key.scopes))})")
        return key

    return check


Reader = Annotated[ApiKey, Depends(require("read"))]
Answerer = Annotated[ApiKey, Depends(require("answer"))]
Writer = Annotated[ApiKey, Depends(require("write"))]
Admin = Annotated[ApiKey, Depends(require("admin"))]
