"""Signing in and out, and the language switch."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from service.console.accounts import SignInRefused
from service.console.i18n import LANGUAGES
from service.console.web import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    AnyPage,
    Forbidden,
    check_origin,
    safe_next,
    set_session_cookie,
    sign_in_csrf,
)

router = APIRouter(include_in_schema=False)
ONE_YEAR = 365 * 24 * 3600


@router.get("/")
def home(page: AnyPage) -> Response:
    if page.session is not None:
        return page.redirect("/members")
    return sign_in_form(page, "/members")


@router.get("/signin")
def sign_in_page(page: AnyPage, next: str | None = None) -> Response:
    if page.session is not None:
        return page.redirect(safe_next(next))
    return sign_in_form(page, safe_next(next))


def sign_in_form(page: AnyPage, next_path: str, error: str | None = None, name: str = "", status: int = 200) -> Response:
    # render() sets the double-submit cookie when the browser has none yet
    return page.render("signin.html", status=status, next_path=next_path, error=error, name=name, signin_csrf=sign_in_csrf(page.request))


@router.post("/signin")
def sign_in(
    page: AnyPage,
    request: Request,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/members",
) -> Response:
    check_origin(request)
    cookie = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return sign_in_form(page, safe_next(next), page.t.plain("The sign-in form expired. Please try again."), name, 400)
    try:
        user = page.accounts.authenticate(name.strip(), password)
    except SignInRefused as refused:
        if refused.reason == "locked":
            message = page.t.plain(
                "Too many failed attempts: this account is locked for %(minutes)s more minutes. "
                "A secretariat administrator can unlock it (peermatch users unlock NAME).",
                minutes=refused.minutes,
            )
        else:
            message = page.t.plain("Wrong name or password.")
        return sign_in_form(page, safe_next(next), message, name, 401)
    token = page.accounts.start_session(user)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, token, page.state.settings)
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/")
    if user.language in LANGUAGES and LANGUAGE_COOKIE not in request.cookies:
        secure = page.state.settings.cookie_secure
        response.set_cookie(LANGUAGE_COOKIE, user.language, max_age=ONE_YEAR, secure=secure, samesite="lax", path="/")
    return response


@router.post("/signout")
async def sign_out(page: AnyPage) -> Response:
    if page.session is None:  # already over (idle, expired): nothing to protect, only a cookie to clear
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    await page.form()
    token = page.request.cookies.get(SESSION_COOKIE)
    if token:
        page.accounts.end_session(token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
async def switch_language(page: AnyPage, request: Request) -> Response:
    """The language switch: remembered in a cookie, and in the account when signed in."""
    check_origin(request)
    form = await request.form()
    token = str(form.get("csrf_token", ""))
    expected = page.session.csrf if page.session else request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(token, expected):
        raise Forbidden(page.t.plain("This form has expired or did not come from this console. Reload the page and try again."))
    language = str(form.get("language", ""))
    back = str(form.get("back", "/"))
    if language not in LANGUAGES:
        return page.redirect(safe_next(back))
    if page.session is not None:
        page.accounts.set_language(page.session.user.name, language)
    response = RedirectResponse(safe_next(back) if back != "/" else "/", status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR, secure=page.state.settings.cookie_secure, samesite="lax", path="/")
    return response
