"""Contacts, reminders and answers by signed link through /v1.

* ``PUT/GET/DELETE /v1/members/{id}/contact`` (write scope: a contact is personal data).
* ``POST /v1/reminders``: send the invitations and reminders due now (write scope); 409 naming the
  missing settings when mail is not configured, 502 when the SMTP server fails (what went is recorded).
* ``GET /v1/answers/{token}`` and ``POST /v1/answers/{token}``: no key, the signed link is the
  credential; 410 when the link expired or was used, 404 when it is not one peermatch sent.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Response
from pydantic import BaseModel, Field

from matcher.notify import CONTACT_LANGUAGES, Contact, Contacts, LinkRefused, MailNotConfiguredError
from matcher.usecases.reminders import AnswerView, ReminderReport, answer_by_link, link_target, send_reminders
from service.deps import State, Writer
from service.routes.proposals import ProposalPublic, public

router = APIRouter(tags=["contacts and reminders"])
MemberId = Annotated[str, Path(min_length=1, max_length=200)]
Token = Annotated[str, Path(min_length=10, max_length=500, description="The token of an answer link, as sent by email.")]


class ContactIn(BaseModel):
    email: str = Field(min_length=3, max_length=254, examples=["secretariat@kati.example.ml"])
    language: Literal["fr", "en", "es"] = Field(description=f"The language of the emails ({', '.join(CONTACT_LANGUAGES)}).")
    name: str = Field("", max_length=200)


class ContactPublic(ContactIn):
    member_id: str
    updated_by: str
    updated_at: dt.datetime


class AnswerIn(BaseModel):
    answer: Literal["accept", "decline"]


def _public(c: Contact) -> ContactPublic:
    return ContactPublic.model_validate(
        {
            "member_id": c.member_id,
            "email": c.email,
            "language": c.language,
            "name": c.name,
            "updated_by": c.updated_by,
            "updated_at": c.updated_at,
        }
    )


def _refused(error: LinkRefused) -> HTTPException:
    return HTTPException(404 if error.why == "invalid" else 410, str(error))


@router.put("/v1/members/{member_id}/contact", response_model=ContactPublic, summary="Set a member's contact for invitations and reminders")
def put_contact(member_id: MemberId, body: ContactIn, state: State, key: Writer) -> ContactPublic:
    c = Contacts(state.workspace.store).set(member_id, body.email, body.language, f"key:{key.name}", body.name)
    return _public(c)


@router.get(
    "/v1/members/{member_id}/contact", response_model=ContactPublic, summary="A member's contact", responses={404: {"description": "none"}}
)
def get_contact(member_id: MemberId, state: State, key: Writer) -> ContactPublic:
    c = Contacts(state.workspace.store).get(member_id)
    if c is None:
        raise HTTPException(404, f"member '{member_id}' has no contact")
    return _public(c)


@router.delete("/v1/members/{member_id}/contact", status_code=204, summary="Forget a member's contact")
def delete_contact(member_id: MemberId, state: State, key: Writer) -> Response:
    if not Contacts(state.workspace.store).remove(member_id):
        raise HTTPException(404, f"member '{member_id}' has no contact")
    return Response(status_code=204)


@router.post(
    "/v1/reminders",
    response_model=ReminderReport,
    summary="Send the invitations and reminders due now",
    responses={
        409: {"description": "mail is not configured (names the settings)"},
        422: {"description": "an Idempotency-Key reused for a different request"},
        502: {"description": "the SMTP server failed"},
    },
)
def post_reminders(state: State, key: Writer) -> ReminderReport:
    try:
        return send_reminders(state.workspace.store, state.mail)
    except MailNotConfiguredError as error:
        raise HTTPException(409, str(error)) from error
    except (smtplib.SMTPException, OSError) as error:
        raise HTTPException(502, f"the SMTP server failed: {error}; what was sent before is recorded") from error


@router.get(
    "/v1/answers/{token}",
    response_model=AnswerView,
    summary="What an answer link is for (no key: the link is the credential)",
    responses={
        404: {"description": "not a link peermatch sent"},
        409: {"description": "answer links are not configured"},
        410: {"description": "expired or used"},
    },
)
def get_answer(token: Token, state: State) -> AnswerView:
    try:
        return link_target(state.workspace.store, state.mail, token)
    except LinkRefused as error:
        raise _refused(error) from error
    except MailNotConfiguredError as error:
        raise HTTPException(409, str(error)) from error


@router.post(
    "/v1/answers/{token}",
    response_model=ProposalPublic,
    summary="Accept or decline through an answer link (once)",
    responses={
        404: {"description": "not a link peermatch sent"},
        409: {"description": "the proposal no longer takes this answer"},
        410: {"description": "expired or used"},
    },
)
def post_answer(token: Token, body: AnswerIn, state: State) -> ProposalPublic:
    try:
        return public(answer_by_link(state.workspace.store, state.mail, token, body.answer == "accept"))
    except LinkRefused as error:
        raise _refused(error) from error
    except MailNotConfiguredError as error:
        raise HTTPException(409, str(error)) from error
