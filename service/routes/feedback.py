"""Feedback on recommendations (accepted, declined, a rating), stored for the evaluation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StrictInt, model_validator

from service.deps import Admin, Offset, Reader, State

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])


class Feedback(BaseModel):
    member_id: str = Field(min_length=1, max_length=200, description="Who received the recommendation.")
    item_id: str = Field(min_length=1, max_length=200, description="The recommended member or resource.")
    task: Literal["peers", "experts", "resources", "pairing"]
    verdict: Literal["accepted", "declined"] | None = None
    rating: StrictInt | None = Field(None, ge=1, le=5)  # strict: neither true nor "5 " is a rating
    comment: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _says_something(self) -> Feedback:
        if self.verdict is None and self.rating is None:
            raise ValueError("give a 'verdict' or a 'rating'")
        return self


class Stored(BaseModel):
    id: int


class FeedbackPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]


@router.post(
    "",
    response_model=Stored,
    status_code=201,
    summary="Record feedback on a recommendation",
    responses={404: {"description": "'member_id' or 'item_id' names no stored record"}},
)
def add_feedback(feedback: Feedback, state: State, key: Reader) -> Stored:
    """Stored only when ``member_id`` names a member and ``item_id`` a member (peers, experts,
    pairing) or a resource (resources): feedback about no one would skew the evaluation."""
    store = state.workspace.store
    store.get("members", feedback.member_id)  # UnknownIdError: 404 naming the id
    store.get("resources" if feedback.task == "resources" else "members", feedback.item_id)
    return Stored(
        id=store.add_feedback(
            feedback.member_id, feedback.item_id, feedback.task, feedback.verdict, feedback.rating, feedback.comment, key.name
        )
    )


@router.get("", response_model=FeedbackPage, summary="List feedback (admin)")
def list_feedback(state: State, key: Admin, offset: Offset = 0, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> FeedbackPage:
    total, items = state.workspace.store.feedback(offset, limit)
    return FeedbackPage(total=total, offset=offset, limit=limit, items=items)
