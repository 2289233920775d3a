"""The API keys the service accepts, with their last use (admin): never their hashes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from service.deps import Admin
from service.keys_usage import list_keys as stored_keys


class KeyView(BaseModel):
    name: str
    scopes: list[str]
    expires: str | None
    expired: bool
    last_used: str | None
    source: str


class KeyList(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[KeyView]


router = APIRouter(prefix="/v1/keys", tags=["operations"])


@router.get("", response_model=KeyList, summary="API keys, their scopes, expiry and last use (admin)")
def list_keys(request: Request, key: Admin) -> KeyList:
    state = request.app.state
    items = [KeyView(**vars(info)) for info in stored_keys(state.service.workspace.store, state.inline_keys, state.key_usage, state.keys)]
    return KeyList(total=len(items), offset=0, limit=len(items), items=items)
