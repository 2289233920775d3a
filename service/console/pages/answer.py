"""The page a member's contact reaches from an invitation or a reminder: the proposal, and accept or
decline, without an account (the signed link is the credential; it works once and expires).

GET never answers: mail scanners open links to check them, so the answer is a POST from the page.
The page speaks the contact's language unless the reader chose another with the switch.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from matcher.errors import PeermatchError
from matcher.notify import Contacts, LinkRefused, MailNotConfiguredError
from matcher.usecases.reminders import answer_by_link, link_target
from service.console.i18n import LANGUAGES, Translator
from service.console.web import LANGUAGE_COOKIE, SIGN_IN_CSRF_COOKIE, AnyPage, ConsolePage, check_origin

router = APIRouter(include_in_schema=False)
STATUS = {"invalid": 404, "expired": 410, "used": 410}


def _speaking_contact(page: ConsolePage, member_id: str | None) -> ConsolePage:
    if member_id is None or page.request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES:
        return page
    contact = Contacts(page.state.workspace.store).get(member_id)
    if contact is None or contact.language == page.t.language:
        return page
    return ConsolePage(page.request, page.session, Translator(contact.language))


@router.get("/answer/{token}")
def answer_page(page: AnyPage, token: str, answer: str | None = None) -> Response:
    try:
        view = link_target(page.state.workspace.store, page.state.mail, token)
    except LinkRefused as refused:
        page = _speaking_contact(page, refused.member_id)
        return page.render("answer.html", view=None, refused=refused.why, status=STATUS[refused.why])
    except MailNotConfiguredError:
        return page.render("answer.html", view=None, refused="invalid", status=404)
    page = _speaking_contact(page, view.member_id)
    return page.render("answer.html", view=view, token=token, chosen=answer if answer in ("accept", "decline") else None, refused=None)


@router.post("/answer/{token}")
def answer_post(
    page: AnyPage,
    request: Request,
    token: str,
    answer: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    check_origin(request)
    cookie = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token) or answer not in ("accept", "decline"):
        return answer_page(page, token)
    store = page.state.workspace.store
    try:
        view = link_target(store, page.state.mail, token)
        page = _speaking_contact(page, view.member_id)
        proposal = answer_by_link(store, page.state.mail, token, answer == "accept")
    except LinkRefused as refused:
        page = _speaking_contact(page, refused.member_id)
        return page.render("answer.html", view=None, refused=refused.why, status=STATUS[refused.why])
    except PeermatchError as error:  # the proposal moved on (withdrawn, declined by the other side)
        return page.render("answer.html", view=None, refused=None, error=str(error), status=409)
    return page.render("answer.html", view=view, answered=answer, proposal=proposal, refused=None)
